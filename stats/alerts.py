"""Policy rules of the domain (DOMAIN.md section 4) evaluated over the ledger, and alert upkeep.

Each rule is SQL: SELECTs of the breaches it finds, one row each with the columns ``FOUND``, and for
each SELECT the subquery of one breach's params (a JSON object built in the database), which runs
only for the breaches an alert is opened for. ``sync_alerts`` then works on the sets: it closes the
open alerts whose breach is no longer found, opens one for each breach without an open alert and
leaves the others open, so alerts close by themselves when the data is corrected and their history
stays.
No breach passes through Python: on PostgreSQL the upkeep is one statement (``sync_statement``); on
SQLite the found rows are staged in a temporary table that an UPDATE and an INSERT then read.
"""

import json
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils import timezone, translation

from core.sql import Condition
from delegation.models import DelegatedPower, Finding, MonthlyCaseCount, PowerItem
from delegation.selectors import (
    DerivedState,
    activity_window,
    derived_state_conditions,
    in_force_sql,
    taken_over_sql,
    untrained_long_q,
)
from finance.models import FiscalYearRecord
from reforms.models import AssessmentScheme, ReformTask, Town, TownAnnualAssessment
from staffing.models import FilledPosts, HeadcountQuota, PostType, Secondment, StaffingPolicy
from staffing.selectors import latest_headcount
from territory.alerts import RULES as territory_rules

from . import prepared
from .figures import compiled
from .models import Alert, AlertRule
from .sql import in_ids, only_towns, table_name, with_clock

# The columns of a found breach, in the order every rule's SELECT gives them: the alert's own columns
# but its params, which ``Breaches.params_sql`` gives.
FOUND = ["rule", "subject_type_id", "subject_id", "key", "region_id", "town_id", "since"]
# Those that name a breach: an alert is open at most once per key (the constraint ``alert_open_once``).
KEY = ["subject_id", "subject_type_id", "rule", "key"]


# SQL functions ------------------------------------------------------------------------------------


def _compile(compiler, expressions):
    """[(sql, params)] of each expression, for functions that repeat or reorder their arguments."""
    return [compiler.compile(e) for e in expressions]


class DecimalText(Func):
    """A decimal as text with its field's decimal places, as ``str(Decimal)`` gives it ("25.00")."""

    arity = 1
    output_field = CharField()
    # PostgreSQL keeps a numeric(…, 2)'s two places in its text.
    template = "CAST(%(expressions)s AS text)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores decimals as integers or reals ("25"); printf restores the places. The format is a
        # parameter: a literal '%' would need escaping for Func's template, then for the %s → ? conversion.
        ((sql, params),) = _compile(compiler, self.get_source_expressions())
        places = self.get_source_expressions()[0].output_field.decimal_places
        return f"printf(%s, {sql})", [f"%.{places}f", *params]


class AddMonths(Func):
    """``date`` plus ``months`` (an integer), clamped to the month's end: Jan 31 + 1 month = Feb 28 or 29."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Adding an interval of months clamps by itself.
        (day, day_params), (months, months_params) = _compile(compiler, self.get_source_expressions())
        return f"CAST({day} + make_interval(months => {months}) AS date)", [*day_params, *months_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        # date() rolls Jan 31 + 1 month over into March; the last day of the target month caps it.
        (day, day_params), (months, months_params) = _compile(compiler, self.get_source_expressions())
        sql = (
            f"MIN(date({day}, '+' || ({months}) || ' months'), "
            f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day'))"
        )
        return sql, [*day_params, *months_params, *day_params, *months_params]


class MonthsBetween(Func):
    """Months from ``start`` to ``end`` (dates), to one decimal place: round(days / 30.44, 1).

    A number with one decimal either way (PostgreSQL numeric, SQLite real), so it is stored in JSON as
    e.g. 7.2 or 12.0 and read back as the same float as Python's ``round(days / 30.44, 1)``.
    """

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # date - date is an integer of days; divided by a numeric it stays exact decimal arithmetic.
        (start, start_params), (end, end_params) = _compile(compiler, self.get_source_expressions())
        return f"ROUND(({end} - {start}) / 30.44, 1)", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = _compile(compiler, self.get_source_expressions())
        return f"ROUND((julianday({end}) - julianday({start})) / 30.44, 1)", [*end_params, *start_params]


class YearEnd(Func):
    """December 31 of the year ``year`` (an integer of four digits)."""

    arity = 1
    output_field = DateField()
    template = "make_date(%(expressions)s, 12, 31)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s || '-12-31')", **extra_context)


# The subject of the found row whose params a ``Breaches.params_sql`` builds.
_FOUND_SUBJECT = f"f.{connection.ops.quote_name('subject_id')}"


def _content_type(model):
    # Looked up in the SQL, not baked into it as an id: a town's run reuses its SQL all day (see
    # ``found_select``), and a test database flushed and rebuilt meanwhile may number types anew.
    return ContentType.objects.filter(app_label=model._meta.app_label, model=model._meta.model_name)


class Breaches(NamedTuple):
    """One SELECT of a rule's breaches (columns ``FOUND``) and how to build a breach's params.

    ``params_sql`` is a scalar subquery giving the params of the breach in the row aliased ``f`` (by
    its ``subject_id``). It runs only where an alert is opened: a night finds nearly every breach
    already open, and building each one's params (the town's and the item's names, joined for ~2.8 M
    rows at nation scale) before the sync set them aside cost more than finding them.
    """

    rule: str
    sql: str
    params: list
    params_sql: str
    params_params: list


def breach_select(queryset, rule, model, *, region, town, since, params):
    """The ``Breaches`` of ``rule`` over ``queryset``'s rows: one per row, ``model`` the subject; the other
    arguments are expressions over the rows, ``params`` a dict of them.

    The queryset selects under neutral aliases (annotations named like a model field are refused) and
    an outer SELECT puts them in ``FOUND`` order. A breach's params come from the same queryset narrowed
    to its subject, so they may read whatever the rule computed for the row.
    """
    columns = {
        "rule": Value(rule.value),
        "subject_type_id": Subquery(_content_type(model).values("pk")),
        "subject_id": F("pk"),
        "key": Value(""),
        "region_id": region,
        "town_id": town,
        "since": since,
    }
    queryset = queryset.order_by()
    rows = queryset.values(**{f"x_{name}": expression for name, expression in columns.items()})
    sql, sql_params = rows.query.sql_with_params()
    select = f"SELECT {', '.join(f'u.x_{name}' for name in FOUND)} FROM ({sql}) u"  # noqa: S608 (aliases are constants; values are parameters)
    one = queryset.filter(pk=RawSQL(_FOUND_SUBJECT, [])).values(x_params=JSONObject(**params))  # noqa: S611 (a constant column name)
    params_sql, params_params = one.query.sql_with_params()
    return Breaches(rule.value, select, list(sql_params), f"({params_sql})", list(params_params))


# Rules: each returns the [Breaches] of its SELECTs for the towns ``town_ids`` (None: all).


def secondment_breaches(as_of, town_ids):
    """Secondments longer than the town's policy allows, and those of staff with fewer years in the town
    than it requires or under a service agreement; the policy is the town's latest in force on ``as_of``,
    the model's defaults (6 months, 2 years) when it has none."""
    policies = StaffingPolicy.objects.filter(town=OuterRef("town"), effective_on__lte=as_of).order_by("-effective_on")

    def policy(field):
        default = StaffingPolicy._meta.get_field(field).default
        return Coalesce(Subquery(policies.values(field)[:1]), Value(default), output_field=IntegerField())

    rows = only_towns(Secondment.objects.filter(starts_on__lte=as_of), "town_id", town_ids).alias(
        limit_months=policy("max_secondment_months"), service_years=policy("min_service_years_for_secondment")
    )
    cap = AddMonths(F("starts_on"), F("limit_months"))
    too_long = rows.filter(ends_on__gt=cap)
    too_early = rows.filter(
        Q(under_service_agreement=True) | Q(starts_on__lt=AddMonths(F("joined_town_on"), F("service_years") * 12))
    )
    common = {"region": F("town__county_id"), "town": F("town_id")}
    staff = {"town": F("town__name"), "staff": F("staff_reference")}
    months = MonthsBetween(F("starts_on"), F("ends_on"))
    return [
        breach_select(
            too_long,
            AlertRule.SECONDMENT_TOO_LONG,
            Secondment,
            since=cap,
            params={**staff, "months": months, "limit": F("limit_months")},
            **common,
        ),
        breach_select(
            too_early,
            AlertRule.SECONDMENT_TOO_EARLY,
            Secondment,
            since=F("starts_on"),
            params={**staff, "years": F("service_years")},
            **common,
        ),
    ]


def scheme_breaches(as_of, town_ids):
    """Assessment schemes in force whose town weight is below their minimum; in the full run only (a
    scheme belongs to a region, not a town: its alerts have no town)."""
    if town_ids is not None:
        return []
    schemes = AssessmentScheme.objects.filter(town_weight__lt=F("min_town_weight"), valid_from__lte=as_of)
    schemes = schemes.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
    params = {"scheme": F("name"), "weight": DecimalText("town_weight"), "minimum": DecimalText("min_town_weight")}
    no_town = Cast(Value(None), BigIntegerField())  # typed: a bare NULL would not unite with the other rules' ids
    return [
        breach_select(
            schemes,
            AlertRule.TOWN_WEIGHT_LOW,
            AssessmentScheme,
            region=F("region_id"),
            town=no_town,
            since=F("valid_from"),
            params=params,
        )
    ]


def overstaffing_breaches(as_of, town_ids):
    """Post types whose latest filled count exceeds their latest approved headcount."""
    approved = latest_headcount(HeadcountQuota, as_of).filter(town=OuterRef("town"), post_type=OuterRef("post_type"))
    filled = only_towns(latest_headcount(FilledPosts, as_of), "town_id", town_ids)
    filled = filled.alias(quota=Subquery(approved.values("approved")[:1])).filter(filled__gt=F("quota"))
    # The label in the active language, as the message shows it.
    label = Case(*(When(post_type=value, then=Value(str(name))) for value, name in PostType.choices))
    params = {"town": F("town__name"), "post_type": label, "filled": F("filled"), "approved": F("quota")}
    return [
        breach_select(
            filled,
            AlertRule.OVERSTAFFED,
            FilledPosts,
            region=F("town__county_id"),
            town=F("town_id"),
            since=F("as_of"),
            params=params,
        )
    ]


def fiscal_breaches(as_of, town_ids):
    """Fiscal years past their due date with less paid than promised."""
    records = FiscalYearRecord.objects.filter(due_on__lt=as_of, paid__lt=F("promised"))
    town = "arrangement__town"
    params = {
        "town": F(f"{town}__name"),
        "title": F("arrangement__title"),
        "year": F("year"),
        "promised": DecimalText("promised"),
        "paid": DecimalText("paid"),
    }
    return [
        breach_select(
            only_towns(records, f"{town}_id", town_ids),
            AlertRule.FISCAL_UNPAID,
            FiscalYearRecord,
            region=F(f"{town}__county_id"),
            town=F(f"{town}_id"),
            since=F("due_on"),
            params=params,
        )
    ]


def assessment_breaches(as_of, town_ids):
    """Annual assessments failed by a town that failed the year before too."""
    fail = TownAnnualAssessment.Grade.FAIL
    previous = TownAnnualAssessment.objects.filter(town=OuterRef("town"), year=OuterRef("year") - 1, grade=fail)
    rows = TownAnnualAssessment.objects.filter(grade=fail, year__lte=as_of.year).filter(Exists(previous))
    return [
        breach_select(
            only_towns(rows, "town_id", town_ids),
            AlertRule.ASSESSMENT_FAILED_TWICE,
            TownAnnualAssessment,
            region=F("town__county_id"),
            town=F("town_id"),
            since=YearEnd(F("year")),
            params={"town": F("town__name"), "previous": F("year") - 1, "year": F("year")},
        )
    ]


def paper_only_breaches(as_of, town_ids):
    """Powers taken over yet unused by the town while the county department still handles cases.

    Raw SQL, its select list in ``FOUND`` order: the department's window sums per power (a hash
    aggregate over its rows only), kept where positive, then the power's state (taken over, no town case
    accepted in the window: unused, by ``derived_state_conditions``).
    """
    first, last = activity_window(as_of)
    cases, powers, by = table_name(MonthlyCaseCount), table_name(DelegatedPower), MonthlyCaseCount.HandledBy
    town_case = Condition(
        f"EXISTS (SELECT 1 FROM {cases} c WHERE c.power_id = p.id "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"AND c.handled_by = %s AND c.month BETWEEN %s AND %s AND c.accepted > 0)",
        [by.TOWN, first, last],
    )
    # A withdrawn power is the department's again: its cases are no evidence against the town.
    unused = derived_state_conditions(taken_over_sql(as_of), town_case)[DerivedState.UNUSED] & in_force_sql(as_of)
    subject, subject_params = _content_type(DelegatedPower).values("pk").query.sql_with_params()
    own = ""
    if town_ids is not None:
        own = f" AND power_id IN (SELECT id FROM {powers} WHERE TRUE{in_ids('town_id', town_ids)})"  # noqa: S608 (identifiers from model metadata)
    department_cases = f"FROM {cases} WHERE handled_by = %s AND month BETWEEN %s AND %s"
    sql = (
        f"SELECT %s AS x_rule, ({subject}) AS x_subject_type_id, p.id AS x_subject_id, '' AS x_key, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"t.county_id AS x_region_id, p.town_id AS x_town_id, %s AS x_since "
        f"FROM (SELECT power_id {department_cases}{own} GROUP BY power_id HAVING SUM(accepted) > 0) d "
        f"JOIN {powers} p ON p.id = d.power_id JOIN {table_name(Town)} t ON t.id = p.town_id "
        f"WHERE {unused.sql}"
    )
    params = [AlertRule.PAPER_ONLY.value, *subject_params, first, by.COUNTY_DEPARTMENT, first, last, *(town_ids or ())]
    params += unused.params
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    params_sql = (
        f"(SELECT {build}('town', t.name, 'item', i.name, 'cases', "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"(SELECT SUM(accepted) {department_cases} AND power_id = p.id)) "
        f"FROM {powers} p JOIN {table_name(Town)} t ON t.id = p.town_id "
        f"JOIN {table_name(PowerItem)} i ON i.id = p.item_id WHERE p.id = {_FOUND_SUBJECT})"
    )
    return [Breaches(AlertRule.PAPER_ONLY.value, sql, params, params_sql, [by.COUNTY_DEPARTMENT, first, last])]


def task_breaches(as_of, town_ids):
    """Reform tasks past their deadline and not done."""
    tasks = ReformTask.objects.filter(deadline__lt=as_of).exclude(status=ReformTask.Status.DONE)
    town = "plan__town"
    return [
        breach_select(
            only_towns(tasks, f"{town}_id", town_ids),
            AlertRule.TASK_OVERDUE,
            ReformTask,
            region=F(f"{town}__county_id"),
            town=F(f"{town}_id"),
            since=F("deadline"),
            params={"town": F(f"{town}__name"), "task": F("title"), "deadline": F("deadline")},
        )
    ]


def untrained_breaches(as_of, town_ids):
    """Powers not taken over 12 months after their delegation with no training in the last 12 months."""
    powers = only_towns(DelegatedPower.objects.filter(untrained_long_q(as_of)), "town_id", town_ids)
    # Split by take-over status, each part is read from its own partial index (DelegatedPower.Meta),
    # not by a scan of every power: those not taken over, and those taken over on a date still to come.
    taken = DelegatedPower.TakeOverStatus.TAKEN_OVER
    parts = [powers.exclude(take_over_status=taken), powers.filter(take_over_status=taken, take_over_on__gt=as_of)]
    return [
        breach_select(
            part,
            AlertRule.UNTRAINED,
            DelegatedPower,
            region=F("town__county_id"),
            town=F("town_id"),
            since=F("delegated_on"),
            params={"town": F("town__name"), "item": F("item__name"), "delegated": F("delegated_on")},
        )
        for part in parts
    ]


def rectification_breaches(as_of, town_ids):
    """Findings of an inspection still open after their rectification deadline."""
    findings = Finding.objects.filter(status=Finding.Status.OPEN, deadline__lt=as_of)
    return [
        breach_select(
            only_towns(findings, "town_id", town_ids),
            AlertRule.RECTIFICATION_OVERDUE,
            Finding,
            region=F("town__county_id"),
            town=F("town_id"),
            since=F("deadline"),
            params={
                "town": F("town__name"),
                "inspection": F("inspection__title"),
                "finding": F("description"),
                "deadline": F("deadline"),
            },
        )
    ]


RULES = [
    secondment_breaches,
    scheme_breaches,
    overstaffing_breaches,
    fiscal_breaches,
    assessment_breaches,
    paper_only_breaches,
    task_breaches,
    untrained_breaches,
    rectification_breaches,
    *territory_rules,
]


# Upkeep -------------------------------------------------------------------------------------------


class Found(NamedTuple):
    """The breaches the rules find: ``sql`` the UNION ALL of their SELECTs (columns ``FOUND``; empty when
    no rule has one), and ``params_sql`` the expression of a found row's params, for a row aliased ``f``."""

    sql: str
    params: list
    params_sql: str
    params_params: list


def found_select(as_of, town_ids=None, rules=None, now=None):
    """The ``Found`` of the breaches ``rules`` (default ``RULES``) find for the towns ``town_ids`` (None:
    all). A rule comparing with the current time reads ``now`` (default: the application's clock).

    A town's run compiles it once a day per number of towns (see ``figures.compiled``): Django
    compiling these querysets costs more than running them for one town. The key holds what the SQL
    bakes in besides the towns: the date and the language of the post type labels.
    """
    rules = RULES if rules is None else rules

    def build(ids):
        selects = [select for rule in rules for select in rule(as_of, ids)]
        found = " UNION ALL ".join(select.sql for select in selects)
        found_params = [p for select in selects for p in select.params]
        # Each row's params by its rule: only that rule's subqueries run. A rule of several SELECTs
        # (the untrained powers, read in two parts) has its row in one of them, the others give NULL.
        by_rule = {}
        for select in selects:
            by_rule.setdefault(select.rule, []).append(select)
        whens, params_params = [], []
        for rule, parts in by_rule.items():
            # SQLite's COALESCE takes two arguments or more.
            subqueries = ", ".join(part.params_sql for part in parts)
            whens.append(f"WHEN %s THEN {f'COALESCE({subqueries})' if len(parts) > 1 else subqueries}")
            params_params += [rule, *(p for part in parts for p in part.params_params)]
        params_sql = f"CASE f.{connection.ops.quote_name('rule')} {' '.join(whens)} END" if selects else "NULL"
        # compiled() keeps one list of parameters: the found ones, then the params', split where noted.
        return (found, params_sql, len(found_params)), found_params + params_params

    if town_ids is None:
        (sql, params_sql, split), params = build(None)
    else:
        key = ("alerts", as_of, translation.get_language(), *(rule.__name__ for rule in rules))
        (sql, params_sql, split), params = compiled(key, build, town_ids)
    params = with_clock(params, now)
    return Found(sql, params[:split], params_sql, params[split:])


def found_rows(as_of, town_ids=None, rules=None):
    """The breaches ``found_select`` selects, as dicts of ``FOUND`` and their params, decoded."""
    found = found_select(as_of, town_ids, rules)
    if not found.sql:
        return []
    with connection.cursor() as cursor:
        select = f"WITH f ({_columns()}) AS ({found.sql}) SELECT {_columns('f.')}, {found.params_sql} FROM f"  # noqa: S608 (identifiers from model metadata; values are parameters)
        cursor.execute(select, [*found.params, *found.params_params])
        rows = [dict(zip([*FOUND, "params"], row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        # psycopg2 hands Django's connections jsonb as text, like SQLite.
        row["params"] = json.loads(row["params"])
    return rows


def _columns(prefix=""):
    return ", ".join(prefix + connection.ops.quote_name(name) for name in FOUND)


def _same_breach(alert, found):
    """SQL: the alert (a table or alias name) and the found row have the same key.

    The integers come first: when PostgreSQL merges the two sets it sorts them in this order, and
    sorting ~40,000 rows on the rule's text first (a collation-aware comparison) cost a quarter second.
    """
    return " AND ".join(f"{found}.{c} = {alert}.{c}" for c in map(connection.ops.quote_name, KEY))


def _close_sql(found, town_ids):
    """The UPDATE closing the open alerts in scope (those of ``town_ids``; all for None) that ``found``
    (a table name) no longer has; parameters: the time, then the town ids."""
    alerts = table_name(Alert)
    return (
        f"UPDATE {alerts} SET is_open = FALSE, closed_at = %s WHERE is_open{in_ids('town_id', town_ids)} "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"AND NOT EXISTS (SELECT 1 FROM {found} f WHERE {_same_breach(alerts, 'f')})"
    )


def _open_sql(found, params_sql, *, on_conflict=False):
    """The INSERT opening an alert for each row of ``found`` (a table name or a parenthesised SELECT)
    with no open alert, in any town (the constraint ``alert_open_once`` is over all of them), its params
    by ``params_sql`` (``Found.params_sql``); parameters: the params', then the time.

    ``on_conflict`` (PostgreSQL's one statement) skips an alert already open by the open-once index
    rather than by an anti-join. On a fresh install the alert table is empty and analysed as such, and
    the planner then rescanned it for every breach while the statement filled it, which is quadratic
    (eleven minutes for the first run at province scale); an index probe per breach is not."""
    alerts = table_name(Alert)
    if on_conflict:
        key = ", ".join(map(connection.ops.quote_name, KEY))
        skip = f"ON CONFLICT ({key}) WHERE is_open DO NOTHING"
    else:
        skip = f"WHERE NOT EXISTS (SELECT 1 FROM {alerts} a WHERE a.is_open AND {_same_breach('a', 'f')})"  # noqa: S608 (identifiers from model metadata)
    return (
        f"INSERT INTO {alerts} ({_columns()}, params, is_open, opened_at, closed_at) "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"SELECT {_columns('f.')}, {params_sql}, TRUE, %s, NULL FROM {found} f {skip}"
    )


def sync_statement(as_of, town_ids=None, now=None):
    """(sql, params) of one PostgreSQL statement that syncs the alerts of the towns ``town_ids`` (None:
    every alert, schemes' included, by ``_paired_sync_sql``) with the breaches found on ``as_of``,
    stamping them ``now`` (default: the current time), and selects how many alerts it closed and opened.

    Its parts run on one snapshot: the INSERT does not see the UPDATE's closures, which is harmless as
    a key is either found (and may be opened) or not (and may be closed), never both.
    """
    if town_ids is not None and not town_ids:
        return "SELECT 0", []
    now = now or timezone.now()
    found = found_select(as_of, town_ids, now=now)
    now = connection.ops.adapt_datetimefield_value(now)
    if town_ids is None:
        return _paired_sync_sql(found), [*found.params, now, *found.params_params, now]
    sql = (
        f"WITH found ({_columns()}) AS ({found.sql}), "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"closed AS ({_close_sql('found', town_ids)} RETURNING 1), "
        f"opened AS ({_open_sql('found', found.params_sql, on_conflict=True)} RETURNING 1) "
        f"SELECT (SELECT COUNT(*) FROM closed) + (SELECT COUNT(*) FROM opened)"
    )
    return sql, [*found.params, now, *(town_ids or ()), *found.params_params, now]


def _paired_sync_sql(found):
    """The full run's sync of ``found`` (a ``Found``): each found row and each open alert paired by key
    in one join, which then tells what to close (an alert without its row) and what to open (a row
    without its alert); only the latter's params are built.

    A full run finds ~145,000 breaches at province scale, nearly all already open. Closing by an
    anti-join sorted every found row (0.5 s) and opening probed the open-once index for each (0.85 s);
    one hash join over the open alerts' keys does both. A FULL JOIN can only be a hash or a merge join,
    never the nested loop that rescanned the alert table for every breach while the statement filled
    it (the first run after a bulk load). The conflict clause still skips a key that the rules find
    twice.
    """
    alerts, q = table_name(Alert), connection.ops.quote_name
    opened = _open_sql("(SELECT * FROM pair WHERE open_id IS NULL)", found.params_sql, on_conflict=True)
    return (
        f"WITH found ({_columns()}) AS ({found.sql}), "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"pair AS (SELECT {_columns('f.')}, o.id AS open_id FROM found f FULL JOIN "
        f"(SELECT id, {', '.join(map(q, KEY))} FROM {alerts} WHERE is_open) o ON {_same_breach('o', 'f')} "
        # Only the unpaired are kept: the pairs, nearly every row of a night, change nothing.
        f"WHERE o.id IS NULL OR f.{q('rule')} IS NULL), "
        # A found row's rule is never NULL: a pair without one is an open alert no longer found.
        f"closed AS (UPDATE {alerts} SET is_open = FALSE, closed_at = %s WHERE is_open "
        f"AND id IN (SELECT open_id FROM pair WHERE {q('rule')} IS NULL) RETURNING 1), "
        f"opened AS ({opened} RETURNING 1) "
        f"SELECT (SELECT COUNT(*) FROM closed) + (SELECT COUNT(*) FROM opened)"
    )


def sync_alerts(as_of, town_ids=None):
    """Make the open alerts match the breaches found on ``as_of``: close those no longer found, open one
    per new breach. ``town_ids`` limits it to those towns' alerts (None: all). Returns the number of
    alerts closed and opened."""
    if town_ids is not None and not town_ids:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if town_ids is None:
                cursor.execute(*sync_statement(as_of))
            else:
                # The same statement for every town: prepared once per session (see stats.prepared).
                prepared.execute(cursor, [sync_statement(as_of, town_ids)])
            return cursor.fetchone()[0]
    # Without data-modifying CTEs the found rows are staged in a temporary table.
    found = found_select(as_of, town_ids)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stage = connection.ops.quote_name("stage_alert_found")
    with connection.cursor() as cursor:
        # A failed run rolled its table back with it; DROP covers any other leftover in this connection.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({_columns()})")
        cursor.execute(f"INSERT INTO {stage} ({_columns()}) {found.sql}", found.params)
        cursor.execute(_close_sql(stage, town_ids), [now, *(town_ids or ())])
        closed = cursor.rowcount
        cursor.execute(_open_sql(stage, found.params_sql), [*found.params_params, now])
        opened = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
    return closed + opened
