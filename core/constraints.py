"""Where a database constraint's message belongs: at the field it is about, not above the record."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, Q, UniqueConstraint


def _condition_fields(q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _condition_fields(child)
        else:
            yield child[0].split("__")[0]


def constraint_fields(model):
    """{constraint message: the field it is shown at}: the last field the constraint names."""
    targets = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            names = list(constraint.fields)
        elif isinstance(constraint, CheckConstraint):
            names = list(_condition_fields(constraint.condition))
        else:
            continue
        if names:
            targets[str(constraint.get_violation_error_message())] = names[-1]
    return targets


def errors_at_fields(model, error):
    """``error`` (from full_clean) with each constraint's message moved to the field it names."""
    errors = dict(error.message_dict) if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    targets = constraint_fields(model)
    kept = []
    for message in errors.pop(NON_FIELD_ERRORS, []):
        field = targets.get(message)
        if field is None:
            kept.append(message)
        else:
            errors.setdefault(field, []).append(message)
    if kept:
        errors[NON_FIELD_ERRORS] = kept
    return ValidationError(errors)
