"""Who may see and change which rows. Every selector, form and API view goes through here.

A row is scoped by a Region reached through its model's ``scope_path`` (a town's county, a
document's region, …). Regions form a tree at most three deep: province → city → county.

- Reading: a user sees rows whose region lies at or under their own region; reference rows that
  apply from above (a province's document, a city's assessment scheme) are visible too.
- Writing: a county editor changes only rows of their own county; reviewers change nothing;
  system administrators see and change everything.
"""

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Q

from core.registry import region_model, town_model

NOTHING = Q(pk__in=[])


# How many levels a region tree has under its root (province → city → county).
TREE_LEVELS = 3
# How many of those levels a region of each level has at and under it: no region lies under a county.
LEVELS_AT_OR_UNDER = {"province": 3, "city": 2, "county": 1}


def at_or_under(path, value, *, by="pk", levels=range(TREE_LEVELS)):
    """Q: rows whose region, reached through ``path`` ("" for a Region itself), lies at or under a region.

    The region is named by ``value`` in its field ``by`` (its id, or ``by="code"``). ``levels`` narrows
    the steps down from it (0: the region itself, 1: its children, 2: their children) when the caller
    knows how deep the rows' regions lie, so that the query joins no more parents than it needs.
    The one place the tree is walked: scoping, the region filters and the dashboards all call it.
    """
    lookups = []
    for level in levels:
        steps = ([path] if path else []) + ["parent"] * level
        lookups.append("__".join(steps if steps and by == "pk" else [*steps, by]))
    return reduce(operator.or_, (Q(**{lookup: value}) for lookup in lookups))


def _is_reference(model):
    """Rows above town level (regions, documents, schemes, programmes) that apply downwards."""
    return model.town_path is None and model is not town_model()


def _ancestor_ids(region):
    ids, parent = [], region.parent
    while parent is not None:
        ids.append(parent.pk)
        parent = parent.parent
    return ids


def _levels_under(user):
    """The steps down from ``user``'s region at which a row's region can lie.

    A county user's rows are found by their county alone, without joining the regions above each
    row's county; fewer steps can only find fewer rows, never more. Known only when the region was
    loaded with the user (``core.backends`` and an API token's lookup load it): looking it up would
    cost the query it saves.
    """
    # The model's field, not ``type(user)``: a request's user is a lazy object around the user.
    if not get_user_model()._meta.get_field("region").is_cached(user) or user.region is None:
        return range(TREE_LEVELS)
    return range(LEVELS_AT_OR_UNDER.get(getattr(user.region, "level", None), TREE_LEVELS))


def visible_q(user, model):
    """Q selecting the rows of ``model`` that ``user`` may read."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_system_admin:
        return Q()
    if user.region_id is None:
        return NOTHING
    q = at_or_under(model.scope_path, user.region_id, levels=_levels_under(user))
    if _is_reference(model):
        q |= Q(**{f"{model.scope_path or 'pk'}__in": _ancestor_ids(user.region)})
    return q & _staff_q(user, model)


def _staff_q(user, model):
    """Town staff read only their town's rows; department staff only their department's (its calls)."""
    q = Q()
    if user.role == "town_staff":
        if model.__name__ == "Town":
            q &= Q(pk=user.town_id)
        elif model.town_path:
            q &= Q(**{model.town_path: user.town_id})
    department_path = getattr(model, "department_path", None)
    if user.role == "department_staff" and department_path:
        q &= Q(**{department_path: user.department_id})
    return q


def editable_q(user, model):
    """Q selecting the rows of ``model`` that ``user`` may change."""
    if not user.is_authenticated or not user.can_edit:
        return NOTHING
    if user.is_system_admin:
        return Q()
    if model is region_model():
        return NOTHING
    return Q(**{model.scope_path: user.region_id})


def visible(user, model):
    return model._default_manager.filter(visible_q(user, model))


def visible_in_town(user, model, town):
    """The rows of ``model`` that belong to ``town``, a town the caller found in ``visible(user, Town)``.

    A model scoped through its town (``scope_path`` is its ``town_path`` then ``county``) has the rows
    of a town visible exactly when the town is: only the staff's narrowing is added, so that a page of a
    town's strands does not walk the region tree once more for each.
    """
    rows = model._default_manager.filter(**{model.town_path: town})
    if model.scope_path == f"{model.town_path}__county":
        return rows.filter(_staff_q(user, model))
    return rows.filter(visible_q(user, model))


def visible_under(user, model, region_id):
    """The rows of ``visible(user, model)`` whose region lies at or under ``region_id``, for a model
    whose ``scope_path`` is its own region column (a county's or a region's figures).

    The same rows, found by testing that column against the few regions both conditions allow (a
    subquery over the region table) instead of joining every row's region to its parents: over a
    province's rows the planner misjudges those ORs and walks the rows in nested loops.
    """
    if not user.is_authenticated or (user.region_id is None and not user.is_system_admin):
        return model._default_manager.none()
    regions = region_model().objects.filter(at_or_under("", region_id))
    staff = Q()
    if not user.is_system_admin:
        mine = at_or_under("", user.region_id)
        if _is_reference(model):
            mine |= Q(pk__in=_ancestor_ids(user.region))
        regions, staff = regions.filter(mine), _staff_q(user, model)
    return model._default_manager.filter(staff, **{f"{model.scope_path or 'pk'}__in": regions.values("pk")})


def can_edit(user, instance):
    """Whether ``user`` may change (or delete) ``instance``, an existing or a new row."""
    if not user.is_authenticated or not user.can_edit:
        return False
    if user.is_system_admin:
        return True
    if isinstance(instance, region_model()):
        return False
    return region_of(instance) == user.region_id


def scope_relations(model):
    """The relations ``region_of`` and ``town_of`` follow from a row of ``model``, for ``select_related``:
    a scope check on a row read with them reads no further rows."""
    paths = [model.scope_path.rpartition("__")[0], getattr(model, "town_path", None) or ""]
    return [path for path in dict.fromkeys(paths) if path]


def region_of(instance):
    """The id of the Region that scopes ``instance``, following ``scope_path`` in memory."""
    if isinstance(instance, region_model()):
        return instance.pk
    target = instance
    parts = type(instance).scope_path.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)


def town_of(instance):
    """The town a row belongs to, or None for rows above town level."""
    if isinstance(instance, town_model()):
        return instance
    if not getattr(type(instance), "town_path", None):
        return None
    target = instance
    for part in type(instance).town_path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target
