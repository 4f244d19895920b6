"""Write path of the three separated administrators (三员): created together, once, on the server."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import User
from .signals import record_changed

ADMIN_ROLES = (User.Role.SYSTEM_ADMIN, User.Role.SECURITY_ADMIN, User.Role.AUDIT_ADMIN)


def administrators_existing(usernames=()):
    """Accounts that stop a first install: any holder of an administrator role, or of a name asked for."""
    return list(
        User.objects.filter(role__in=ADMIN_ROLES).union(User.objects.filter(username__in=list(usernames)))
        .values_list("username", flat=True)
    )  # fmt: skip


def administrator_password_check(role, username, password):
    """Raise ValidationError unless ``password`` passes the configured validators for this account."""
    validate_password(password, User(username=username, role=role))


@transaction.atomic
def administrators_create(accounts):
    """Create the system, security and audit administrators from ``{role: (username, password)}``.

    All or none: refused if any administrator or any of the names already exists, or if a password
    fails the validators. They are staff (they work in /admin/) but never superusers, which would
    bypass the separation of their duties. Each creation is recorded in the audit log.
    """
    if set(accounts) != set(ADMIN_ROLES):
        raise ValueError("accounts must name exactly the three administrator roles")
    existing = administrators_existing(username for username, _password in accounts.values())
    if existing:
        raise ValidationError(_("管理员账户已存在:%(names)s。") % {"names": ", ".join(sorted(existing))})
    created = []
    for role, (username, password) in accounts.items():
        administrator_password_check(role, username, password)
        user = User(username=username, role=role, region=None, is_staff=True, is_superuser=False)
        user.set_password(password)
        user.full_clean()
        user.save()
        record_changed.send(sender=User, instance=user, user=None, action="create")
        created.append(user)
    return created
