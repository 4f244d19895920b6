"""Users and the abstract base that every ledger record shares."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerModel(models.Model):
    """Abstract base of every ledger record: optimistic-lock version, generated flag, timestamps.

    ``version`` is bumped on every save so that a client editing a stale copy can be refused
    (HTTP 412 in the API, a conflict page in the browser) instead of silently overwriting.
    ``is_generated`` marks rows the demo loader synthesised where a source document gives only totals.
    Subclasses name ``scope_path``, the lookup from the row to the Region that decides who may see
    and change it, and ``town_path``, the lookup to its town, where it belongs to one;
    ``period_fields`` names the date (or year) fields that place a row in time, so that a change to it
    is known to alter the figures of the months from the earliest of them on (none: every month);
    ``figure_free_fields`` names fields that no figure or alert reads, so that an update changing only
    them (or nothing) queues no recompute. A model may offer ``choices_for(user)``, the rows a form lets ``user``
    pick (see ``core.forms.choice_queryset``).
    """

    scope_path = ""
    town_path = None
    period_fields: tuple[str, ...] = ()
    figure_free_fields: tuple[str, ...] = ()
    # Rows kept above town level (a province's document) that apply to the regions under theirs: an
    # editor below cites them in a form although they cannot change them.
    applies_downwards = False

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    is_generated = models.BooleanField(_("生成数据"), default=False, help_text=_("演示数据中按文件总数生成的明细行"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.bump_version()
        super().save(*args, **kwargs)

    def bump_version(self):
        """Count one more saved change; also called by bulk writes, which bypass ``save``."""
        self.version += 1


class UserManager(BaseUserManager):
    """Django's user manager, whose superusers are system administrators with no region.

    Without a role every account is a reviewer, who must belong to a region: ``createsuperuser`` would
    break the database's rule (user_region_required_unless_admin).
    """

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """A superuser for ``manage.py createsuperuser``: the system administrator role, no region."""
        extra_fields.setdefault("role", User.Role.SYSTEM_ADMIN)
        extra_fields.setdefault("region", None)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person or another system's service account (用户), scoped by one region and one role."""

    class Role(models.TextChoices):
        COUNTY_EDITOR = "county_editor", _("县级编办录入员")
        REVIEWER = "reviewer", _("审阅人(只读)")
        SYSTEM_ADMIN = "system_admin", _("系统管理员")
        # 三员分立: the security and audit administrators hold no ledger scope and change no records.
        SECURITY_ADMIN = "security_admin", _("安全管理员")
        AUDIT_ADMIN = "audit_admin", _("安全审计员")
        # Call-and-respond (乡呼县应): a town's clerk raises and rates calls, a department's answers them.
        TOWN_STAFF = "town_staff", _("镇街用户")
        DEPARTMENT_STAFF = "department_staff", _("县直部门用户")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.REVIEWER)
    region = models.ForeignKey(
        settings.LEDGER_REGION_MODEL,
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("所属镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("镇街用户只看本镇"),
    )
    department = models.ForeignKey(
        "delegation.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("县直部门用户只看、只答本部门的呼叫"),
    )
    is_service_account = models.BooleanField(
        _("服务账户"), default=False, help_text=_("供其他系统通过令牌访问 API 的账户")
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["system_admin", "security_admin", "audit_admin"])
                | models.Q(region__isnull=False),
                name="user_region_required_unless_admin",
                violation_error_message=_("除管理员外,每个用户都必须属于一个区域。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(role="town_staff") | models.Q(town__isnull=False),
                name="user_town_staff_has_town",
                violation_error_message=_("镇街用户必须指定所属镇。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(role="department_staff") | models.Q(department__isnull=False),
                name="user_department_staff_has_department",
                violation_error_message=_("县直部门用户必须指定所属部门。"),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_system_admin(self):
        return self.is_superuser or self.role == self.Role.SYSTEM_ADMIN

    @property
    def is_security_admin(self):
        """Manages roles, lockouts and API tokens; never users' other details nor the audit log."""
        return self.role == self.Role.SECURITY_ADMIN

    @property
    def is_audit_admin(self):
        """Reads and exports the audit log; changes nothing."""
        return self.role == self.Role.AUDIT_ADMIN

    def clean(self):
        super().clean()
        # The town's or department's county is the user's region, so that reading follows the county.
        if self.town_id and self.region_id and self.town.county_id != self.region_id:
            raise ValidationError({"town": _("所属镇须在所属区域(县)内。")})
        if self.department_id and self.region_id and self.department.county_id != self.region_id:
            raise ValidationError({"department": _("所属部门须在所属区域(县)内。")})

    @property
    def is_town_staff(self):
        return self.role == self.Role.TOWN_STAFF

    @property
    def is_department_staff(self):
        return self.role == self.Role.DEPARTMENT_STAFF

    @property
    def can_edit(self):
        """Only county editors and administrators write; reviewers are read-only everywhere."""
        return self.is_system_admin or self.role == self.Role.COUNTY_EDITOR


class ApiToken(models.Model):
    """An API token (接口令牌) of a service account; only a digest of the secret is kept.

    The secret is shown once, when the token is created; ``prefix`` lets administrators tell tokens
    apart in lists without revealing it. Revoking keeps the row, so the audit trail survives.
    """

    user = models.ForeignKey(User, verbose_name=_("服务账户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, help_text=_("例如:省政务服务平台办件量推送"))
    prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self):
        return self.revoked_at is None
