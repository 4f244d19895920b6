"""Alert upkeep in SQL: the params and messages the former Python rules wrote, clamped month arithmetic,
the sync's scope and the open-once constraint."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone, translation

from delegation.models import MonthlyCaseCount
from delegation.selectors import activity_window
from reforms.models import AssessmentScheme, ReformTask, Region
from staffing.models import HeadcountQuota, PostType, StaffingPolicy
from stats.alerts import (
    found_rows,
    overstaffing_breaches,
    secondment_breaches,
    sync_alerts,
    sync_statement,
    untrained_breaches,
)
from stats.models import Alert, AlertRule
from tests import factories as f
from tests.plans import plan_nodes

pytestmark = pytest.mark.django_db

D = dt.date

# Messages of the demo's alerts as the former Python rules wrote them (one or two per rule).
FORMER_MESSAGES = [
    "万源市试点镇在 2023 年和 2024 年连续考核不合格。",
    "烟店镇的“财政收入超收县级留成全额返还”2024 年度承诺 1,920 万元,逾期已兑现 1,500 万元。",
    "广通镇的“五年激励:超过前五年平均收入部分50%返还,另每年300–500万元”2017 年度承诺 300 万元,逾期已兑现 0 万元。",
    "古云镇的行政编制实有 46 人,超过核定数 45。",
    "烟店镇的人员 YD-2024-003 在镇工作未满 2 年或处于服务协议期内即被借调。",
    "古云镇的人员 GY-2023-007 在镇工作未满 2 年或处于服务协议期内即被借调。",
    "古云镇的人员 GY-2020-021 借调 12.0 个月,超过规定的 6 个月。",
    "烟店镇的任务“建立财政超收激励体制”已过完成时限 2020-06-30 仍未完成。",
]


def _messages(**filters):
    return {a.message_in("zh-hans") for a in Alert.objects.filter(is_open=True, **filters)}


def _paper_only_message():
    """The paper-only alert's message for one demo power: its county cases are those of the last 12 months,
    so the count follows the calendar (the demo's cases are dated in calendar time, not from the loading day).
    """
    first, last = activity_window(timezone.localdate())
    cases = MonthlyCaseCount.objects.filter(
        power__item__name="烟店镇行政处罚事项第64项", handled_by="county_department", month__range=(first, last)
    )
    n = cases.aggregate(n=Sum("accepted"))["n"]
    return f"烟店镇已承接“烟店镇行政处罚事项第64项”,近12个月镇里无办件,县直部门仍办理 {n} 件。"


def test_the_demos_alerts_read_as_the_former_python_rules_wrote_them(demo):
    assert {*FORMER_MESSAGES, _paper_only_message()} <= _messages()
    assert {a.rule for a in Alert.objects.filter(is_open=True)} == set(AlertRule.values) - {AlertRule.TOWN_WEIGHT_LOW}
    AssessmentScheme.objects.filter(name="济宁市县直部门考核(镇街评价)").update(town_weight=25, county_weight=75)
    assert sync_alerts(timezone.localdate()) == 1
    expected = "考核方案“济宁市县直部门考核(镇街评价)”的镇级权重 25% 低于规定下限 30%。"
    assert _messages(rule=AlertRule.TOWN_WEIGHT_LOW) == {expected}


def _policy(town, today):
    policy = StaffingPolicy.objects.filter(town=town, effective_on__lte=today).order_by("-effective_on").first()
    return (policy.max_secondment_months, policy.min_service_years_for_secondment) if policy else (6, 2)


def _former_params(alert, today):
    """The params the former Python rules computed for ``alert``'s subject, read with the ORM."""
    s = alert.subject
    match alert.rule:
        case AlertRule.SECONDMENT_TOO_LONG:
            months = round((s.ends_on - s.starts_on).days / 30.44, 1)
            limit = _policy(s.town, today)[0]
            return {"town": s.town.name, "staff": s.staff_reference, "months": months, "limit": limit}
        case AlertRule.SECONDMENT_TOO_EARLY:
            return {"town": s.town.name, "staff": s.staff_reference, "years": _policy(s.town, today)[1]}
        case AlertRule.TOWN_WEIGHT_LOW:
            return {"scheme": s.name, "weight": str(s.town_weight), "minimum": str(s.min_town_weight)}
        case AlertRule.OVERSTAFFED:
            quotas = HeadcountQuota.objects.filter(town=s.town, post_type=s.post_type, effective_on__lte=today)
            approved = quotas.order_by("-effective_on").first().approved
            label = str(dict(PostType.choices)[s.post_type])
            return {"town": s.town.name, "post_type": label, "filled": s.filled, "approved": approved}
        case AlertRule.FISCAL_UNPAID:
            a = s.arrangement
            return {
                "town": a.town.name,
                "title": a.title,
                "year": s.year,
                "promised": str(s.promised),
                "paid": str(s.paid),
            }
        case AlertRule.ASSESSMENT_FAILED_TWICE:
            return {"town": s.town.name, "previous": s.year - 1, "year": s.year}
        case AlertRule.PAPER_ONLY:
            counts = MonthlyCaseCount.objects.filter(
                power=s, handled_by=MonthlyCaseCount.HandledBy.COUNTY_DEPARTMENT, month__range=activity_window(today)
            )
            return {"town": s.town.name, "item": s.item.name, "cases": counts.aggregate(n=Sum("accepted"))["n"]}
        case AlertRule.TASK_OVERDUE:
            return {"town": s.plan.town.name, "task": s.title, "deadline": s.deadline.isoformat()}
        case AlertRule.UNTRAINED | AlertRule.RECTIFICATION_OVERDUE:
            return _oversight_params(alert.rule, s)
        case _:
            return _call_params(alert.rule, s, today)


def _oversight_params(rule, s):
    if rule == AlertRule.UNTRAINED:
        return {"town": s.town.name, "item": s.item.name, "delegated": s.delegated_on.isoformat()}
    return {
        "town": s.town.name,
        "inspection": s.inspection.title,
        "finding": s.description,
        "deadline": s.deadline.isoformat(),
    }


def _call_params(rule, s, today):
    """The params of call-and-respond's rules (territory.alerts)."""
    if rule == AlertRule.DEPARTMENT_LATE:
        return _department_late_params(s, today)
    if rule == AlertRule.ITEM_NO_MAIN_UNIT:
        return {"list": s.responsibility_list.title, "number": s.number, "item": s.name}
    return {"town": s.town.name, "department": s.department.name, "subject": s.subject}


def _department_late_params(department, today):
    from territory.models import CallPolicy

    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    calls = department.calls.filter(close_due__gte=end - dt.timedelta(days=91), close_due__lt=min(end, timezone.now()))
    on_time = sum(1 for c in calls if c.closed_at is not None and c.closed_at <= c.close_due)
    policy = CallPolicy.objects.filter(county=department.county).first()
    threshold = policy.on_time_threshold if policy else 80
    return {"department": department.name, "rate": on_time * 100 // calls.count(), "threshold": threshold}


def _typed(params):
    # 12 == 12.0 == Decimal(12): the types must match too, the messages format them.
    return {key: (value, type(value)) for key, value in params.items()}


def test_every_alerts_params_have_the_values_and_json_types_the_python_rules_gave(demo):
    today = timezone.localdate()
    AssessmentScheme.objects.filter(name="济宁市县直部门考核(镇街评价)").update(town_weight=25, county_weight=75)
    sync_alerts(today)
    alerts = list(Alert.objects.filter(is_open=True))
    assert {a.rule for a in alerts} == set(AlertRule.values)
    for alert in alerts:
        assert _typed(alert.params) == _typed(_former_params(alert, today)), alert.rule


def test_the_open_alerts_are_exactly_the_breaches_found_column_for_column(demo):
    today = timezone.localdate()
    columns = ("rule", "subject_type_id", "subject_id", "key", "region_id", "town_id", "since", "params")

    def row(r):
        return (*(r[c] for c in columns[:6]), str(r["since"]), json.dumps(r["params"], sort_keys=True))

    alerts = Alert.objects.filter(is_open=True).values(*columns)
    assert sorted(map(row, alerts)) == sorted(map(row, found_rows(today)))
    assert sync_alerts(today) == 0


@pytest.fixture
def town(db):
    county = Region.objects.get(code="371581")
    return f.TownFactory(county=county, code="371581199000", name="测试镇")


def _alerts(town, rule):
    return {a.subject_id: a for a in Alert.objects.filter(town=town, rule=rule, is_open=True)}


def test_secondment_limits_are_clamped_to_the_end_of_the_month(demo, town):
    f.StaffingPolicyFactory(town=town, effective_on=D(2019, 1, 1), max_secondment_months=1)
    joined = D(2015, 1, 1)
    # Jan 31 + 1 month is Feb 29 (2024): a day past it breaches, the day itself does not.
    over = f.SecondmentFactory(town=town, joined_town_on=joined, starts_on=D(2024, 1, 31), ends_on=D(2024, 3, 1))
    f.SecondmentFactory(town=town, joined_town_on=joined, starts_on=D(2024, 1, 31), ends_on=D(2024, 2, 29))
    assert sync_alerts(timezone.localdate(), [town.pk]) == 1
    alert = _alerts(town, AlertRule.SECONDMENT_TOO_LONG)[over.pk]
    assert alert.since == D(2024, 2, 29)
    assert alert.message_in("zh-hans") == f"测试镇的人员 {over.staff_reference} 借调 1.0 个月,超过规定的 1 个月。"
    assert _typed(alert.params)["months"] == (1.0, float)


def test_secondment_limits_count_from_the_same_day_of_the_month(demo, town):
    # No policy: 6 months, 2 years. Jan 15 + 6 months is Jul 15 (the former Python rule took the 28th
    # of the month for any day before the 28th, so it let these two through and flagged the third).
    joined = D(2015, 1, 1)
    over = f.SecondmentFactory(town=town, joined_town_on=joined, starts_on=D(2025, 1, 15), ends_on=D(2025, 7, 16))
    long = f.SecondmentFactory(town=town, joined_town_on=joined, starts_on=D(2023, 8, 31), ends_on=D(2024, 3, 1))
    recent = D(2023, 1, 10)
    f.SecondmentFactory(town=town, joined_town_on=recent, starts_on=D(2025, 1, 10), ends_on=D(2025, 2, 1))
    early = f.SecondmentFactory(town=town, joined_town_on=recent, starts_on=D(2025, 1, 9), ends_on=D(2025, 2, 1))
    sync_alerts(timezone.localdate(), [town.pk])
    too_long = _alerts(town, AlertRule.SECONDMENT_TOO_LONG)
    assert {pk: a.since for pk, a in too_long.items()} == {over.pk: D(2025, 7, 15), long.pk: D(2024, 2, 29)}
    assert too_long[long.pk].message_in("zh-hans").endswith("借调 6.0 个月,超过规定的 6 个月。")
    assert too_long[over.pk].params["months"] == round(182 / 30.44, 1)
    assert set(_alerts(town, AlertRule.SECONDMENT_TOO_EARLY)) == {early.pk}


def test_decimals_keep_two_places_whatever_their_value(demo, town):
    arrangement = f.FiscalArrangementFactory(town=town, title="测试返还")
    f.FiscalYearRecordFactory(
        arrangement=arrangement, year=2023, promised=Decimal("1234567.5"), paid=Decimal("0.05"), due_on=D(2024, 3, 31)
    )
    sync_alerts(timezone.localdate(), [town.pk])
    expected = "测试镇的“测试返还”2023 年度承诺 123.45675 万元,逾期已兑现 0.000005 万元。"
    assert _messages(town=town, rule=AlertRule.FISCAL_UNPAID) == {expected}


def test_post_type_labels_are_in_the_language_active_during_the_sync(demo):
    today = timezone.localdate()
    alert = Alert.objects.get(rule=AlertRule.OVERSTAFFED, is_open=True)
    for language, label in (("en", "Administrative posts"), ("zh-hans", "行政编制"), ("en", "Administrative posts")):
        with translation.override(language):
            (row,) = found_rows(today, [alert.town_id], [overstaffing_breaches])
        assert row["params"]["post_type"] == label


def test_a_town_run_closes_and_opens_its_towns_alerts_only(demo):
    today = timezone.localdate()
    overdue = Alert.objects.filter(rule=AlertRule.TASK_OVERDUE, town__code__in=["371581109000", "371522106000"])
    statuses = dict(ReformTask.objects.filter(pk__in=overdue.values("subject_id")).values_list("pk", "status"))
    town = overdue.filter(town__code="371581109000")
    closed = town.count()
    assert closed > 0
    ReformTask.objects.filter(pk__in=statuses).update(status=ReformTask.Status.DONE, completed_on=today)
    assert sync_alerts(today, [town[0].town_id]) == closed
    assert not town.filter(is_open=True).exists()
    assert all(a.closed_at is not None for a in town.all())
    assert overdue.filter(is_open=True).exists()  # the other town's: not in this run's scope
    for pk, status in statuses.items():
        ReformTask.objects.filter(pk=pk).update(status=status, completed_on=None)
    assert sync_alerts(today, [town[0].town_id]) == closed
    assert town.filter(is_open=True).count() == closed  # new alerts; the closed ones stay as history
    assert town.count() == 2 * closed
    assert sync_alerts(today, [town[0].town_id]) == 0


def test_a_breach_open_under_another_town_is_neither_duplicated_nor_closed_by_this_towns_run(demo):
    # The open-once constraint spans every town: a breach whose open alert names another town (the
    # subject moved) is not opened twice; the other town's run closes it, and this town's reopens it.
    today = timezone.localdate()
    alert = Alert.objects.filter(rule=AlertRule.SECONDMENT_TOO_EARLY, is_open=True).first()
    other = Alert.objects.exclude(town_id=alert.town_id).filter(town__isnull=False).first().town_id
    Alert.objects.filter(pk=alert.pk).update(town_id=other)
    assert sync_alerts(today, [alert.town_id]) == 0
    assert sync_alerts(today, [other]) == 1
    assert sync_alerts(today, [alert.town_id]) == 1
    assert Alert.objects.get(rule=alert.rule, subject_id=alert.subject_id, is_open=True).town_id == alert.town_id


def test_the_secondment_rule_reads_each_towns_own_policy(demo, town):
    f.StaffingPolicyFactory(town=town, effective_on=D(2019, 1, 1), max_secondment_months=3)
    f.StaffingPolicyFactory(town=town, effective_on=D(2024, 6, 1), max_secondment_months=12)
    later = f.SecondmentFactory(town=town, starts_on=D(2024, 1, 1), ends_on=D(2024, 11, 1))
    rows = found_rows(timezone.localdate(), [town.pk], [secondment_breaches])
    # The policy in force on the run's date (12 months) applies, not the one in force at the start.
    assert [r for r in rows if r["rule"] == AlertRule.SECONDMENT_TOO_LONG] == []
    StaffingPolicy.objects.filter(town=town, effective_on=D(2024, 6, 1)).delete()
    rows = found_rows(timezone.localdate(), [town.pk], [secondment_breaches])
    (row,) = [r for r in rows if r["rule"] == AlertRule.SECONDMENT_TOO_LONG]
    assert (row["subject_id"], row["params"]["limit"], str(row["since"])) == (later.pk, 3, "2024-04-01")


def test_a_full_run_closes_what_is_gone_keeps_what_stays_and_opens_what_is_new(demo):
    today = timezone.localdate()
    before = {a.pk: a.opened_at for a in Alert.objects.filter(is_open=True)}
    gone = Alert.objects.filter(rule=AlertRule.TASK_OVERDUE, is_open=True).first()
    ReformTask.objects.filter(pk=gone.subject_id).update(status=ReformTask.Status.DONE, completed_on=today)
    plan = ReformTask.objects.get(pk=gone.subject_id).plan
    new = f.ReformTaskFactory(plan=plan, title="新逾期任务", deadline=today - dt.timedelta(days=1))

    assert sync_alerts(today) == 2
    gone.refresh_from_db()
    assert (gone.is_open, gone.closed_at is not None) == (False, True)
    opened = Alert.objects.get(rule=AlertRule.TASK_OVERDUE, subject_id=new.pk, is_open=True)
    assert (opened.town_id, opened.since, opened.params["task"]) == (plan.town_id, new.deadline, "新逾期任务")
    # The others stay the alerts they were: same rows, opened when they were.
    kept = {a.pk: a.opened_at for a in Alert.objects.filter(is_open=True).exclude(pk=opened.pk)}
    assert kept == {pk: opened_at for pk, opened_at in before.items() if pk != gone.pk}
    assert sync_alerts(today) == 0


@pytest.mark.parametrize("status", ["not_taken_over", "taken_over"])
def test_an_untrained_power_opens_its_alert_with_its_params_whatever_its_take_over_status(db, status):
    # The rule reads its powers in two parts by take-over status (one SELECT each); both parts' alerts
    # carry their params: a power not taken over, and one taken over on a date still to come.
    today = timezone.localdate()
    future = today + dt.timedelta(days=30) if status == "taken_over" else None
    cause = "no_trained_staff" if status == "not_taken_over" else ""
    power = f.DelegatedPowerFactory(
        delegated_on=today - dt.timedelta(days=800),
        take_over_status=status,
        take_over_on=future,
        not_taken_over_cause=cause,
    )
    sync_alerts(today, [power.town_id])
    sync_alerts(today)
    alert = Alert.objects.get(rule=AlertRule.UNTRAINED, subject_id=power.pk, is_open=True)
    assert alert.params == {
        "town": power.town.name,
        "item": power.item.name,
        "delegated": power.delegated_on.isoformat(),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's one-statement sync")
def test_the_first_sync_on_an_empty_alert_table_does_not_rescan_it_for_every_breach():
    """After a bulk load the alert table is empty and analysed as such. Opening each breach's alert by an
    anti-join against that table let the planner rescan it once per breach while the same statement
    filled it: quadratic, eleven minutes for 200,000 breaches at province scale. The full run pairs the
    breaches with the open alerts by one hash join instead, and nothing reads the alert table on the
    inner side of a nested loop."""
    table = Alert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        sql, params = sync_statement(timezone.localdate())
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        ((plan,),) = cursor.fetchall()
    nodes = list(plan_nodes(plan[0]["Plan"]))
    rescanned = [n for n, inner in nodes if inner and n.get("Relation Name") == table and "Seq Scan" in n["Node Type"]]
    assert rescanned == [], plan
    assert [n["Node Type"] for n, _inner in nodes if n.get("Join Type") == "Full"] == ["Hash Join"], plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_home_pages_oldest_alerts_come_from_the_index_without_a_sort(db):
    """After a full run most open alerts share one start date. Ordering them by date then id, against an
    index kept by date descending then id, read and sorted every open alert of the province for the
    home page's twenty (460 ms at province scale): the order must be one the index walks as it is."""
    from stats.selectors import oldest_open_alerts

    admin = f.UserFactory(role="system_admin")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = oldest_open_alerts(admin, 21).explain()
    assert "Sort" not in plan, plan
    assert "alert_list_order" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's one-statement sync")
def test_a_nights_sync_builds_no_params_for_the_breaches_already_open(demo):
    """A night finds nearly every breach already open. Building each one's params first (the town's and
    the item's names, joined for ~2.8 M breaches at nation scale) and then setting them aside with the
    pairs cost more than finding them: the params are built for the breaches opened, none here."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT explain")
        sql, params = sync_statement(timezone.localdate())
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        ((plan,),) = cursor.fetchall()
        cursor.execute("ROLLBACK TO SAVEPOINT explain")
    if isinstance(plan, str):
        plan = json.loads(plan)
    names = {"delegation_poweritem", "reforms_town"}
    read = [n for n, _inner in plan_nodes(plan[0]["Plan"]) if n.get("Relation Name") in names and n["Actual Loops"]]
    # The towns are read for their region still, by the rules' own joins; the items for nothing else.
    assert {n["Relation Name"] for n in read} == {"reforms_town"}, plan
    assert Alert.objects.filter(is_open=True).count() > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_untrained_rule_reads_its_powers_from_indexes_not_every_power(db):
    """The untrained alert is about powers not taken over, a sixth of them; it scanned every delegated
    power each night (1.6 GB at nation scale). Those not taken over come from an index holding every
    column the rule reads, those taken over on a date still to come from an index on that date."""
    scans = []
    for breaches in untrained_breaches(timezone.localdate(), None):
        with connection.cursor() as cursor:
            # The test database holds a handful of powers, never vacuumed: for them a scan of the table
            # is cheapest anyway, and a bitmap of the index cheaper than reading it alone.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {breaches.sql}", breaches.params)
            ((plan,),) = cursor.fetchall()
        nodes = [n for n, _inner in plan_nodes(plan[0]["Plan"])]
        scans += [
            (n["Node Type"], n.get("Index Name"))
            for n in nodes
            if n.get("Relation Name") == "delegation_delegatedpower"
        ]
    assert scans == [("Index Only Scan", "power_not_taken_over"), ("Index Scan", "power_taken_over_on")], scans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statistics of PostgreSQL's planner")
def test_the_planner_counts_the_powers_with_cases_as_a_share_of_the_case_rows(db):
    """ANALYZE guesses the distinct powers of the case table from 30,000 sampled rows: ~140,000 where there are
    millions at nation scale. The paper-only rule's plan then expected a tenth of its candidates and
    probed each one by nested loops (45 s cold). The estimate is stated as one power per twenty rows,
    so that it grows with the table instead of staying at what a sample can see."""
    power = f.DelegatedPowerFactory()
    for month in range(1, 13):
        f.MonthlyCaseCountFactory(power=power, month=dt.date(2025, month, 1))
    table = MonthlyCaseCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute("SELECT n_distinct FROM pg_stats WHERE tablename = %s AND attname = 'power_id'", [table])
        ((n_distinct,),) = cursor.fetchall()
    # Negative: a share of the rows, whatever their number (a sample of these twelve would say 1).
    assert n_distinct == pytest.approx(-0.05)
