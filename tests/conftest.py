import os

import pytest
from django.core.management import call_command

from config.celery import app


def pytest_report_header(config):
    db = os.environ.get("DATABASE_URL", "sqlite (embedded default)")
    redis = os.environ.get("REDIS_URL") or "none: tests that need Redis are skipped"
    return [f"database: {db.split('@')[-1]}", f"redis: {redis}"]


def pytest_configure(config):
    # Tests assert translated messages: compile the catalogues as `make run` does.
    import django
    from django.core.management import call_command

    django.setup()
    call_command("compile_translations", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def pytest_collection_modifyitems(config, items):
    # Benchmarks run only when asked for with -m benchmark (with or without Redis).
    if "benchmark" not in (config.getoption("-m") or ""):
        for item in items:
            if "benchmark" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="benchmark: run with make bench"))
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="needs a Redis server: set REDIS_URL (CI does)")
    for item in items:
        if "needs_redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(role="system_admin", region=None, is_staff=True, is_superuser=True)


@pytest.fixture
def security_admin(db):
    from tests.factories import UserFactory

    return UserFactory(username="sec_admin", role="security_admin", region=None, is_staff=True)


@pytest.fixture
def audit_admin(db):
    from tests.factories import UserFactory

    return UserFactory(username="audit_admin", role="audit_admin", region=None, is_staff=True)


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
