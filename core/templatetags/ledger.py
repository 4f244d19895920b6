"""Template helpers for the ledger pages."""

from django import template

register = template.Library()


@register.simple_tag
def ledger_url(ui, action, *args):
    return ui.url(action, *args)


@register.filter
def verbose_plural(model):
    return model._meta.verbose_name_plural
