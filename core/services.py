"""Write paths shared by every app: scope checks, validation, optimistic locking, history, recompute.

Each app's ``services.py`` calls these for plain records and adds functions of its own where a write
carries domain logic (bulk case counts, rebates due by rule). Views and the API never save models
themselves.
"""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.constraints import errors_at_fields, fields_read
from core.scoping import can_edit, scope_relations, town_of
from core.signals import data_imported, record_changed, records_changed, town_touched, write_begins


class VersionConflict(Exception):
    """Someone saved the record after the caller read it; carries the current copy."""

    def __init__(self, current):
        super().__init__(f"{current!r} changed since it was read")
        self.current = current


def _require_edit(user, instance):
    if not can_edit(user, instance):
        raise PermissionDenied(_("您无权修改此记录。"))


def towns_touched(town_ids, since=None, calls_changed=True, calls_since=None):
    """After commit, tell listeners (the statistics engine) that these towns changed.

    ``since`` maps a town to the first day from which its change alters the figures (None: from
    whenever it began); a town it does not name changed from the first day of the reform too.
    ``calls_changed`` False says the change cannot alter the towns' call figures (no call-and-respond
    record was written), so that their recompute may leave those alone; ``calls_since``, a day, that
    it alters only those of the months from that day's (a call's, which counts where it was raised).
    Every write path ends here, so a rolled-back write queues no recompute and a committed one always does.
    """
    town_ids = set(town_ids) - {None}
    since = {town: (since or {}).get(town) for town in town_ids}
    if town_ids:
        transaction.on_commit(
            lambda: town_touched.send(
                sender=None, town_ids=town_ids, since=since, calls_changed=calls_changed, calls_since=calls_since
            )
        )


def changed_since(instance):
    """The earliest day ``instance``'s ``period_fields`` place it at (a year as its 1 January), or None
    when it names none: a change to it may alter every month."""
    days = []
    for field in getattr(instance, "period_fields", ()):
        value = getattr(instance, field, None)
        days.append(dt.date(value, 1, 1) if isinstance(value, int) else value)
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _earliest(*days):
    """The earliest of ``days``; None when any is unknown (the change may reach back to the start)."""
    return None if None in days else min(days)


def _touch(towns, since, model):
    """The ``towns`` (None among them ignored) changed from the day ``since`` on, by a write to ``model``.

    Only the models marked ``feeds_call_figures`` (a call; a town, whose county its call figures carry)
    can change the towns' call figures.
    """
    ids = {town.pk for town in towns if town is not None}
    towns_touched(ids, since=dict.fromkeys(ids, since), calls_changed=getattr(model, "feeds_call_figures", False))


def record_import(*, user, what, created, updated):
    """Audit an import or bulk write (``what`` names it) inside its transaction, with its row counts.

    A preview or a refused file rolls the transaction back, and the entry with it.
    """
    data_imported.send(sender=None, user=user, what=what, created=created, updated=updated)


def _full_clean(instance, exclude=None):
    """Validate ``instance`` whole; a constraint's refusal is reported at the field it is about."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise errors_at_fields(type(instance), error, instance) from None


def _announce(instance, user, action, figure_free=False):
    """Tell listeners (audit, alerts) of the write; ``figure_free``: it changed no field a figure reads."""
    record_changed.send(sender=type(instance), instance=instance, user=user, action=action, figure_free=figure_free)


def _history_user(instance, user):
    # django-simple-history records who made the change; outside a request it cannot know.
    instance._history_user = user


def _lock_current(instance, user, expected_version):
    """The row as saved now, locked for this transaction, after the scope and version checks."""
    write_begins.send(sender=type(instance))
    model = type(instance)
    # The rows on the scope path come in the same query (the checks below and after the change read
    # them); only the row itself is locked, not its town or county.
    rows = model._default_manager.select_related(*scope_relations(model)).select_for_update(of=("self",))
    current = rows.get(pk=instance.pk)
    _require_edit(user, current)
    if expected_version is not None and current.version != int(expected_version):
        raise VersionConflict(current)
    return current


def record_create(model, *, user, data):
    """Create a row after the scope check and full validation."""
    return record_add(model(**data), user=user)


@transaction.atomic
def record_add(instance, *, user):
    """Save the new, unsaved ``instance`` (built by a form, e.g. the admin's) as ``record_create`` does."""
    write_begins.send(sender=type(instance))
    _require_edit(user, instance)
    _full_clean(instance)
    _history_user(instance, user)
    instance.save()
    _announce(instance, user, "create")
    _touch([town_of(instance)], changed_since(instance), type(instance))
    return instance


@transaction.atomic
def record_update(instance, *, user, data, expected_version=None):
    """Apply ``data`` if nobody saved the row since ``expected_version``.

    The row is locked first so that two concurrent saves cannot both pass the version check; the
    scope is checked before and after, so a row cannot be moved out of the editor's county.
    """
    current = _lock_current(instance, user, expected_version)
    before, before_since = town_of(current), changed_since(current)
    changed = _changed_fields(current, data)
    # Nothing changed at all (another system resending its records as they are) counts as free too.
    figures_unchanged = changed <= set(type(current).figure_free_fields)
    for field, value in data.items():
        setattr(current, field, value)
    _require_edit(user, current)
    _full_clean(current, exclude=_checked_before(type(current), changed))
    _history_user(current, user)
    current.save()
    _announce(current, user, "update", figure_free=figures_unchanged)
    if not figures_unchanged:
        # A row moved in time changed the months from the earlier of its dates; a town it left changed too.
        _touch([town_of(current), before], _earliest(before_since, changed_since(current)), type(current))
    return current


def _changed_fields(current, data):
    """The names in ``data`` whose value differs from ``current``'s (the row as saved).

    A name that is not a field, or a value of another type, counts as changed: at worst a check or a
    recompute that finds nothing.
    """
    changed = set()
    for name, value in data.items():
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            changed.add(name)
            continue
        new = value.pk if field.is_relation and isinstance(value, Model) else value
        if field.value_from_object(current) != new:
            changed.add(name)
    return changed


def _checked_before(model, changed):
    """The fields an update leaves as they were and that no rule over a changed field reads.

    The row as saved passed their checks (validation, and the database's constraints): checking them
    again would only cost queries, one for each foreign key and three for each check constraint. A
    constraint over a changed field is checked whole, with the fields it reads that did not change.
    """
    needed = set(changed)
    for constraint in model._meta.constraints:
        fields = fields_read(model, constraint)
        if fields & changed:
            needed |= fields
    return {field.name for field in model._meta.concrete_fields} - needed


@transaction.atomic
def record_delete(instance, *, user, expected_version=None):
    """Delete the row if nobody saved it since ``expected_version``; its history keeps the last copy."""
    current = _lock_current(instance, user, expected_version)
    town, since = town_of(current), changed_since(current)
    _history_user(current, user)
    _announce(current, user, "delete")
    current.delete()
    _touch([town], since, type(current))


class RowsRefused(Exception):
    """A set of rows written together was refused whole; ``errors`` maps each bad row's key to
    {field: [messages]}, and ``stale`` holds the keys refused because someone saved them since they were read."""

    def __init__(self, errors, stale=()):
        super().__init__(f"{len(errors)} row(s) refused")
        self.errors = errors
        self.stale = set(stale)


def _held_relations(instance):
    """Foreign keys whose row ``instance`` already holds (loaded by the caller): they exist, and the
    database's foreign key checks them again, so validation need not query each once per row."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation and f.is_cached(instance) and getattr(instance, f.name) is not None
    ]


def _save_rows(rows, user):
    """Save ``rows`` ({key: validated row}); returns [(row, action)]."""
    changed = []
    try:
        with transaction.atomic():
            for row in rows.values():
                changed.append((row, "create" if row._state.adding else "update"))
                _history_user(row, user)
                row.save()
    except IntegrityError:
        # Someone inserted one of these rows after it was validated: refused as stale, never a server error.
        raise RowsRefused({key: {"__all__": [_("该记录已被他人修改或删除。")]} for key in rows}, rows) from None
    return changed


@transaction.atomic
def records_write(model, *, user, changes):
    """Create or update several rows of ``model`` together, all or none, as ``record_create`` and
    ``record_update`` do each: scope check, full validation, version check, history, an audit entry a row.

    ``changes`` maps a caller's key (a grid cell) to ``(current, expected_version, data)``: ``current``
    is the row as the caller read it with ``select_for_update`` in this transaction (after sending
    ``write_begins``), or None for a new row built from ``data``. The towns are queued for recompute
    once, from the earliest change. Returns {key: saved row}; raises ``RowsRefused`` writing nothing.
    """
    errors, stale, rows, before = {}, set(), {}, []
    for key, (current, version, data) in changes.items():
        if current is not None:
            if version is None or current.version != int(version):
                errors[key] = {"__all__": [_("该记录已被他人修改或删除。")]}
                stale.add(key)
                continue
            before.append((town_of(current), changed_since(current)))
            for field, value in data.items():
                setattr(current, field, value)
        else:
            current = model(**data)
        rows[key] = current
    for key, row in rows.items():
        try:
            _require_edit(user, row)
            _full_clean(row, exclude=_held_relations(row))
        except PermissionDenied as denied:
            errors[key] = {"__all__": [str(denied)]}
        except ValidationError as error:
            errors[key] = error.message_dict
    if errors:
        raise RowsRefused(errors, stale)
    changed = _save_rows(rows, user)
    records_changed.send(sender=model, changes=changed, user=user)
    towns = [town for town, _since in before] + [town_of(row) for row in rows.values()]
    days = [since for _town, since in before] + [changed_since(row) for row in rows.values()]
    _touch(towns, _earliest(*days) if days else None, model)
    return rows
