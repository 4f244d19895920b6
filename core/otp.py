"""Optional TOTP second factor (django-otp): any user may enrol; roles named in OTP_REQUIRED_ROLES must.

At login the session is marked as waiting for the second factor when the user has a confirmed device
or their role requires one; until a code is verified, every page but the code page, logout and the
language switch sends them there (and the API refuses with 403). Users without a second factor pay
nothing: the mark lives in the session, so no request queries the devices.
"""

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.signals import second_factor_failed

PENDING = "otp_pending"


def role_requires_otp(user):
    return user.role in getattr(settings, "OTP_REQUIRED_ROLES", ())


@receiver(user_logged_in, dispatch_uid="otp_mark_pending")
def mark_pending(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and (role_requires_otp(user) or user_has_device(user)):
        request.session[PENDING] = True


class RequireOTPMiddleware:
    """After django_otp's OTPMiddleware: hold a session that still owes its second factor."""

    EXEMPT = ("/accounts/otp/", "/accounts/logout/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(PENDING) and not request.path.startswith(self.EXEMPT):
            if request.path.startswith("/api/"):
                return JsonResponse({"status": 403, "detail": _("请先完成双因素验证。")}, status=403)
            target = "otp_verify" if user_has_device(request.user) else "otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else reverse("home")


def _verified(request, device):
    otp_login(request, device)
    request.session.pop(PENDING, None)
    return redirect(_next(request))


@login_required
def otp_verify(request):
    """Enter the six-digit code from the authenticator app."""
    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").strip())
        if device is not None:
            return _verified(request, device)
        second_factor_failed.send(sender=None, user=request.user)
        error = _("验证码不正确或已过期。")
    return render(request, "registration/otp_verify.html", {"error": error, "next": _next(request)})


@login_required
def otp_setup(request):
    """Enrol an authenticator app: show the key, then confirm it with a first code.

    A user who already has a confirmed device must first give its code in this session: otherwise the
    password alone would let anyone enrol their own authenticator and skip the owner's. A user who lost
    theirs asks the security administrator, who resets it in the admin (audited).
    """
    if not request.user.is_verified() and user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=_("身份验证器"), confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _verified(request, device)
        second_factor_failed.send(sender=None, user=request.user)
        error = _("验证码不正确或已过期。")
    context = {
        "error": error,
        "next": _next(request),
        "secret": base64.b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
    }
    return render(request, "registration/otp_setup.html", context)
