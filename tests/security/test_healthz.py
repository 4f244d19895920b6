"""/healthz answers 200 only when a page can be served: database, shared cache, broker, static manifest."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="points PostgreSQL's connection elsewhere")


def _failing(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    return body["failing"]


@pytest.mark.django_db
def test_healthy_answers_200_with_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["failing"] == []


@pytest.mark.django_db
def test_without_a_collected_manifest_pages_fail_and_healthz_says_static(tmp_path):
    client = Client(raise_request_exception=False)
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        assert client.get("/accounts/login/").status_code == 500
        response = client.get("/healthz")
    assert _failing(response) == ["static"]
    assert response.json()["checks"]["static"] == "failing"


@pytest.mark.django_db
def test_with_a_collected_manifest_pages_and_healthz_answer(tmp_path):
    # Only the project's own static files (not the vendored charts) keep the collection quick.
    only_ours = [settings.BASE_DIR / "static"]
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path, STATICFILES_DIRS=only_ours):
        call_command("collectstatic", interactive=False, verbosity=0)
        page = Client().get("/accounts/login/")
        health = Client().get("/healthz")
    assert page.status_code == 200
    assert re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', page.content.decode())
    assert health.status_code == 200
    assert health.json()["checks"]["static"] == "ok"


@pytest.mark.django_db
def test_unreachable_shared_cache_fails_the_check():
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}}
    with override_settings(CACHES=cache):
        response = Client().get("/healthz")
    assert _failing(response) == ["cache"]


@pytest.mark.django_db
def test_unreachable_broker_fails_the_check():
    with override_settings(REDIS_URL=UNREACHABLE_REDIS):
        response = Client().get("/healthz")
    assert _failing(response) == ["broker"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_unreachable_database_fails_the_check():
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1
    try:
        response = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert _failing(response) == ["database"]


@pytest.mark.django_db
def test_failure_details_stay_in_the_server_log(caplog):
    with override_settings(REDIS_URL=UNREACHABLE_REDIS):
        body = Client().get("/healthz").content.decode()
    # An anonymous caller learns which check failed, not the addresses or errors behind it.
    assert "127.0.0.1" not in body
    assert "broker" in caplog.text


def _compose_check(url, allowed_hosts):
    """Run compose's health check of the web container (config/healthcheck.py) against ``url``."""
    env = {**os.environ, "HEALTHCHECK_URL": url, "ALLOWED_HOSTS": allowed_hosts}
    script = settings.BASE_DIR / "config" / "healthcheck.py"
    return subprocess.run([sys.executable, script], env=env, capture_output=True, text=True, timeout=60, check=False)


# As production runs it: only its own host names allowed, plain HTTP redirected unless the proxy says HTTPS.
PRODUCTION_LIKE = {
    "ALLOWED_HOSTS": [".reform.example.gov.cn"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


@pytest.mark.django_db(transaction=True)
def test_compose_health_check_passes_through_production_host_and_https_checks(live_server):
    with override_settings(**PRODUCTION_LIKE):
        result = _compose_check(live_server.url, ".reform.example.gov.cn,*")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_compose_health_check_fails_when_pages_fail(live_server, tmp_path):
    with override_settings(**PRODUCTION_LIKE, STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        result = _compose_check(live_server.url, "reform.example.gov.cn")
    assert result.returncode == 1
    assert "/healthz: HTTP 503" in result.stderr
