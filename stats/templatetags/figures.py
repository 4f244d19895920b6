"""How a dashboard figure is printed in a cell: its value, linked to its ledger rows where it has any."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()
NO_VALUE = mark_safe('<span class="muted">—</span>')


@register.simple_tag
def figure_value(cell):
    """A ``stats.dashboards.cell``: a dash when it has no value, else the value, linked when it has a URL.

    A tag, not an included template: the pages print it for every cell (some 150 on a province's
    overview), and each include costs a template context of its own.
    """
    if cell["value"] is None:
        return NO_VALUE
    if cell["url"]:
        return format_html('<a href="{}">{}</a>', cell["url"], cell["value"])
    return format_html("{}", cell["value"])
