"""Write helpers shared by every app's services: validation, optimistic locking."""

from django.db import transaction


class VersionConflict(Exception):
    """Someone saved the record after the caller read it; carries the current copy."""

    def __init__(self, current):
        super().__init__(f"{current!r} changed since it was read")
        self.current = current


def validated_create(model, **fields):
    """Create a row after full validation, so constraints yield messages, not database errors."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def validated_update(instance, *, data, expected_version=None):
    """Apply ``data`` to ``instance`` if nobody saved it since ``expected_version``.

    The row is locked first so that two concurrent saves cannot both pass the version check.
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise VersionConflict(current)
    for field, value in data.items():
        setattr(current, field, value)
    current.full_clean()
    current.save()
    return current
