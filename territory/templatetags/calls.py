"""The call-and-respond section of the region and town dashboards."""

from django import template
from django.utils import timezone

from ..selectors import call_figures

register = template.Library()


@register.inclusion_tag("territory/_call_figures.html", takes_context=True)
def call_figures_section(context, scope, period):
    """Calls of the town, or of the region's departments, over the period's year, with the department ranking."""
    # A town with calls but no other figures yet has no period: its calls count by the current year.
    year = (period or timezone.localdate()).year
    user = context["request"].user
    kind_town = type(scope.obj).__name__ == "Town"
    figures = call_figures(
        user=user,
        town_id=scope.obj.pk if kind_town else None,
        region_id=None if kind_town else scope.obj.pk,
        year=year,
    )
    return {"figures": figures if figures["total"]["calls"] else None, "scope": scope}
