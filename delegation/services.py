"""Write paths for delegation: the idempotent bulk upsert of monthly case counts, withdrawals of powers,
a town's score sheet entered item by item."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_edit
from core.services import record_create, record_import, record_update, towns_touched
from core.signals import write_begins
from reforms.models import Town

from .models import DelegatedPower, InspectionScore, ItemPoints, MonthlyCaseCount, clean_case_count

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


def _clean_row(row):
    """Normalise one item (``clean_case_count``) and check it names its power; returns (cleaned, errors)."""
    cleaned, errors = clean_case_count(row)
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
def case_counts_upsert(*, user, rows, what="case_counts_bulk"):
    """Write a batch of monthly counts whole, or refuse it whole with an error per bad item.

    Each item is keyed by power id, or by town code + implementation code, and by month and handler.
    Sending the same batch twice changes nothing the second time. A written batch leaves one audit
    entry (``what`` names its source: the bulk API or the spreadsheet import) and queues its towns.
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
    # The audit chain's lock before the rows' locks, in the order every other writer takes them.
    write_begins.send(sender=MonthlyCaseCount)
    result = _write_retrying(cleaned_rows)
    record_import(user=user, what=what, created=result.created, updated=result.updated)
    return result


def _write_retrying(cleaned_rows):
    """Write the checked batch, again from a fresh read when a concurrent batch inserted one of its rows."""
    # A savepoint each: when a concurrent batch inserted one of these rows after our read, only that
    # attempt is undone; the next one reads the row (now committed) and updates or keeps it, so both
    # batches succeed and each reports honestly what it created.
    for _attempt in range(WRITE_ATTEMPTS - 1):
        try:
            with transaction.atomic():
                return _write(cleaned_rows)
        except IntegrityError:
            continue
    with transaction.atomic():
        return _write(cleaned_rows)


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
            current.accepted, current.closed, current.updated_at = c["accepted"], c["closed"], now
            current.bump_version()
            to_update.append(current)
        else:
            unchanged += 1
    MonthlyCaseCount.objects.bulk_create(to_create, batch_size=1000)
    MonthlyCaseCount.objects.bulk_update(to_update, ["accepted", "closed", "version", "updated_at"], batch_size=1000)
    # Each town's figures changed from the earliest month written for it on.
    since: dict[int, dt.date] = {}
    for row in to_create + to_update:
        town = row.power.town_id
        since[town] = min(since.get(town, row.month), row.month)
    towns_touched(since, since=since)
    return CaseCountResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


def power_withdraw(*, user, power, withdrawn_on, reason, document=None, edition=None, expected_version=None):
    """Withdraw (收回) ``power`` from its town on ``withdrawn_on``: it is in force until the day before.

    ``edition`` is the later catalogue edition that takes it back, whose document stands for the
    withdrawal's when none is given. The item may be delegated to the town again from that day.
    """
    if document is None and edition is not None:
        document = edition.document
    data = {
        "withdrawn_on": withdrawn_on,
        "withdrawal_reason": reason,
        "withdrawal_document": document,
        "withdrawn_in": edition,
    }
    return record_update(power, user=user, data=data, expected_version=expected_version)


class ScoreSheetRejected(Exception):
    """A score sheet failed validation; ``errors`` maps each bad item's id to its message, naming it."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} item(s) rejected")
        self.errors = errors


def _score_sheet_errors(items, points):
    """{item id: message} of the items left blank or scored outside 0 … their maximum."""
    errors = {}
    for item in items:
        value = points.get(item.pk)
        if value is None:
            errors[item.pk] = _("请填写“%(item)s”的得分。") % {"item": item.name}
        elif not 0 <= value <= item.max_points:
            errors[item.pk] = _("“%(item)s”得分 %(points)s 应在 0 至该项分值 %(max)s 之间。") % {
                "item": item.name,
                "points": value,
                "max": item.max_points,
            }
    if not items:
        errors[None] = _("本轮检查还没有评分项目,请先添加评分细则。")
    return errors


@transaction.atomic
def score_sheet_save(*, user, inspection, town, points, remarks=""):
    """Record ``town``'s points on every item of ``inspection``'s score sheet at once (``points``:
    {item id: points}); its score is their sum, graded by the round's bands.

    Every item must be scored, within 0 and its maximum; otherwise nothing is written and
    ``ScoreSheetRejected`` names each item at fault. Each item's points keep their history.
    """
    items = list(inspection.score_items.all())
    errors = _score_sheet_errors(items, points)
    if errors:
        raise ScoreSheetRejected(errors)
    score = InspectionScore.objects.filter(inspection=inspection, town=town, power__isnull=True).first()
    total = sum(points[item.pk] for item in items)
    if score is None:
        data = {"inspection": inspection, "town": town, "score": total, "remarks": remarks}
        score = record_create(InspectionScore, user=user, data=data)
    existing = {row.item_id: row for row in score.item_points.all()}
    for item in items:
        row = existing.get(item.pk)
        if row is None:
            record_create(ItemPoints, user=user, data={"score": score, "item": item, "points": points[item.pk]})
        elif row.points != points[item.pk]:
            record_update(row, user=user, data={"points": points[item.pk]})
    score.refresh_from_db()
    if score.remarks != remarks:
        score = record_update(score, user=user, data={"remarks": remarks})
    return score
