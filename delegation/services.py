"""Write paths for delegation: the idempotent bulk upsert of monthly case counts, withdrawals of powers,
a town's score sheet entered item by item."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_edit
from core.services import RowsRefused, record_create, record_import, record_update, records_write, towns_touched
from core.signals import write_begins
from reforms.models import Town

from .models import DelegatedPower, InspectionScore, ItemPoints, MonthlyCaseCount, clean_case_count

# How often a batch is re-read and rewritten after a concurrent batch inserted one of its rows first.
WRITE_ATTEMPTS = 3


class BatchRejected(Exception):
    """A batch failed validation; ``errors`` maps each bad item's index to {field: [messages]}."""

    def __init__(self, errors, outcomes=None):
        super().__init__(f"{len(errors)} item(s) rejected")
        self.errors = errors
        # What each good item would have done ({index: CaseCountOutcome}), for a preview of the batch.
        self.outcomes = outcomes or {}


@dataclass
class CaseCountOutcome:
    """What one item of a batch does: ``status`` new, changed or unchanged; ``old`` (accepted, closed) or None."""

    status: str
    power: DelegatedPower
    month: dt.date
    handled_by: str
    old: tuple | None
    new: tuple


@dataclass
class CaseCountResult:
    created: int
    updated: int
    unchanged: int
    outcomes: list = field(default_factory=list)  # a CaseCountOutcome per item, in the batch's order


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
        good = {index: cleaned for index, cleaned in enumerate(cleaned_rows) if index not in errors}
        existing = _existing(list(good.values()), lock=False)
        raise BatchRejected(errors, {index: _outcome(c, existing) for index, c in good.items()})
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


def _existing(cleaned_rows, lock):
    """{(power, month, handler): saved row} of the batch's keys; locked for the write when ``lock``."""
    if not cleaned_rows:
        return {}
    rows = MonthlyCaseCount.objects.filter(
        power__in={c["power"].pk for c in cleaned_rows}, month__in={c["month"] for c in cleaned_rows}
    )
    return {(c.power_id, c.month, c.handled_by): c for c in (rows.select_for_update() if lock else rows)}


def _outcome(c, existing):
    current = existing.get((c["power"].pk, c["month"], c["handled_by"]))
    new = (c["accepted"], c["closed"])
    old = (current.accepted, current.closed) if current is not None else None
    status = "new" if old is None else "unchanged" if old == new else "changed"
    return CaseCountOutcome(status, c["power"], c["month"], c["handled_by"], old, new)


def _write(cleaned_rows):
    """Insert the new rows, update the changed ones, count the rest; the existing rows are locked first."""
    existing = _existing(cleaned_rows, lock=True)
    outcomes = [_outcome(c, existing) for c in cleaned_rows]
    to_create, to_update, unchanged, now = [], [], 0, timezone.now()
    since: dict[int, dt.date] = {}
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
            continue
        # Each town's figures changed from the earliest month written for it on; the town is the batch's
        # resolved power's (the saved row's power would be read again, one query per row).
        town = c["power"].town_id
        since[town] = min(since.get(town, c["month"]), c["month"])
    MonthlyCaseCount.objects.bulk_create(to_create, batch_size=1000)
    # The changed rows, locked above, in one INSERT … ON CONFLICT (id) DO UPDATE: bulk_update's CASE per
    # row and column cost more than the rest of a 20-row batch.
    MonthlyCaseCount.objects.bulk_create(
        to_update,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=["accepted", "closed", "version", "updated_at"],
    )
    towns_touched(since, since=since, calls_changed=False)
    return CaseCountResult(created=len(to_create), updated=len(to_update), unchanged=unchanged, outcomes=outcomes)


class RowRefused(Exception):
    """A grid row was refused whole; ``errors`` maps each refused month (1–12) to its messages."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} month(s) refused")
        self.errors = errors


def _typed_count(text):
    return str(text if text is not None else "").strip()


def _stale_message(current):
    if current is None:
        return _("该月记录已被他人删除,本行未保存;请刷新后重新填写。")
    return _("该月已被他人修改(现为受理 %(a)s、办结 %(c)s),本行未保存;请核对后重新填写。") % {
        "a": current.accepted,
        "c": current.closed,
    }


def _count_labels():
    return {f.name: f.verbose_name for f in MonthlyCaseCount._meta.concrete_fields if f.name in ("accepted", "closed")}


def _grid_cell(current, typed, month_first, handled_by, labels):
    """(errors, change) of one typed month of a grid row; change is ``records_write``'s (pk, version, data)."""
    if (str(current.version) if current else "") != _typed_count(typed.get("version")):
        return [_stale_message(current)], None
    accepted, closed = _typed_count(typed.get("accepted")), _typed_count(typed.get("closed"))
    if not accepted and not closed:
        return ([_("该月已有记录,不能清空;没有办件请填 0。")] if current else []), None
    values = {"month": month_first, "handled_by": handled_by, "accepted": accepted or 0, "closed": closed or 0}
    cleaned, problems = clean_case_count(values)
    if problems:
        return [f"{labels.get(f, f)}:{' '.join(map(str, m))}" for f, m in problems.items()], None
    counts = {"accepted": cleaned["accepted"], "closed": cleaned["closed"]}
    if current is None:
        return [], (None, None, {"month": cleaned["month"], "handled_by": handled_by, **counts})
    if (current.accepted, current.closed) == (counts["accepted"], counts["closed"]):
        return [], None
    return [], (current, current.version, counts)


@transaction.atomic
def case_count_row_save(*, user, power, year, cells, handled_by=MonthlyCaseCount.HandledBy.TOWN):
    """Save one power's counts for months of ``year`` (a row of the entry grid), whole or not at all.

    ``cells`` maps a month (1–12) to what the clerk typed: ``accepted``, ``closed`` (blank is 0, both
    blank on a month without a record is nothing) and the ``version`` the grid showed (blank: no record
    then). A month someone saved or deleted since is refused, as is a bad count; either refuses the whole
    row. The rows go through ``core.services.records_write``: the single form's validation, history,
    audit, and one recompute of the town. Returns the number of months written.
    """
    if not can_edit(user, power):
        raise PermissionDenied(_("您无权修改此记录。"))
    write_begins.send(sender=MonthlyCaseCount)
    existing = {
        row.month.month: row
        for row in MonthlyCaseCount.objects.select_for_update().filter(
            power=power, handled_by=handled_by, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
        )
    }
    for row in existing.values():
        row.power = power  # the power the caller holds: its town and item are read once for the row, not a month
    labels = _count_labels()
    errors: dict[int, list] = {}
    changes: dict[int, tuple] = {}
    for month, typed in sorted(cells.items()):
        cell_errors, change = _grid_cell(existing.get(month), typed, dt.date(year, month, 1), handled_by, labels)
        if cell_errors:
            errors[month] = cell_errors
        elif change is not None:
            current, version, data = change
            changes[month] = (current, version, data if current else {"power": power, **data})
    if errors:
        raise RowRefused(errors)
    if not changes:
        return 0
    try:
        records_write(MonthlyCaseCount, user=user, changes=changes)
    except RowsRefused as refused:
        raise RowRefused(
            {
                month: [f"{labels[f]}:{' '.join(m)}" if f in labels else " ".join(m) for f, m in by_field.items()]
                for month, by_field in refused.errors.items()
            }
        ) from None
    return len(changes)


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
