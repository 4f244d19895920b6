"""Synthetic call-and-respond data for the benchmarks: per county a responsibility list in three batches,
its time limits, the accounts that take the steps, and each town's calls with their steps.

The calls follow the same state machine as ``territory.services`` (and the demo's fates in
``territory.demo``): raised → accepted (or returned, then disputed and arbitrated, or withdrawn) →
responded → closed → evaluated, a 不满意 reopening the call once. Times are drawn per urgency from the
county's limits, so most calls are answered in time, some late, and the latest are still open, some
of them past their limit. Rows go through ``benchmarks.generate.Writer`` (COPY); nothing is saved row
by row.
"""

import datetime as dt

from django.contrib.auth.hashers import make_password

from core.models import User
from territory.demo import FATES, RATINGS, URGENCIES
from territory.models import (
    DEFAULT_LIMITS,
    Call,
    CallPolicy,
    CallStep,
    ItemCategory,
    ResponsibilityItem,
    ResponsibilityList,
)

LEDGER = {"version": 1, "is_generated": True}
# A county's ten departments, the first eight each bearing the main responsibility for one category
# of the list, in ``CATEGORY_ORDER``'s order (names as in the counties' documents).
DEPARTMENT_NAMES = [
    "生态环境分局",
    "应急管理局",
    "住房和城乡建设局",
    "自然资源和规划局",
    "市场监督管理局",
    "农业农村局",
    "公安局",
    "文化和旅游局",
    "水务局",
    "综合行政执法局",
]
CATEGORY_ORDER = [
    ItemCategory.ENVIRONMENT,
    ItemCategory.SAFETY,
    ItemCategory.CONSTRUCTION,
    ItemCategory.LAND,
    ItemCategory.MARKET,
    ItemCategory.AGRICULTURE,
    ItemCategory.SOCIAL,
    ItemCategory.CULTURE,
]
MATTERS = ["违法排污", "安全隐患", "违法建设", "非法占地", "无证经营", "动物疫病", "矛盾纠纷", "景区安全"]
# Jining's 132 items came in three batches; a generated county's ~120 in three of 40.
BATCHES = [(1, dt.date(2019, 9, 20), 40), (2, dt.date(2020, 6, 15), 40), (3, dt.date(2021, 5, 10), 40)]
CALLS_PER_TOWN_MONTH = 20
CALL_MONTHS = 24
# One item in this many is a town's own (main unit: the town); one in UNASSIGNED has no main unit yet.
TOWN_ITEM_EVERY = 9
UNASSIGNED_EVERY = 60
UNLISTED_SHARE = 0.15
# The backlog: calls a department never accepted, or accepted and never closed (overdue on the board).
STUCK_SHARE = 0.004
PLACES = ["东村", "西村", "南街", "工业园区", "河道", "集市"]

_fates, _fate_weights = zip(*FATES, strict=True)
_ratings, _rating_weights = zip(*RATINGS, strict=True)
_urgencies, _urgency_weights = zip(*URGENCIES, strict=True)
# Cumulative weights: ``rng.choices`` with ``cum_weights`` skips summing on every draw.
_fate_cum = [sum(_fate_weights[: i + 1]) for i in range(len(_fates))]
_rating_cum = [sum(_rating_weights[: i + 1]) for i in range(len(_ratings))]
_urgency_cum = [sum(_urgency_weights[: i + 1]) for i in range(len(_urgencies))]
HOUR = dt.timedelta(hours=1)
State, Action = Call.State, CallStep.Action


class CountyCalls:
    """One county's list, limits and accounts; ``town`` then writes a town's calls and their steps."""

    def __init__(self, gen, county, county_code, departments):
        self.gen, self.rng, self.now = gen, gen.rng, gen.now
        self.departments = departments
        self.accounts(county, county_code)
        limits = {
            f"{step}_hours_{urgency}": hours
            for urgency, pair in DEFAULT_LIMITS.items()
            for step, hours in zip(("accept", "close"), pair, strict=True)
        }
        gen.writer(CallPolicy).add(county_id=county, **limits, on_time_threshold=80, **LEDGER)
        self.items = self.responsibility_list(county, county_code)
        self.called = [(item, department) for item, department in self.items if department is not None]

    def accounts(self, county, code):
        """The county's grid platform (raises and rates calls for its towns), its reform office (arbitrates)
        and one responder per department (accepts, answers and closes)."""
        password = make_password(None)
        users = [
            User(username=f"gen_grid_{code}", role=User.Role.COUNTY_EDITOR, region_id=county, is_service_account=True),
            User(username=f"gen_office_{code}", role=User.Role.COUNTY_EDITOR, region_id=county),
            *(
                User(username=f"gen_dept_{code}_{d}", role=User.Role.DEPARTMENT_STAFF, region_id=county,
                     department_id=department)
                for d, department in enumerate(self.departments)
            ),
        ]  # fmt: skip
        for user in users:
            user.password = password
        User.objects.bulk_create(users)
        self.platform, self.office = users[0].pk, users[1].pk
        self.responders = {department: user.pk for department, user in zip(self.departments, users[2:], strict=True)}

    def responsibility_list(self, county, code):
        """Three batches of items; [(item id, main department id or None)]."""
        lists, items = self.gen.writer(ResponsibilityList), self.gen.writer(ResponsibilityItem)
        result, number = [], 0
        for batch, issued_on, count in BATCHES:
            pk = lists.add(
                county_id=county, title=f"{code}属地管理事项清单(第{batch}批)", document_id=None, batch=batch,
                issued_on=issued_on, in_force_from=issued_on, in_force_until=None, **LEDGER,
            )  # fmt: skip
            for _ in range(count):
                number += 1
                index = number % len(CATEGORY_ORDER)
                if number % UNASSIGNED_EVERY == 0:
                    main_unit, department = "", None
                elif number % TOWN_ITEM_EVERY == 0:
                    main_unit, department = ResponsibilityItem.MainUnit.TOWN, None
                else:
                    main_unit, department = ResponsibilityItem.MainUnit.DEPARTMENT, self.departments[index]
                cooperating = DEPARTMENT_NAMES[8 + number % 2]
                item = items.add(
                    responsibility_list_id=pk, number=number, name=f"{MATTERS[index]}(生成事项{number})",
                    category=CATEGORY_ORDER[index], legal_basis="", main_unit=main_unit,
                    main_department_id=department, main_duty="依法查处,负责行业监管" if department else "",
                    cooperating_units=f"乡镇(街道)、{cooperating}", cooperating_duty="日常巡查,发现报告,配合执法",
                    withdrawn_on=None, **LEDGER,
                )  # fmt: skip
                result.append((item, department))
        return result

    def town(self, town):
        """The town's calls over the last ``CALL_MONTHS`` months, ``CALLS_PER_TOWN_MONTH`` a month."""
        rng, now = self.rng, self.now
        start = now - dt.timedelta(days=30.4 * CALL_MONTHS)
        total = CALLS_PER_TOWN_MONTH * CALL_MONTHS
        span = (now - start).total_seconds()
        for n in range(total):
            # Spread evenly, jittered within the slot: the latest calls are hours old.
            raised_at = start + dt.timedelta(seconds=span * (n + rng.random()) / total)
            if rng.random() < UNLISTED_SHARE:
                item, department = None, self.departments[rng.randrange(len(self.departments))]
            else:
                item, department = self.called[rng.randrange(len(self.called))]
            self.call(town, item, department, raised_at)

    def call(self, town, item, department, raised_at):
        rng, now = self.rng, self.now
        urgency = rng.choices(_urgencies, cum_weights=_urgency_cum)[0]
        accept_limit, close_limit = DEFAULT_LIMITS[urgency]
        fate = rng.choices(_fates, cum_weights=_fate_cum)[0]
        late = fate == "late"
        stuck = rng.random() < STUCK_SHARE
        call = {
            "town_id": town, "department_id": department, "item_id": item,
            "subject": "清单外事项(生成)" if item is None else f"{MATTERS[item % len(MATTERS)]}(生成)",
            "place": PLACES[rng.randrange(len(PLACES))], "description": "", "urgency": urgency,
            "raised_at": raised_at, "accept_due": raised_at + accept_limit * HOUR,
            "close_due": raised_at + close_limit * HOUR, "state": State.RAISED, "accepted_at": None,
            "returned_reason": "", "was_disputed": False, "ruling": "", "response": "", "closed_at": None,
            "rating": "", "rating_comment": "", "evaluated_at": None, "reopened": False,
            "raised_by_id": self.platform, "external_id": "", **LEDGER,
        }  # fmt: skip
        responder = self.responders[department]
        steps = [(Action.RAISE, State.RAISED, raised_at, self.platform)]
        at = raised_at + accept_limit * HOUR * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.8))
        if stuck and rng.random() < 0.5:
            at = dt.datetime.max.replace(tzinfo=dt.UTC)  # never accepted
        if at <= now and fate in ("disputed", "withdrawn"):
            call["state"], call["returned_reason"] = State.RETURNED, "不属于本部门职责"
            steps.append((Action.RETURN, State.RETURNED, at, responder))
            at += rng.uniform(2, 20) * HOUR
            if at <= now and fate == "withdrawn":
                call["state"] = State.WITHDRAWN
                steps.append((Action.WITHDRAW, State.WITHDRAWN, at, self.platform))
            elif at <= now:
                call["state"], call["was_disputed"] = State.DISPUTED, True
                steps.append((Action.DISPUTE, State.DISPUTED, at, self.platform))
                at += rng.uniform(4, 48) * HOUR
                if at <= now:
                    call["ruling"] = "依清单,由该部门承担主体责任"
                    steps.append((Action.ARBITRATE, State.ACCEPTED, at, self.office))
                    call["state"], call["accepted_at"] = State.ACCEPTED, at
                    self.answer(call, steps, responder, late, close_limit, reopen=False)
        elif at <= now:
            steps.append((Action.ACCEPT, State.ACCEPTED, at, responder))
            call["state"], call["accepted_at"] = State.ACCEPTED, at
            if not stuck:
                self.answer(call, steps, responder, late, close_limit, reopen=fate == "reopened")
        pk = self.gen.writer(Call).add(**call)
        writer = self.gen.writer(CallStep)
        for action, state, moment, by in steps:
            writer.add(call_id=pk, action=action, state_after=state, note="", at=moment, by_id=by, external_id="")

    def answer(self, call, steps, responder, late, close_limit, reopen):
        """Respond, close and rate as far as ``now`` allows. As in ``territory.services.call_evaluate``, the
        first 不满意 (drawn, or forced for a call fated to be reopened) sends the call round once more."""
        rng, now = self.rng, self.now
        while True:
            share = rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.85)
            at = steps[-1][2] + close_limit * share * 0.5 * HOUR
            if at > now:
                return
            call["response"] = "已到场核查并依法处置"
            steps.append((Action.RESPOND, State.ACCEPTED, at, responder))
            at += close_limit * share * 0.4 * HOUR
            if at > now:
                return
            call["state"], call["closed_at"] = State.CLOSED, at
            steps.append((Action.CLOSE, State.CLOSED, at, responder))
            at += rng.uniform(1, 30) * HOUR
            if at > now:
                return
            first = not call["reopened"]
            rating = Call.Rating.DISSATISFIED if reopen and first else rng.choices(_ratings, cum_weights=_rating_cum)[0]
            call["rating"], call["evaluated_at"], call["state"] = rating, at, State.EVALUATED
            call["rating_comment"] = "问题未彻底解决" if rating == Call.Rating.DISSATISFIED else ""
            steps.append((Action.EVALUATE, State.EVALUATED, at, self.platform))
            if rating != Call.Rating.DISSATISFIED or not first:
                return
            call["state"], call["reopened"], call["closed_at"] = State.ACCEPTED, True, None
            call["close_due"] = at + close_limit * HOUR
            steps.append((Action.REOPEN, State.ACCEPTED, at, self.platform))
