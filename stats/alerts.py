"""Policy rules of the domain (DOMAIN.md section 4) evaluated over the ledger, and alert upkeep.

Each rule yields the breaches it finds as plain dicts; ``sync_alerts`` opens an alert for each new
breach, leaves open the ones still breached and closes the rest, so alerts close by themselves when
the data is corrected and their history stays.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window
from finance.models import FiscalYearRecord
from reforms.models import AssessmentScheme, ReformTask, Town, TownAnnualAssessment
from staffing.models import FilledPosts, PostType, Secondment, StaffingPolicy

from .figures import _in, _latest, _only, _table, compiled
from .models import Alert, AlertRule


def _breach(rule, subject_model, subject_id, *, region_id, town_id, since, key="", **params):
    return {
        "rule": rule,
        "model": subject_model,
        "subject_id": subject_id,
        "key": key,
        "region_id": region_id,
        "town_id": town_id,
        "since": since,
        "params": params,
    }


def _values(rule, as_of, town_ids, build):
    """The rows (dicts) of ``build(ids)``, a ``values()`` queryset over the towns ``ids`` (None: all).

    For a town's recompute on PostgreSQL its SQL is compiled once a day per rule (see
    ``figures.compiled``): Django compiling these nested querysets took longer than running them, and
    psycopg2 returns the same types as the ORM would. Elsewhere, and for the full run, the ORM runs it.
    """
    if town_ids is None or connection.vendor != "postgresql":
        return build(town_ids)
    sql, params = compiled(("alerts", rule, as_of), lambda ids: build(ids).query.sql_with_params(), town_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    return dt.date(year, month + 1, 28)


def _policies(as_of, town_ids):
    """{town id: (max secondment months, min service years)}: each town's policy in force on ``as_of``."""

    def build(ids):
        rows = _only(StaffingPolicy.objects.filter(effective_on__lte=as_of), "town_id", ids)
        return rows.order_by("town_id", "effective_on").values(
            "town_id", "max_secondment_months", "min_service_years_for_secondment"
        )

    return {
        r["town_id"]: (r["max_secondment_months"], r["min_service_years_for_secondment"])
        for r in _values("policies", as_of, town_ids, build)
    }


def secondment_breaches(as_of, town_ids):
    # Month arithmetic differs between databases; secondments are few, so it is done here.
    policies = _policies(as_of, town_ids)
    fields = ("pk", "town_id", "town__name", "town__county_id", "staff_reference", "joined_town_on", "starts_on")

    def build(ids):
        rows = _only(Secondment.objects.filter(starts_on__lte=as_of), "town_id", ids)
        return rows.values(*fields, "ends_on", "under_service_agreement")

    for s in _values("secondments", as_of, town_ids, build):
        limit, years = policies.get(s["town_id"], (6, 2))
        common = {"region_id": s["town__county_id"], "town_id": s["town_id"], "town": s["town__name"]}
        if s["ends_on"] > _add_months(s["starts_on"], limit):
            months = round((s["ends_on"] - s["starts_on"]).days / 30.44, 1)
            yield _breach(
                AlertRule.SECONDMENT_TOO_LONG,
                Secondment,
                s["pk"],
                since=_add_months(s["starts_on"], limit),
                staff=s["staff_reference"],
                months=months,
                limit=limit,
                **common,
            )
        if s["under_service_agreement"] or s["starts_on"] < _add_months(s["joined_town_on"], 12 * years):
            yield _breach(
                AlertRule.SECONDMENT_TOO_EARLY,
                Secondment,
                s["pk"],
                since=s["starts_on"],
                staff=s["staff_reference"],
                years=years,
                **common,
            )


def scheme_breaches(as_of, town_ids):
    if town_ids is not None:
        return
    schemes = AssessmentScheme.objects.filter(town_weight__lt=F("min_town_weight"), valid_from__lte=as_of)
    schemes = schemes.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
    for s in schemes.values("pk", "name", "region_id", "town_weight", "min_town_weight", "valid_from"):
        yield _breach(
            AlertRule.TOWN_WEIGHT_LOW,
            AssessmentScheme,
            s["pk"],
            region_id=s["region_id"],
            town_id=None,
            since=s["valid_from"],
            scheme=s["name"],
            weight=str(s["town_weight"]),
            minimum=str(s["min_town_weight"]),
        )


def overstaffing_breaches(as_of, town_ids):
    from staffing.models import HeadcountQuota

    approved = _latest(HeadcountQuota, "effective_on", as_of).filter(
        town=OuterRef("town"), post_type=OuterRef("post_type")
    )
    labels = dict(PostType.choices)
    fields = ("pk", "town_id", "town__name", "town__county_id", "post_type", "filled", "approved", "as_of")

    def build(ids):
        filled = _only(_latest(FilledPosts, "as_of", as_of), "town_id", ids).annotate(
            approved=Subquery(approved.values("approved")[:1])
        )
        return filled.filter(filled__gt=F("approved")).values(*fields)

    for f in _values("overstaffing", as_of, town_ids, build):
        yield _breach(
            AlertRule.OVERSTAFFED,
            FilledPosts,
            f["pk"],
            region_id=f["town__county_id"],
            town_id=f["town_id"],
            since=f["as_of"],
            town=f["town__name"],
            post_type=str(labels[f["post_type"]]),
            filled=f["filled"],
            approved=f["approved"],
        )


def fiscal_breaches(as_of, town_ids):
    town = "arrangement__town"
    fields = ("pk", f"{town}_id", f"{town}__name", f"{town}__county_id", "arrangement__title", "year", "due_on")

    def build(ids):
        records = FiscalYearRecord.objects.filter(due_on__lt=as_of, paid__lt=F("promised"))
        return _only(records, f"{town}_id", ids).values(*fields, "promised", "paid")

    for r in _values("fiscal", as_of, town_ids, build):
        yield _breach(
            AlertRule.FISCAL_UNPAID,
            FiscalYearRecord,
            r["pk"],
            region_id=r[f"{town}__county_id"],
            town_id=r[f"{town}_id"],
            since=r["due_on"],
            town=r[f"{town}__name"],
            title=r["arrangement__title"],
            year=r["year"],
            promised=str(r["promised"]),
            paid=str(r["paid"]),
        )


def assessment_breaches(as_of, town_ids):
    fail = TownAnnualAssessment.Grade.FAIL
    previous = TownAnnualAssessment.objects.filter(town=OuterRef("town"), year=OuterRef("year") - 1, grade=fail)
    rows = TownAnnualAssessment.objects.filter(grade=fail, year__lte=as_of.year).filter(Exists(previous))

    def build(ids):
        return _only(rows, "town_id", ids).values("pk", "town_id", "town__name", "town__county_id", "year")

    for a in _values("assessment", as_of, town_ids, build):
        yield _breach(
            AlertRule.ASSESSMENT_FAILED_TWICE,
            TownAnnualAssessment,
            a["pk"],
            region_id=a["town__county_id"],
            town_id=a["town_id"],
            since=dt.date(a["year"], 12, 31),
            town=a["town__name"],
            previous=a["year"] - 1,
            year=a["year"],
        )


def paper_only_breaches(as_of, town_ids):
    """Powers taken over yet unused by the town while the county department still handles cases.

    One statement: the department's window sums per power (a hash aggregate over its rows only), kept
    where positive, then the power's state (taken over, no town case accepted in the window: unused,
    as ``with_derived_state`` says).
    """
    first, last = activity_window(as_of)
    for pk, town_id, town, county_id, item, cases_n in _paper_only_rows(first, last, town_ids):
        yield _breach(
            AlertRule.PAPER_ONLY,
            DelegatedPower,
            pk,
            region_id=county_id,
            town_id=town_id,
            since=first,
            town=town,
            item=item,
            cases=cases_n,
        )


def _paper_only_rows(first, last, town_ids):
    cases, powers, by = _table(MonthlyCaseCount), _table(DelegatedPower), MonthlyCaseCount.HandledBy
    own = "" if town_ids is None else f" AND power_id IN (SELECT id FROM {powers} WHERE TRUE{_in('town_id', town_ids)})"  # noqa: S608 (identifiers from model metadata; values are parameters)
    sql = (
        f"SELECT p.id, p.town_id, t.name, t.county_id, i.name, d.dc FROM (SELECT power_id, SUM(accepted) AS dc "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"FROM {cases} WHERE handled_by = %s AND month BETWEEN %s AND %s{own} GROUP BY power_id "
        f"HAVING SUM(accepted) > 0) d JOIN {powers} p ON p.id = d.power_id "
        f"JOIN {_table(Town)} t ON t.id = p.town_id JOIN {_table(PowerItem)} i ON i.id = p.item_id "
        f"WHERE p.take_over_status = %s AND NOT EXISTS (SELECT 1 FROM {cases} c WHERE c.power_id = p.id "
        f"AND c.handled_by = %s AND c.month BETWEEN %s AND %s AND c.accepted > 0)"
    )
    params = [by.COUNTY_DEPARTMENT, first, last, *(town_ids or ()), DelegatedPower.TakeOverStatus.TAKEN_OVER]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, by.TOWN, first, last])
        return cursor.fetchall()


def task_breaches(as_of, town_ids):
    tasks = ReformTask.objects.filter(deadline__lt=as_of).exclude(status=ReformTask.Status.DONE)
    town = "plan__town"
    fields = ("pk", f"{town}_id", f"{town}__name", f"{town}__county_id", "title", "deadline")

    def build(ids):
        return _only(tasks, f"{town}_id", ids).values(*fields)

    for t in _values("tasks", as_of, town_ids, build):
        yield _breach(
            AlertRule.TASK_OVERDUE,
            ReformTask,
            t["pk"],
            region_id=t[f"{town}__county_id"],
            town_id=t[f"{town}_id"],
            since=t["deadline"],
            town=t[f"{town}__name"],
            task=t["title"],
            deadline=t["deadline"].isoformat(),
        )


RULES = [
    secondment_breaches,
    scheme_breaches,
    overstaffing_breaches,
    fiscal_breaches,
    assessment_breaches,
    paper_only_breaches,
    task_breaches,
]


def sync_alerts(as_of, town_ids=None):
    """Open, keep and close alerts so they match the breaches found now; returns rows written."""
    types = {}
    found = {}
    for rule in RULES:
        for b in rule(as_of, town_ids):
            if b["model"] not in types:
                types[b["model"]] = ContentType.objects.get_for_model(b["model"])
            ct = types[b["model"]]
            found[(b["rule"], ct.pk, b["subject_id"], b["key"])] = b
    open_alerts = Alert.objects.filter(is_open=True)
    if town_ids is not None:
        open_alerts = open_alerts.filter(town_id__in=town_ids)
    existing = {
        (a["rule"], a["subject_type_id"], a["subject_id"], a["key"]): a["pk"]
        for a in open_alerts.values("pk", "rule", "subject_type_id", "subject_id", "key")
    }
    cleared = [pk for key, pk in existing.items() if key not in found]
    if cleared:
        Alert.objects.filter(pk__in=cleared).update(is_open=False, closed_at=timezone.now())
    new = [
        Alert(
            rule=rule,
            subject_type_id=ct_id,
            subject_id=subject_id,
            key=key,
            region_id=b["region_id"],
            town_id=b["town_id"],
            since=b["since"],
            params=b["params"],
        )
        for (rule, ct_id, subject_id, key), b in found.items()
        if (rule, ct_id, subject_id, key) not in existing
    ]
    if new:
        Alert.objects.bulk_create(new, batch_size=2000)
    return len(cleared) + len(new)
