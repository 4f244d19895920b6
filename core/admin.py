from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


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
