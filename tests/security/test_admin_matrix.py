"""三员分立 in the admin, as a matrix: each administrator × each admin page and each sensitive change.

The expectations are declared once below. A model registered in the admin later falls to the system
administrator (reference data) unless it is listed here, so a new page is checked without editing this file.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTORS = ("system", "security", "audit", "superuser")
NEW_PASSWORD = "Changed-by-someone-2026"

# Who opens each admin page: (list page, add page). "system" stands for the system administrator, with or
# without the superuser flag: a superuser is a system administrator and gains nothing more here.
PAGES = {
    "core.User": ({"system", "security"}, {"system"}),
    "core.ApiToken": ({"security"}, {"security"}),
    "axes.AccessAttempt": ({"security"}, set()),
    "axes.AccessLog": ({"security"}, set()),
    "axes.AccessFailureLog": ({"security"}, set()),
    "otp_totp.TOTPDevice": ({"security"}, set()),
    "audit.AuditEntry": ({"audit"}, set()),
    # Computed by the statistics engine: read, never added by hand.
    "stats.RecomputeRun": ({"system"}, set()),
    "stats.Alert": ({"system"}, set()),
    "stats.Figure": ({"system"}, set()),
    "stats.PowerFigure": ({"system"}, set()),
    # Changed only by their steps (territory.services): looked up, never added by hand.
    "territory.Call": ({"system"}, set()),
}
REFERENCE_DATA = ({"system"}, {"system"})


def _group(actor):
    return "system" if actor == "superuser" else actor


@pytest.fixture
def people(db):
    """The three administrators, a superuser and a county editor, each with a confirmed authenticator."""
    users = {
        "system": UserFactory(username="sys", role="system_admin", region=None, is_staff=True),
        "security": UserFactory(username="sec", role="security_admin", region=None, is_staff=True),
        "audit": UserFactory(username="aud", role="audit_admin", region=None, is_staff=True),
        "superuser": UserFactory(username="root", role="system_admin", region=None, is_staff=True, is_superuser=True),
        "editor": UserFactory(username="clerk"),
    }
    for user in users.values():
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return users


def _sign_in(client, user):
    """Signed in and past the second factor, as django-otp records it in the session."""
    client.force_login(user)
    session = client.session
    session.pop("otp_pending", None)
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()


def _pages():
    for model in admin.site._registry:
        lists, adds = PAGES.get(model._meta.label, REFERENCE_DATA)
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for actor in ACTORS:
            yield pytest.param(f"{name}_changelist", actor, _group(actor) in lists, id=f"{model.__name__}-list-{actor}")
            yield pytest.param(f"{name}_add", actor, _group(actor) in adds, id=f"{model.__name__}-add-{actor}")


@pytest.mark.parametrize(("url_name", "actor", "opens"), list(_pages()))
def test_each_admin_page_opens_for_its_administrator_only(client, people, url_name, actor, opens):
    _sign_in(client, people[actor])
    status = client.get(reverse(url_name)).status_code
    assert status == (200 if opens else 403), (url_name, actor, status)


# Sensitive changes: (what, who may do it). The target is another administrator or the county editor.
def _set_password(client, target):
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    return client.post(url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def _give_role(client, target):
    url = reverse("admin:core_user_change", args=[target.pk])
    return client.post(url, {"role": "system_admin", "is_staff": "on"})


def _take_role(client, target):
    return client.post(reverse("admin:core_user_change", args=[target.pk]), {"role": "reviewer", "is_staff": "on"})


def _delete_user(client, target):
    return client.post(reverse("admin:core_user_delete", args=[target.pk]), {"post": "yes"})


def _add_device(client, target):
    data = {"user": target.pk, "name": "known", "key": "3132333435363738393031323334353637383930"}
    data |= {"step": 30, "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "confirmed": "on"}
    return client.post(reverse("admin:otp_totp_totpdevice_add"), data)


def _change_device(client, target):
    device = TOTPDevice.objects.get(user=target)
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    return client.post(url, {"user": target.pk, "name": "known", "key": "31323334", "confirmed": "on"})


def _reset_device(client, target):
    device = TOTPDevice.objects.get(user=target)
    return client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})


def _state(target):
    target = User.objects.filter(pk=target.pk).first()
    if target is None:
        return None
    devices = sorted(TOTPDevice.objects.filter(user=target).values_list("key", flat=True))
    return (target.role, target.is_staff, target.check_password(NEW_PASSWORD), devices)


# (action, target, the actors whose request goes through). Everyone else gets 403 or, where the form is
# theirs but the field is not (a role for the system administrator, an administrator's role for the
# security administrator), the form again; in both cases nothing changes.
SENSITIVE = [
    (_set_password, "admin", set()),
    (_give_role, "admin", set()),
    (_take_role, "admin", set()),
    (_delete_user, "admin", set()),
    (_add_device, "admin", set()),
    (_change_device, "admin", set()),
    (_set_password, "editor", {"system", "superuser"}),
    (_give_role, "editor", set()),
    (_take_role, "editor", {"security"}),
    (_add_device, "editor", set()),
    (_change_device, "editor", set()),
    (_reset_device, "editor", {"security"}),
    (_reset_device, "self", set()),
    (_take_role, "self", set()),
    (_set_password, "self", set()),
]


def _cases():
    for action, target, allowed in SENSITIVE:
        for actor in ACTORS:
            targets = {"admin": [t for t in ACTORS if t != actor], "editor": ["editor"], "self": [actor]}[target]
            for who in targets:
                name = action.__name__.strip("_")
                yield pytest.param(action, actor, who, actor in allowed, id=f"{name}-{actor}-on-{who}")


@pytest.mark.parametrize(("action", "actor", "target", "allowed"), list(_cases()))
def test_sensitive_changes_only_by_the_administrator_they_belong_to(client, people, action, actor, target, allowed):
    victim = people[target]
    before = _state(victim)
    _sign_in(client, people[actor])
    response = action(client, victim)
    if allowed:
        assert response.status_code == 302, response.status_code
        assert _state(victim) != before
    else:
        assert response.status_code in (200, 403), response.status_code
        assert _state(victim) == before
        if response.status_code == 200:
            assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()


def test_the_system_administrator_cannot_sign_in_as_the_security_administrator(client, people):
    _sign_in(client, people["system"])
    _set_password(client, people["security"])
    client.logout()
    response = client.post("/accounts/login/", {"username": "sec", "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
