"""Who may call which method: reviewers only read; editors write only in their own county."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.scoping import can_edit


class LedgerPermission(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or user.can_edit

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or can_edit(request.user, obj)
