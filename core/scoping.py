"""Which towns a user may see and change. Every selector and permission check goes through here."""

from django.db.models import Q


def region_town_filter(region, prefix="town__"):
    """A filter matching towns whose county lies at or under ``region`` (province → city → county)."""
    return (
        Q(**{f"{prefix}county": region})
        | Q(**{f"{prefix}county__parent": region})
        | Q(**{f"{prefix}county__parent__parent": region})
    )


def visible_filter(user, prefix="town__"):
    """Q for the rows a user may read; ``prefix`` is the path from the model to its town."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_system_admin:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    return region_town_filter(user.region, prefix)


def editable_filter(user, prefix="town__"):
    """Q for the rows a user may change: a county editor changes only their own county's towns."""
    if not user.is_authenticated or not user.can_edit:
        return Q(pk__in=[])
    if user.is_system_admin:
        return Q()
    return Q(**{f"{prefix}county": user.region_id})


def can_edit_town(user, town):
    if not user.is_authenticated or not user.can_edit:
        return False
    return user.is_system_admin or town.county_id == user.region_id
