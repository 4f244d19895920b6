"""The picker script and stylesheet, in every page where the package is installed (``npm ci``)."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from core.pickers import ASSETS, assets_available

register = template.Library()


@register.simple_tag
def picker_assets():
    """Tom Select and our pickers.js; nothing without the package, and the plain <select>s remain."""
    # Asked on every page (a few stat calls), not remembered: the static settings may change under it.
    if not assets_available():
        return ""
    script, style = ASSETS
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script><script src="{}" defer></script>',
        static(style),
        static(script),
        static("js/pickers.js"),
    )
