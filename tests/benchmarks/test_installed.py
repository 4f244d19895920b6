"""The generator, benchmarks and load-test fixtures are development tools: production settings leave them out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent.parent
TOOL_COMMANDS = {"generate_data", "bench", "bench_stats", "bench_dashboard", "loadtest_fixtures"}


def _manage_py_commands(settings_module):
    """The command names ``manage.py help --commands`` lists under the given settings, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module, SECRET_KEY="settings-test-only-not-secret", ALLOWED_HOSTS="x.gov.cn"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_production_settings_have_neither_the_app_nor_its_commands():
    commands = _manage_py_commands("config.settings.production")
    assert "recompute_stats" in commands  # the product's own commands are listed
    assert not TOOL_COMMANDS & commands


@pytest.mark.parametrize("settings_module", ["config.settings.local", "config.settings.test"])
def test_local_and_test_settings_offer_the_commands(settings_module):
    assert _manage_py_commands(settings_module) >= TOOL_COMMANDS


def test_the_running_test_settings_install_the_app():
    assert apps.is_installed("benchmarks")
    assert {name: get_commands()[name] for name in TOOL_COMMANDS} == dict.fromkeys(TOOL_COMMANDS, "benchmarks")
