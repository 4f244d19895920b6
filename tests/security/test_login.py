"""Login controls: lockout per account and per address, password policy, idle session expiry."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pass-for-tests"


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client, clerk):
    for _ in range(3):
        assert login(client, "clerk", "wrong").status_code in (200, 429)
    locked = login(client, "clerk", PASSWORD)
    assert locked.status_code == 429
    assert "账户已锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address the account stays locked: the lock is per account too.
    assert login(client, "clerk", PASSWORD, ip="10.0.0.99").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_address_is_locked_after_failures_across_accounts(client, clerk):
    UserFactory(username="other")
    for name in ("a1", "a2", "a3"):
        login(client, name, "wrong", ip="10.0.0.7")
    assert login(client, "other", PASSWORD, ip="10.0.0.7").status_code == 429
    assert login(client, "other", PASSWORD, ip="10.0.0.8").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_security_admin_unlocks_by_deleting_the_attempt(client, clerk, security_admin):
    for _ in range(3):
        login(client, "clerk", "wrong")
    assert login(client, "clerk", PASSWORD).status_code == 429
    client.force_login(security_admin)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": attempts, "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    assert login(client, "clerk", PASSWORD).status_code == 302


def test_system_admin_cannot_see_lockouts(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_correct_login_below_the_limit_clears_the_failures(client, clerk):
    # Two failures, a success, two more failures: four in all, over the limit of three unless the
    # success cleared the first two. Without the reset the fourth failure locks the account.
    for _ in range(2):
        assert login(client, "clerk", "wrong").status_code == 200
    assert login(client, "clerk", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert login(client, "clerk", "wrong").status_code == 200
    assert login(client, "clerk", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short1A!", False), ("alllowercaseletters", False), ("Lower-and-digits-2026", True), ("12345678901", False)],
)
def test_password_policy(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_policy_names_the_character_classes():
    with pytest.raises(ValidationError) as caught:
        validate_password("onlylowercaseletters")
    assert any("至少包含" in message for message in caught.value.messages)


def test_session_is_written_at_most_once_a_minute_and_still_expires_when_idle(client, clerk, settings):
    # Renewing on every request cost each page and API read an UPDATE of its session row.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(clerk)  # signing in sets the full limit: the first request writes nothing
        key = client.session.session_key
        renewed = Session.objects.get(pk=key).expire_date
    for seconds in (0, 50):
        with (
            time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.get("/towns/").status_code == 200
        assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert Session.objects.get(pk=key).expire_date == renewed
    with time_machine.travel(start + dt.timedelta(seconds=70), tick=False):
        assert client.get("/towns/").status_code == 200
        later = Session.objects.get(pk=key).expire_date
        assert later == timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Idle for the whole age after the last renewal: signed out.
    with time_machine.travel(later + dt.timedelta(seconds=1), tick=False):
        response = client.get("/towns/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    # The stale cookie is not revived into a new session, nor does an anonymous visit create one.
    assert "_renewed_at" not in client.session
    assert settings.SESSION_COOKIE_NAME not in Client().get("/accounts/login/").cookies


def test_session_expires_after_inactivity_and_a_request_renews_it(client, clerk, settings):
    client.force_login(clerk)
    key = client.session.session_key
    # Near its end, and a minute after its last renewal (at sign-in).
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.SESSION_RENEW_SECONDS), tick=False):
        assert client.get("/towns/").status_code == 200
        renewed = Session.objects.get(pk=key).expire_date - timezone.now()
    assert (
        dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < renewed
        <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    # Idle past the limit: the next request is anonymous and goes to the login page.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/towns/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
