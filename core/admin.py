from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .tokens import token_create, token_revoke


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "is_service_account", "is_active"]
    list_filter = ["role", "is_service_account", "is_active", "region__level"]
    search_fields = ["username", "first_name", "last_name", "region__name"]
    autocomplete_fields = ["region"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("范围与角色"), {"fields": ("role", "region", "is_service_account")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("范围与角色"), {"fields": ("role", "region", "is_service_account")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue tokens here; the secret is shown once, in the confirmation message."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["user", "name", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_service_account=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = token_create(user=obj.user, name=obj.name, created_by=request.user)
        obj.pk = token.pk
        messages.warning(request, _("新令牌(只显示这一次,请立即复制保存):%(secret)s") % {"secret": secret})

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
        messages.success(request, _("已吊销 %(n)s 个令牌。") % {"n": queryset.count()})
