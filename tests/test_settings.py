"""Settings fall back to the embedded defaults and refuse unsafe production starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _settings_value(module, expression, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    clean.update(env)
    code = f"import {module} as s; print(repr(({expression})))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def test_without_database_url_the_database_is_sqlite_under_var():
    out = _settings_value("config.settings.local", "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']")
    assert "sqlite3" in out.stdout
    assert "var/db.sqlite3" in out.stdout


def test_database_url_selects_postgresql():
    out = _settings_value(
        "config.settings.local", "s.DATABASES['default']['ENGINE']", DATABASE_URL="postgres://u@127.0.0.1:5432/x"
    )
    assert "postgresql" in out.stdout


def test_without_redis_url_tasks_run_in_process():
    out = _settings_value("config.settings.local", "s.CELERY_TASK_ALWAYS_EAGER")
    assert out.stdout.strip() == "True"


def test_with_redis_url_tasks_go_to_the_broker():
    out = _settings_value(
        "config.settings.local", "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert out.stdout.strip() == "(False, 'redis://127.0.0.1:6379/0')"


def test_production_refuses_to_start_without_secret_key():
    out = _settings_value("config.settings.production", "s.SECRET_KEY", ALLOWED_HOSTS="x.gov.cn")
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


def test_language_and_time_zone():
    out = _settings_value("config.settings.local", "s.LANGUAGE_CODE, s.TIME_ZONE, [c for c, _ in s.LANGUAGES]")
    assert out.stdout.strip() == "('zh-hans', 'Asia/Shanghai', ['zh-hans', 'en'])"


@pytest.mark.needs_redis
def test_celery_reaches_the_real_broker():
    from config.celery import app

    with app.connection_for_write(os.environ["REDIS_URL"]) as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected


def test_database_replica_url_adds_the_replica_and_its_router():
    out = _settings_value(
        "config.settings.local",
        "s.DATABASES['replica']['PORT'], s.DATABASE_ROUTERS, s.REPLICA_READS",
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        DATABASE_REPLICA_URL="postgres://u@127.0.0.1:5433/x",
    )
    assert out.stdout.strip() == "(5433, ['core.db_router.ReplicaRouter'], True)"


def test_without_database_replica_url_every_query_goes_to_the_one_database():
    out = _settings_value("config.settings.local", "list(s.DATABASES), s.REPLICA_READS", DATABASE_REPLICA_URL="")
    assert out.stdout.strip() == "(['default'], False)"
