"""The audit log: append-only, hash-chained entries of who did what, from where, when."""

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One audited event (审计记录): a login, a denied request, an export, an import, a change, a token's use.

    Entries are never changed nor deleted before the retention period ends: the database refuses it
    (a trigger, see the migration) and the admin offers no way to. Each entry carries ``hash``, the
    SHA-256 of its own fields and of the previous entry's hash, so that changing or removing an entry
    in the middle breaks the chain at that point (``manage.py verify_audit`` finds it). The user is
    kept by id and name, not by foreign key, so deleting a user cannot rewrite the log.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账户锁定")
        LOGOUT = "logout", _("退出")
        DENIED = "denied", _("拒绝访问")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        CREATE = "create", _("新增记录")
        UPDATE = "update", _("修改记录")
        DELETE = "delete", _("删除记录")
        TOKEN_CREATE = "token_create", _("创建令牌")
        TOKEN_REVOKE = "token_revoke", _("吊销令牌")
        TOKEN_USE = "token_use", _("使用令牌")
        TOKEN_REJECT = "token_reject", _("令牌无效")
        ADMIN = "admin", _("管理操作")

    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("事件"), max_length=20, choices=Action.choices, db_index=True)
    user_id = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("请求路径"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, editable=False)
    hash = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        permissions = [("export_auditentry", _("可导出审计记录"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.get_action_display()}"

    HASHED_FIELDS = (
        "at", "action", "user_id", "username", "ip", "method", "path", "status",
        "object_type", "object_id", "object_repr", "detail",
    )  # fmt: skip

    def compute_hash(self):
        """SHA-256 over the previous hash and this entry's fields, in a fixed canonical form."""
        fields = {name: getattr(self, name) for name in self.HASHED_FIELDS}
        fields["at"] = self.at.isoformat(timespec="microseconds")
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256((self.prev_hash + payload).encode()).hexdigest()
