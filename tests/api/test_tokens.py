"""API tokens: stored hashed, shown once, revocable, throttled per token."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from core.models import ApiToken
from core.tokens import token_create, token_revoke
from tests.factories import UserFactory
from tests.processes import shared_database_url

from .conftest import client_for

pytestmark = pytest.mark.django_db


def get(path, secret, **headers):
    return client_for(None).get(path, HTTP_AUTHORIZATION=f"Token {secret}", **headers)


def test_token_authenticates_its_service_account_within_its_scope(service_token, town_a, town_b):
    _, secret = service_token
    response = get("/api/v1/towns/", secret)
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [town_a.code]


def test_only_a_digest_is_stored(service_token):
    token, secret = service_token
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert secret.startswith(stored["prefix"])


def test_revoked_token_is_401(service_token):
    token, secret = service_token
    token_revoke(token=token)
    response = get("/api/v1/towns/", secret)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_missing_or_wrong_token_is_401(db):
    assert client_for(None).get("/api/v1/towns/").status_code == 401
    assert get("/api/v1/towns/", "trk_not-a-real-token").status_code == 401


def test_tokens_are_for_service_accounts_only(county_a):
    with pytest.raises(Exception, match="服务账户"):
        token_create(user=UserFactory(region=county_a), name="x")


def test_create_token_command_prints_a_working_secret(county_a, capsys):
    UserFactory(username="finance_system", region=county_a, is_service_account=True)
    call_command("create_token", "finance_system", "--name", "财政系统")
    secret = capsys.readouterr().out.strip()
    assert get("/api/v1/towns/", secret).status_code == 200
    assert ApiToken.objects.get().name == "财政系统"


def test_create_token_command_refuses_unknown_users(db):
    with pytest.raises(CommandError):
        call_command("create_token", "nobody")


def test_admin_sees_the_secret_once_on_creation(client, security_admin, county_a):
    account = UserFactory(region=county_a, is_service_account=True)
    client.force_login(security_admin)
    response = client.post("/admin/core/apitoken/add/", {"user": account.pk, "name": "数据平台"}, follow=True)
    token = ApiToken.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    secret = next(match[0] for text in shown if (match := re.search(r"trk_[\w-]+", text)))
    assert secret.startswith(token.prefix)
    assert get("/api/v1/towns/", secret).status_code == 200
    listing = client.get("/admin/core/apitoken/").content.decode()
    assert token.prefix in listing
    assert secret not in listing


@override_settings(API_TOKEN_RATE="3/minute")
def test_each_token_has_its_own_rate_limit(service_token, county_a):
    _, secret = service_token
    other = UserFactory(region=county_a, is_service_account=True)
    _, other_secret = token_create(user=other, name="另一个系统")
    statuses = [get("/api/v1/towns/", secret).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = get("/api/v1/towns/", secret)
    assert limited.json()["status"] == 429
    assert int(limited["Retry-After"]) > 0
    assert get("/api/v1/towns/", other_secret).status_code == 200


def test_admin_revokes_tokens_from_the_list(client, security_admin, service_token):
    token, secret = service_token
    client.force_login(security_admin)
    client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get("/api/v1/towns/", secret).status_code == 401


def test_use_is_recorded_for_administrators(service_token):
    token, secret = service_token
    assert token.last_used_at is None
    get("/api/v1/towns/", secret)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_browser_session_reads_the_api_too(client, users):
    client.force_login(users["editor_a"])
    assert client.get("/api/v1/towns/").status_code == 200


REQUESTS_FROM_ANOTHER_PROCESS = """
import django, json, sys
django.setup()
from django.test import Client
secret = sys.argv[1]
client = Client(SERVER_NAME="localhost")
print(json.dumps([client.get("/api/v1/towns/", HTTP_AUTHORIZATION=f"Token {secret}").status_code for _ in range(2)]))
"""


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
@override_settings(API_TOKEN_RATE="3/minute")
def test_the_rate_limit_counts_the_requests_every_process_served(service_token):
    """gunicorn runs several workers: a token's budget is one, whichever worker answers."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the other process cannot open the in-memory SQLite test database; CI runs PostgreSQL")
    _, secret = service_token
    assert [get("/api/v1/towns/", secret).status_code for _ in range(2)] == [200, 200]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": shared_database_url(),
        "API_TOKEN_RATE": "3/minute",
    }
    other = subprocess.run(
        [sys.executable, "-c", REQUESTS_FROM_ANOTHER_PROCESS, secret],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [200, 429]
