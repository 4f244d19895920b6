"""Read paths for regions and towns, always scoped to what the user may see."""

from core.scoping import visible

from .models import Town


def town_list(*, user):
    return visible(user, Town).select_related("county__parent__parent").order_by("code")
