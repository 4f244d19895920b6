import pytest
from django.core.management import call_command

from config.celery import app


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data loaded and its statistics computed once per module, removed afterwards."""
    from core.demo import load_demo
    from stats.services import recompute_all

    with django_db_blocker.unblock():
        load_demo()
        recompute_all()
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when REDIS_URL configures a real broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
