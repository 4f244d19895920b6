"""Serializer base shared by every app: shape and conversion only; services validate and write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from core.scoping import visible


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must name a row the caller can see.

    Scoped when the field is used (an id to validate, choices to list), not when the serializer is
    built: building the scoping filter of every related field cost ~5 ms on each request, most of
    which never read one.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset if request is None else visible(request.user, queryset.model)


class LedgerSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose related fields accept only rows the caller can see.

    An id outside the caller's scope reads as "does not exist", exactly like a wrong id, so a
    client cannot learn what other counties hold by probing.
    """

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def get_validators(self):
        return []  # unique-together rules are checked once, by the model's constraints in full_clean

    def build_standard_field(self, field_name, model_field):
        # A unique field too: full_clean checks it after the model's own rules (a town code must start
        # with its county's code), so a code of another county is refused for that, never as "exists".
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        validators = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        if "validators" in kwargs:
            kwargs["validators"] = validators
        return field_class, kwargs


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text=_("HTTP 状态码"))
    code = serializers.CharField(help_text=_("机器可读的错误代码,如 invalid、not_found、precondition_failed"))
    detail = serializers.CharField(help_text=_("给人看的一句话说明,语言随 Accept-Language"))
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("字段名 → 错误信息列表;批量接口为 items → 条目序号 → 字段名 → 错误信息列表"),
    )
