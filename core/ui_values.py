"""Human-readable values of raw field values (history diffs store ids and choice codes)."""

from django.utils.translation import gettext as _


def display_value(model, name, value):
    field = model._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)
