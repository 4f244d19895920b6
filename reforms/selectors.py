"""Read paths for regions and towns, always scoped to what the user may see."""

from core.scoping import visible_filter

from .models import Town


def town_list(*, user):
    return (
        Town.objects.filter(visible_filter(user, prefix="")).select_related("county__parent__parent").order_by("code")
    )
