"""Where a database constraint's message belongs: at the field it is about, not above the record."""

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import CheckConstraint, Q, UniqueConstraint


def _condition_fields(q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _condition_fields(child)
        else:
            yield child[0].split("__")[0]


def _and_parts(q):
    """The parts of a condition that must all hold; an OR of alternatives stays one part."""
    if q.connector != Q.AND or q.negated:
        yield q
        return
    for child in q.children:
        if isinstance(child, Q):
            yield from _and_parts(child)
        else:
            yield Q(child)


def failing_fields(constraint, instance):
    """The fields whose own part of ``constraint``'s condition ``instance`` breaks, in the order named.

    A check such as "every weight between 0 and 100" is one constraint over three fields; the clerk
    needs the message at the weight that is wrong, not at the last one the constraint happens to name.
    """
    against = instance._get_field_expression_map(meta=instance._meta)
    fields = []
    for part in _and_parts(constraint.condition):
        try:
            holds = part.check(against, using=DEFAULT_DB_ALIAS)
        except FieldError:
            continue
        if not holds:
            fields += [f for f in dict.fromkeys(_condition_fields(part)) if f not in fields]
    return fields


def _default_fields(model, constraint):
    """The field a constraint's message goes to without knowing the row: declared, else the last named."""
    declared = getattr(model, "constraint_error_fields", {}).get(constraint.name)
    if declared:
        return [declared]
    if isinstance(constraint, UniqueConstraint):
        names = list(constraint.fields)
    elif isinstance(constraint, CheckConstraint):
        names = list(_condition_fields(constraint.condition))
    else:
        names = []
    return names[-1:]


def fields_read(model, constraint):
    """The names of the fields ``constraint`` reads (its fields, its condition's and their F()s);
    every field of ``model`` where that cannot be told (a boolean expression, an expression index)."""
    condition = getattr(constraint, "condition", None)
    plain = condition is None or isinstance(condition, Q)
    if not plain or not isinstance(constraint, CheckConstraint | UniqueConstraint) or constraint.contains_expressions:
        return {field.name for field in model._meta.concrete_fields}
    names = {*getattr(constraint, "fields", ()), *(condition.referenced_base_fields if condition else ())}
    return {model._meta.pk.name if name == "pk" else model._meta.get_field(name).name for name in names}


def constraint_fields(model, instance=None):
    """{constraint message: the fields it is shown at}; with ``instance``, the fields it actually breaks."""
    targets = {}
    declared = getattr(model, "constraint_error_fields", {})
    for constraint in model._meta.constraints:
        fields = _default_fields(model, constraint)
        # A declared field wins: an "either ... or" check is about the field the clerk has to fill in.
        if instance is not None and isinstance(constraint, CheckConstraint) and constraint.name not in declared:
            fields = failing_fields(constraint, instance) or fields
        if fields:
            targets[str(constraint.get_violation_error_message())] = fields
    return targets


def errors_at_fields(model, error, instance=None):
    """``error`` (from full_clean) with each constraint's message moved to the fields it is about."""
    errors = dict(error.message_dict) if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    targets = constraint_fields(model, instance)
    kept = []
    for message in errors.pop(NON_FIELD_ERRORS, []):
        fields = targets.get(message)
        if not fields:
            kept.append(message)
        for field in fields or []:
            errors.setdefault(field, []).append(message)
    if kept:
        errors[NON_FIELD_ERRORS] = kept
    return ValidationError(errors)
