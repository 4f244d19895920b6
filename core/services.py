"""Write paths shared by every app: scope checks, validation, optimistic locking, history, recompute.

Each app's ``services.py`` calls these for plain records and adds functions of its own where a write
carries domain logic (bulk case counts, rebates due by rule). Views and the API never save models
themselves.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.constraints import errors_at_fields
from core.scoping import can_edit, town_of
from core.signals import data_imported, record_changed, town_touched, write_begins


class VersionConflict(Exception):
    """Someone saved the record after the caller read it; carries the current copy."""

    def __init__(self, current):
        super().__init__(f"{current!r} changed since it was read")
        self.current = current


def _require_edit(user, instance):
    if not can_edit(user, instance):
        raise PermissionDenied(_("您无权修改此记录。"))


def towns_touched(town_ids):
    """After commit, tell listeners (the statistics engine) that these towns changed.

    Every write path ends here, so a rolled-back write queues no recompute and a committed one always does.
    """
    town_ids = set(town_ids) - {None}
    if town_ids:
        transaction.on_commit(lambda: town_touched.send(sender=None, town_ids=town_ids))


def _touch(*instances):
    towns_touched(town.pk for town in map(town_of, instances) if town is not None)


def record_import(*, user, what, created, updated):
    """Audit an import or bulk write (``what`` names it) inside its transaction, with its row counts.

    A preview or a refused file rolls the transaction back, and the entry with it.
    """
    data_imported.send(sender=None, user=user, what=what, created=created, updated=updated)


def _full_clean(instance):
    """Validate ``instance`` whole; a constraint's refusal is reported at the field it is about."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise errors_at_fields(type(instance), error, instance) from None


def _announce(instance, user, action):
    record_changed.send(sender=type(instance), instance=instance, user=user, action=action)


def _history_user(instance, user):
    # django-simple-history records who made the change; outside a request it cannot know.
    instance._history_user = user


def _lock_current(instance, user, expected_version):
    """The row as saved now, locked for this transaction, after the scope and version checks."""
    write_begins.send(sender=type(instance))
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
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
    _touch(instance)
    return instance


@transaction.atomic
def record_update(instance, *, user, data, expected_version=None):
    """Apply ``data`` if nobody saved the row since ``expected_version``.

    The row is locked first so that two concurrent saves cannot both pass the version check; the
    scope is checked before and after, so a row cannot be moved out of the editor's county.
    """
    current = _lock_current(instance, user, expected_version)
    before = town_of(current)
    for field, value in data.items():
        setattr(current, field, value)
    _require_edit(user, current)
    _full_clean(current)
    _history_user(current, user)
    current.save()
    _announce(current, user, "update")
    _touch(current, *([before] if before else []))
    return current


@transaction.atomic
def record_delete(instance, *, user, expected_version=None):
    """Delete the row if nobody saved it since ``expected_version``; its history keeps the last copy."""
    current = _lock_current(instance, user, expected_version)
    town = town_of(current)
    _history_user(current, user)
    _announce(current, user, "delete")
    current.delete()
    if town is not None:
        _touch(town)
