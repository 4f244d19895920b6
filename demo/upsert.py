"""Idempotent writes for the demo loader: a second run changes no row, bumps no version."""


def upsert(model, lookup, **values):
    """Create the row matching ``lookup`` or bring it to ``values``; save only on a real change."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
    return obj
