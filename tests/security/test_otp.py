"""Optional TOTP second factor, required for the roles the settings name."""

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-for-tests"


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


@override_settings(OTP_REQUIRED_ROLES=["security_admin"])
def test_a_required_role_must_enrol_before_anything_else(client, security_admin):
    login(client, security_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")
    assert client.get("/api/v1/towns/").status_code == 403
    page = client.get(response["Location"])
    assert "启用双因素验证" in page.content.decode()
    device = TOTPDevice.objects.get(user=security_admin, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"token": "000000", "next": "/admin/"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/accounts/otp/setup/", {"token": code(device), "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_user_with_a_device_enters_a_code_at_every_login(client):
    user = UserFactory(username="clerk")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    held = client.get("/towns/")
    assert held["Location"].startswith("/accounts/otp/?next=/towns/")
    wrong = client.post("/accounts/otp/", {"token": "123456", "next": "/towns/"})
    assert "验证码不正确" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", username="clerk", detail="otp").exists()
    # A wrong code throttles the device (django-otp doubles the wait each time); let the wait pass.
    assert client.post("/accounts/otp/", {"token": code(device), "next": "/towns/"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post("/accounts/otp/", {"token": code(device), "next": "/towns/"})["Location"] == "/towns/"
    assert client.get("/towns/").status_code == 200


def test_the_code_page_does_not_redirect_elsewhere(client):
    user = UserFactory(username="clerk")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    response = client.post("/accounts/otp/", {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_users_without_a_device_or_required_role_are_not_asked(client):
    user = UserFactory(username="clerk")
    login(client, user)
    assert client.get("/towns/").status_code == 200


def test_a_password_alone_cannot_enrol_a_new_device(client):
    """Someone holding only the password must not replace the victim's authenticator with their own."""
    user = UserFactory(username="clerk")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    response = client.get("/accounts/otp/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/?next=/accounts/otp/setup/")
    # Nor by posting a code for a key they never saw: no device is created, confirmed or let in.
    posted = client.post("/accounts/otp/setup/", {"token": "123456", "next": "/towns/"})
    assert posted["Location"].startswith("/accounts/otp/")
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert client.get("/towns/")["Location"].startswith("/accounts/otp/")


def test_after_the_current_code_a_user_may_enrol_another_device(client):
    user = UserFactory(username="clerk")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    client.post("/accounts/otp/", {"token": code(device), "next": "/towns/"})
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200
    assert "启用双因素验证" in page.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"token": code(new), "next": "/towns/"})["Location"] == "/towns/"
    new.refresh_from_db()
    assert new.confirmed


def _enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_security_admin_resets_another_users_second_factor_and_it_is_audited(client, security_admin):
    user = UserFactory(username="clerk")
    device = _enrolled(user)
    client.force_login(security_admin)
    url = f"/admin/otp_totp/totpdevice/{device.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.filter(action="admin", username=security_admin.username).latest("id")
    assert "totpdevice" in entry.detail
    assert "clerk" in entry.detail
    # The user's next sign-in is no longer held for a code they cannot give.
    client.logout()
    login(client, user)
    assert client.get("/towns/").status_code == 200


def test_the_device_admin_never_shows_a_key(client, security_admin):
    device = _enrolled(UserFactory(username="clerk"))
    client.force_login(security_admin)
    key = device.key
    for url in ("/admin/otp_totp/totpdevice/", f"/admin/otp_totp/totpdevice/{device.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert key not in response.content.decode()
        assert "otpauth://" not in response.content.decode()
    # django-otp's own admin serves the key as a QR code at these addresses; ours has no such page.
    for suffix in ("config", "qrcode"):
        response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{suffix}/", follow=True)
        assert response.get("Content-Type", "").startswith("text/html")
        assert key not in response.content.decode()
