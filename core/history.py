"""Who changed what and when, with old and new values, from django-simple-history."""

from core.ui_values import display_value


def history_rows(obj, limit=100):
    """Newest first: each change with its user, time, kind and the fields it changed."""
    manager = getattr(obj, "history", None)
    if manager is None:
        return None
    records = list(manager.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for record, previous in zip(records, [*records[1:], None], strict=False):
        rows.append(
            {
                "record": record,
                "changes": _changes(obj, record, previous),
            }
        )
    return rows[:limit]


def _changes(obj, record, previous):
    model = type(obj)
    if previous is None or record.history_type != "~":
        return []
    delta = record.diff_against(previous, excluded_fields=["version", "updated_at", "created_at"])
    return [
        {
            "label": model._meta.get_field(change.field).verbose_name,
            "old": display_value(model, change.field, change.old, obj),
            "new": display_value(model, change.field, change.new, obj),
        }
        for change in delta.changes
    ]
