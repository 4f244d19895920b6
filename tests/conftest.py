import os

import pytest

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
    # The demo is lent from a copy kept for the whole session: a test that commits would change it for
    # every module after it, and another process would not find it under the test database's name.
    for item in items:
        marker = item.get_closest_marker("django_db")
        committing = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        if committing and "demo" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid}: the shared demo is for rolled-back tests, not transaction=True")
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


@pytest.fixture(scope="session")
def demo_store(django_db_setup, django_db_blocker):
    """The demo ledger and its statistics, built once per session and kept aside (tests/demo_snapshot.py)."""
    from tests.demo_snapshot import demo_snapshot

    with django_db_blocker.unblock():
        store = demo_snapshot()
        store.build()
    yield store
    with django_db_blocker.unblock():
        store.drop()


@pytest.fixture(scope="module")
def demo(demo_store, django_db_blocker):
    """The demo data with its statistics, lent to the module; the test database is as before afterwards.

    Each test's writes are rolled back as usual, so tests that commit (``transaction=True``) or start
    processes must build their own data instead.
    """
    with django_db_blocker.unblock():
        demo_store.enter()
    yield
    with django_db_blocker.unblock():
        demo_store.leave()


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when REDIS_URL configures a real broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
