"""Write paths for delegation: the idempotent bulk upsert of monthly case counts."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_edit
from core.signals import town_touched
from reforms.models import Town

from .models import DelegatedPower, MonthlyCaseCount, case_month_in_range

# How often a batch is re-read and rewritten after a concurrent batch inserted one of its rows first.
WRITE_ATTEMPTS = 3


class BatchRejected(Exception):
    """A batch failed validation; ``errors`` maps each bad item's index to {field: [messages]}."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} item(s) rejected")
        self.errors = errors


@dataclass
class CaseCountResult:
    created: int
    updated: int
    unchanged: int


MONTH_PATTERN = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def parse_month(value):
    """'2025-03', a real date such as '2025-03-17', or a date → the first day of that month.

    None for anything else, including impossible dates ('2031-02-31'), which used to be cut to their
    month silently, and months outside the years case counts are kept for ('0001-01').
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        month = value.replace(day=1)
    else:
        text = str(value).strip()
        if not MONTH_PATTERN.fullmatch(text):
            return None
        try:
            month = dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01").replace(day=1)
        except ValueError:
            return None
    return month if case_month_in_range(month) else None


def _clean_count(value, field, errors):
    text = str(value).strip()
    if isinstance(value, bool) or not (isinstance(value, int) or text.lstrip("-").isdigit()):
        errors[field] = [_("必须是整数。")]
        return None
    if int(text) < 0:
        errors[field] = [_("不能为负数。")]
        return None
    try:
        # The column's own range (its validators), so a count the database cannot hold is a row error.
        cast(Field, MonthlyCaseCount._meta.get_field(field)).run_validators(int(text))
    except ValidationError as error:
        errors[field] = error.messages
        return None
    return int(text)


def _clean_row(row):
    """Normalise one item; returns (cleaned, errors)."""
    errors, cleaned = {}, {}
    cleaned["month"] = parse_month(row.get("month", ""))
    if cleaned["month"] is None:
        errors["month"] = [_("月份格式应为 YYYY-MM,且须是 2000 至 2099 年间真实存在的月份。")]
    cleaned["handled_by"] = row.get("handled_by") or MonthlyCaseCount.HandledBy.TOWN
    if cleaned["handled_by"] not in MonthlyCaseCount.HandledBy.values:
        errors["handled_by"] = [_("办理主体只能是 town 或 county_department。")]
    for field in ("accepted", "closed"):
        cleaned[field] = _clean_count(row.get(field, 0), field, errors)
    cleaned["power_id"] = row.get("power")
    cleaned["key"] = (str(row.get("town_code") or "").strip(), str(row.get("implementation_code") or "").strip())
    if not cleaned["power_id"] and not all(cleaned["key"]):
        errors["implementation_code"] = [_("请提供 power(下放事项编号),或同时提供 town_code 与 implementation_code。")]
    return cleaned, errors


def _resolve_powers(cleaned_rows):
    ids = {c["power_id"] for c in cleaned_rows if c["power_id"]}
    keys = {c["key"] for c in cleaned_rows if not c["power_id"] and all(c["key"])}
    q = Q(pk__in=[i for i in ids if str(i).isdigit()])
    for town_code, impl in keys:
        q |= Q(town__code=town_code, item__implementation_code=impl)
    powers = DelegatedPower.objects.filter(q).select_related("town", "item") if ids or keys else []
    by_id = {p.pk: p for p in powers}
    by_key = {(p.town.code, p.item.implementation_code): p for p in powers}
    return by_id, by_key


def _editable_town_codes(user, cleaned_rows):
    """The codes among the batch's town_codes that name a town ``user`` may change."""
    codes = {c["key"][0] for c in cleaned_rows if not c["power_id"] and c["key"][0]}
    return {town.code for town in Town.objects.filter(code__in=codes) if can_edit(user, town)}


def _unknown_power_error(cleaned, editable_towns):
    """The error of an item whose power is unknown or out of scope, under the field at fault.

    A town the user may not change reads exactly like a town that does not exist.
    """
    if cleaned["power_id"]:
        return {"power": [_("找不到该下放事项,或您无权修改。")]}
    if cleaned["key"][0] not in editable_towns:
        return {"town_code": [_("找不到该镇,或您无权修改。")]}
    return {"implementation_code": [_("该镇没有此实施编码的下放事项。")]}


@transaction.atomic
def case_counts_upsert(*, user, rows):
    """Write a batch of monthly counts whole, or refuse it whole with an error per bad item.

    Each item is keyed by power id, or by town code + implementation code, and by month and handler.
    Sending the same batch twice changes nothing the second time.
    """
    cleaned_rows, errors = [], {}
    for index, row in enumerate(rows):
        cleaned, row_errors = _clean_row(row)
        cleaned_rows.append(cleaned)
        if row_errors:
            errors[index] = row_errors
    by_id, by_key = _resolve_powers(cleaned_rows)
    editable_towns = _editable_town_codes(user, cleaned_rows)
    seen: dict[tuple, int] = {}  # (power, month, handler) -> index of the first item with it
    for index, cleaned in enumerate(cleaned_rows):
        if index in errors:
            continue
        power = by_id.get(int(cleaned["power_id"])) if cleaned["power_id"] else by_key.get(cleaned["key"])
        if power is None or not can_edit(user, power):
            # Out of scope reads as unknown, so a batch cannot probe other counties' records.
            errors[index] = _unknown_power_error(cleaned, editable_towns)
            continue
        unique = (power.pk, cleaned["month"], cleaned["handled_by"])
        if unique in seen:
            errors[index] = {"month": [_("与第 %(n)s 条重复(同一事项、同一月份)。") % {"n": seen[unique] + 1}]}
            continue
        seen[unique] = index
        cleaned["power"] = power
    if errors:
        raise BatchRejected(errors)
    return _write_retrying(cleaned_rows)


def _write_retrying(cleaned_rows):
    """Write the checked batch, again from a fresh read when a concurrent batch inserted one of its rows."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            # A savepoint: when a concurrent batch inserted one of these rows after our read, only this
            # attempt is undone; the next one reads that row (now committed) and updates or keeps it,
            # so both batches succeed and each reports honestly what it created.
            with transaction.atomic():
                return _write(cleaned_rows)
        except IntegrityError:
            if attempt == WRITE_ATTEMPTS:
                raise


def _write(cleaned_rows):
    """Insert the new rows, update the changed ones, count the rest; the existing rows are locked first."""
    existing = {
        (c.power_id, c.month, c.handled_by): c
        for c in MonthlyCaseCount.objects.select_for_update().filter(
            power__in={c["power"].pk for c in cleaned_rows}, month__in={c["month"] for c in cleaned_rows}
        )
    }
    to_create, to_update, unchanged, now = [], [], 0, timezone.now()
    for c in cleaned_rows:
        current = existing.get((c["power"].pk, c["month"], c["handled_by"]))
        if current is None:
            to_create.append(
                MonthlyCaseCount(
                    power=c["power"],
                    month=c["month"],
                    handled_by=c["handled_by"],
                    accepted=c["accepted"],
                    closed=c["closed"],
                )
            )
        elif (current.accepted, current.closed) != (c["accepted"], c["closed"]):
            current.accepted, current.closed, current.version = c["accepted"], c["closed"], current.version + 1
            current.updated_at = now
            to_update.append(current)
        else:
            unchanged += 1
    MonthlyCaseCount.objects.bulk_create(to_create, batch_size=1000)
    MonthlyCaseCount.objects.bulk_update(to_update, ["accepted", "closed", "version", "updated_at"], batch_size=1000)
    town_ids = {row.power.town_id for row in to_create + to_update}
    if town_ids:
        transaction.on_commit(lambda: town_touched.send(sender=None, town_ids=town_ids))
    return CaseCountResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)
