"""The demo's territorial lists and calls: Jining's 132 items in three batches, Dazhou's 119, months of calls.

The documents give only the totals, so the items are generated (``is_generated``), each with a main
and cooperating unit plausible for its category. Calls are generated over the six months before
``today`` with timings drawn from a fixed seed: most answered in time, some overdue, some returned and
disputed, a few rated 不满意 and reopened. A second run adds nothing and changes no row.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from core.models import User
from delegation.models import Department
from reforms.models import Region, SourceDocument, Town

from .models import Call, CallStep, ItemCategory, ResponsibilityItem, ResponsibilityList, Urgency

# Jining's document names two pilot towns; their statistical codes are not in it (generated, marked).
JINING_COUNTIES = [("370883", "邹城市", "大束镇", "370883106000"), ("370832", "梁山县", "寿张集镇", "370832104000")]
JINING_BATCHES = [(1, dt.date(2019, 9, 20), 45), (2, dt.date(2020, 6, 15), 47), (3, dt.date(2021, 5, 10), 40)]
DAZHOU_ITEMS = 119
DAZHOU_ISSUED_ON = dt.date(2020, 3, 1)

# category → (main department, cooperating departments, matters)
CATEGORIES = {
    ItemCategory.ENVIRONMENT: (
        "生态环境分局",
        "水务局",
        ["河道违法排污", "露天焚烧秸秆", "餐饮油烟扰民", "危险废物非法倾倒"],
    ),
    ItemCategory.SAFETY: ("应急管理局", "消防救援大队", ["小作坊安全隐患", "燃气使用安全", "烟花爆竹非法储存"]),
    ItemCategory.CONSTRUCTION: ("住房和城乡建设局", "综合行政执法局", ["违法建设", "建筑工地扬尘", "农村危房改造"]),
    ItemCategory.LAND: ("自然资源和规划局", "农业农村局", ["非法占用耕地", "违法采砂取土", "乱占耕地建房"]),
    ItemCategory.MARKET: ("市场监督管理局", "卫生健康局", ["无证食品经营", "农贸市场秩序", "特种设备安全"]),
    ItemCategory.AGRICULTURE: ("农业农村局", "畜牧兽医中心", ["动物疫病防控", "农药经营监管", "耕地撂荒"]),
    ItemCategory.SOCIAL: ("公安局", "司法局", ["矛盾纠纷调处", "流动人口管理", "校园周边治安"]),
    ItemCategory.CULTURE: ("文化和旅游局", "交通运输局", ["景区安全管理", "文物保护", "网吧经营监管"]),
}

# Weights of a call's fate, and its rating.
FATES = [("normal", 78), ("late", 10), ("disputed", 5), ("withdrawn", 3), ("reopened", 4)]
RATINGS = [(Call.Rating.SATISFIED, 72), (Call.Rating.BASICALLY, 22), (Call.Rating.DISSATISFIED, 6)]
URGENCIES = [(Urgency.NORMAL, 70), (Urgency.URGENT, 25), (Urgency.EMERGENCY, 5)]
HOURS = {Urgency.NORMAL: (24, 120), Urgency.URGENT: (4, 48), Urgency.EMERGENCY: (1, 8)}
CALLS_PER_MONTH = 12
MONTHS = 6
RECENT = 5


def _pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _upsert(model, lookup, **values):
    from demo.upsert import upsert

    return upsert(model, lookup, **values)


@transaction.atomic
def load_territory(*, today=None):
    """Write the demo lists, calls and the two demo logins; returns the logins."""
    today = today or timezone.localdate()
    towns = _jining_towns() + list(Town.objects.filter(county__parent__code="511700").order_by("code"))
    for county, batches, title in _lists():
        departments = _departments(county)
        for batch, issued_on, count in batches:
            _list(county, batch, issued_on, count, title, departments)
    for index, town in enumerate(towns[:5]):
        _calls(town, today, random.Random(1600 + index))  # noqa: S311 (a fixed seed for repeatable demo data)
    _reported_example(towns[0], today)
    _overdue_example(towns[1], _moment_of(today))
    return _logins()


def _moment_of(today):
    """Nine o'clock of ``today``, or the moment of loading if that is earlier.

    Nine o'clock keeps a day's calls repeatable; before nine on the day itself no call may be raised or
    answered later than the clock that judges its limits.
    """
    return min(timezone.now(), timezone.make_aware(dt.datetime.combine(today, dt.time(9))))


def _overdue_example(town, now):
    """An urgent call six hours old and still not accepted (limit four hours): the overdue alert at any hour."""
    platform = _platform(town.county)
    if Call.objects.filter(raised_by=platform, external_id="demo-example-overdue").exists():
        return
    raised_at = now - dt.timedelta(hours=6)
    call = Call(
        town=town,
        department=Department.objects.get(county=town.county, name="生态环境分局"),
        subject="河道漂浮垃圾未清理(生成)",
        place=f"{town.name}河道",
        urgency=Urgency.URGENT,
        raised_at=raised_at,
        accept_due=raised_at + dt.timedelta(hours=HOURS[Urgency.URGENT][0]),
        close_due=raised_at + dt.timedelta(hours=HOURS[Urgency.URGENT][1]),
        raised_by=platform,
        external_id="demo-example-overdue",
        is_generated=True,
    )
    _save(call, [(CallStep.Action.RAISE, Call.State.RAISED, raised_at, "")], platform)


def _reported_example(town, today):
    """The documents' example: a vehicle dumping sewage, the environment branch called, closed within two hours."""
    platform = _platform(town.county)
    if Call.objects.filter(raised_by=platform, external_id="demo-example-sewage").exists():
        return
    department = Department.objects.get(county=town.county, name="生态环境分局")
    raised_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=20), dt.time(10, 5)))
    minutes = dt.timedelta(minutes=1)
    call = Call(
        town=town,
        department=department,
        subject="车辆向河道倾倒污水",
        place=f"{town.name}东河桥",
        description="网格员发现一辆罐车向河道倾倒污水",
        urgency=Urgency.URGENT,
        raised_at=raised_at,
        accept_due=raised_at + dt.timedelta(hours=4),
        close_due=raised_at + dt.timedelta(hours=48),
        state=Call.State.EVALUATED,
        accepted_at=raised_at + 8 * minutes,
        response="执法人员到场,查扣车辆,责令清理河道",
        closed_at=raised_at + 110 * minutes,
        rating=Call.Rating.SATISFIED,
        rating_comment="两小时内办结",
        evaluated_at=raised_at + 150 * minutes,
        raised_by=platform,
        external_id="demo-example-sewage",
    )
    steps = [
        (CallStep.Action.RAISE, Call.State.RAISED, raised_at, call.description),
        (CallStep.Action.ACCEPT, Call.State.ACCEPTED, call.accepted_at, ""),
        (CallStep.Action.RESPOND, Call.State.ACCEPTED, raised_at + 45 * minutes, call.response),
        (CallStep.Action.CLOSE, Call.State.CLOSED, call.closed_at, ""),
        (CallStep.Action.EVALUATE, Call.State.EVALUATED, call.evaluated_at, call.rating_comment),
    ]
    _save(call, steps, platform)


def _jining_towns():
    city = Region.objects.get(code="370800")
    towns = []
    for county_code, county_name, town_name, town_code in JINING_COUNTIES:
        county = _upsert(Region, {"code": county_code}, name=county_name, level="county", parent=city)
        town = Town.objects.filter(county=county, name=town_name).first()
        towns.append(town or _upsert(Town, {"code": town_code}, name=town_name, county=county, is_generated=True))
    return towns


def _lists():
    jining = [
        (
            Region.objects.get(code=code),
            JINING_BATCHES,
            "济宁市“属地管理”事项主体责任和配合责任清单(第%(batch)s批)",
        )
        for code, *_rest in JINING_COUNTIES
    ]
    dazhou = [
        (county, [(1, DAZHOU_ISSUED_ON, DAZHOU_ITEMS)], "%(county)s属地管理事项清单")
        for county in Region.objects.filter(parent__code="511700", level="county").order_by("code")
    ]
    return jining + dazhou


def _departments(county):
    names = {name for main, cooperating, _m in CATEGORIES.values() for name in (main, cooperating)}
    return {name: _upsert(Department, {"county": county, "name": name}) for name in sorted(names)}


def _list(county, batch, issued_on, count, title, departments):
    document = SourceDocument.objects.filter(region__code__in=["370800", "511700"], region=county.parent).first()
    responsibility_list = _upsert(
        ResponsibilityList,
        {"county": county, "batch": batch},
        title=title % {"batch": batch, "county": county.name},
        document=document,
        issued_on=issued_on,
        in_force_from=issued_on,
        is_generated=True,
    )
    existing = set(responsibility_list.items.values_list("number", flat=True))
    categories = list(CATEGORIES)
    start = 1 + sum(n for b, _d, n in JINING_BATCHES if b < batch) if batch > 1 else 1
    rows = []
    for offset in range(count):
        number = start + offset
        if number in existing:
            continue
        category = categories[number % len(categories)]
        main, cooperating, matters = CATEGORIES[category]
        # Every 40th item is left without a main unit, as lists in draft are: it raises an alert.
        unassigned = number % 40 == 0
        rows.append(
            ResponsibilityItem(
                responsibility_list=responsibility_list,
                number=number,
                name=f"{matters[number % len(matters)]}(生成事项{number})",
                category=category,
                main_unit="" if unassigned else ResponsibilityItem.MainUnit.DEPARTMENT,
                main_department=None if unassigned else departments[main],
                main_duty="" if unassigned else "依法查处,负责行业监管",
                cooperating_units=f"乡镇(街道)、{cooperating}",
                cooperating_duty="日常巡查,发现报告,配合执法",
                is_generated=True,
            )
        )
    ResponsibilityItem.objects.bulk_create(rows)


def _platform(county):
    """The calls are written as if relayed by the county's grid platform, one account per county."""
    user = User.objects.filter(username=f"grid_{county.code}").first()
    if user is None:
        user = User(
            username=f"grid_{county.code}", role=User.Role.COUNTY_EDITOR, region=county, is_service_account=True
        )
        user.set_unusable_password()
        user.save()
    return user


def _calls(town, today, rng):
    """Months of calls from ``town``, with steps whose timings follow each call's fate."""
    platform = _platform(town.county)
    done = set(Call.objects.filter(raised_by=platform, town=town).values_list("external_id", flat=True))
    items = list(
        ResponsibilityItem.objects.filter(responsibility_list__county=town.county, main_department__isnull=False)
    )
    if not items:
        return
    now = _moment_of(today)
    start = now - dt.timedelta(days=30 * MONTHS)
    total = CALLS_PER_MONTH * MONTHS
    for n in range(total):
        external_id = f"demo-{town.code}-{n:03d}"
        raised_at = start + dt.timedelta(days=30 * MONTHS * n / total, hours=rng.randint(0, 9))
        recent = n >= total - RECENT
        if recent:
            # The last few are days old: some still wait to be accepted or closed, some past their limit.
            raised_at = now - dt.timedelta(hours=rng.uniform(2, 96))
        item = rng.choice(items) if rng.random() > 0.15 else None
        if external_id in done:
            continue
        department = item.main_department if item else rng.choice(items).main_department
        _write_call(town, department, item, raised_at, now, platform, external_id, rng, recent)


def _write_call(town, department, item, raised_at, now, platform, external_id, rng, recent):
    urgency = _pick(rng, URGENCIES)
    accept_limit, close_limit = HOURS[urgency]
    fate = "late" if recent and rng.random() < 0.5 else _pick(rng, FATES)
    call = Call(
        town=town,
        department=department,
        item=item,
        subject=(item.name.split("(")[0] if item else "群众反映的清单外问题") + "(生成)",
        place=f"{town.name}{rng.choice(['东村', '西村', '南街', '工业园区', '河道'])}",
        urgency=urgency,
        raised_at=raised_at,
        accept_due=raised_at + dt.timedelta(hours=accept_limit),
        close_due=raised_at + dt.timedelta(hours=close_limit),
        raised_by=platform,
        external_id=external_id,
        is_generated=True,
    )
    steps = [(CallStep.Action.RAISE, Call.State.RAISED, raised_at, "")]
    late = fate == "late"
    at = raised_at + dt.timedelta(hours=accept_limit * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.8)))
    if at > now:
        return _save(call, steps, platform)  # still waiting to be accepted
    if fate in ("disputed", "withdrawn"):
        call.state, call.returned_reason = Call.State.RETURNED, "不属于本部门职责"
        steps.append((CallStep.Action.RETURN, call.state, at, call.returned_reason))
        at += dt.timedelta(hours=rng.uniform(2, 20))
        if fate == "withdrawn" or at > now:
            if fate == "withdrawn" and at <= now:
                call.state = Call.State.WITHDRAWN
                steps.append((CallStep.Action.WITHDRAW, call.state, at, "属本镇职责,自行处置"))
            return _save(call, steps, platform)
        call.state, call.was_disputed = Call.State.DISPUTED, True
        steps.append((CallStep.Action.DISPUTE, call.state, at, "依清单应由部门承担主体责任"))
        at += dt.timedelta(hours=rng.uniform(4, 48))
        if at > now:
            return _save(call, steps, platform)
        call.ruling = "依清单,由该部门承担主体责任"
        steps.append((CallStep.Action.ARBITRATE, Call.State.ACCEPTED, at, call.ruling))
    else:
        steps.append((CallStep.Action.ACCEPT, Call.State.ACCEPTED, at, ""))
    call.state, call.accepted_at = Call.State.ACCEPTED, at
    return _answer(call, steps, platform, now, rng, late, close_limit, reopen=fate == "reopened")


def _answer(call, steps, platform, now, rng, late, close_limit, reopen):
    """Respond, close and rate, as far as ``now`` allows. A first 不满意 reopens the call, as the service
    does, and it goes round once more; ``reopen`` makes the first rating 不满意."""
    rounds, round_ = (2 if reopen else 1), 1
    while round_ <= rounds:
        share = rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.85)
        at = steps[-1][2] + dt.timedelta(hours=close_limit * share * 0.5)
        if at > now:
            return _save(call, steps, platform)
        call.response = "已到场核查并依法处置"
        steps.append((CallStep.Action.RESPOND, Call.State.ACCEPTED, at, call.response))
        at += dt.timedelta(hours=close_limit * share * 0.4)
        if at > now:
            return _save(call, steps, platform)
        call.state, call.closed_at = Call.State.CLOSED, at
        steps.append((CallStep.Action.CLOSE, call.state, at, ""))
        at += dt.timedelta(hours=rng.uniform(1, 30))
        if at > now:
            return _save(call, steps, platform)
        rating = Call.Rating.DISSATISFIED if reopen and round_ == 1 else _pick(rng, RATINGS)
        call.rating, call.evaluated_at, call.state = rating, at, Call.State.EVALUATED
        call.rating_comment = "问题未彻底解决" if rating == Call.Rating.DISSATISFIED else ""
        steps.append((CallStep.Action.EVALUATE, call.state, at, call.rating_comment))
        if rating == Call.Rating.DISSATISFIED and round_ == 1:
            rounds = 2
            call.state, call.reopened, call.closed_at = Call.State.ACCEPTED, True, None
            call.close_due = at + dt.timedelta(hours=close_limit)
            steps.append((CallStep.Action.REOPEN, call.state, at, call.rating_comment))
        round_ += 1
    return _save(call, steps, platform)


def _save(call, steps, platform):
    call.save()
    CallStep.objects.bulk_create(
        CallStep(call=call, action=action, state_after=state, at=at, note=note, by=platform)
        for action, state, at, note in steps
    )
    return call


def _logins():
    """A town clerk of 大束镇 and a responder of 邹城市's environment branch, plus 邹城市's office."""
    from demo.loader import DEMO_PASSWORD, DemoLogin

    town = Town.objects.get(county__code="370883", name="大束镇")
    department = Department.objects.get(county=town.county, name="生态环境分局")
    accounts = [
        ("dashu_clerk", User.Role.TOWN_STAFF, {"town": town, "department": None}),
        ("zoucheng_eco_responder", User.Role.DEPARTMENT_STAFF, {"town": None, "department": department}),
        ("zoucheng_editor", User.Role.COUNTY_EDITOR, {"town": None, "department": None}),
    ]
    logins = []
    for username, role, scope in accounts:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        changed = (user.role, user.region_id, user.town, user.department) != (
            role,
            town.county_id,
            scope["town"],
            scope["department"],
        )
        if user.pk is None or changed:
            user.role, user.region, user.town, user.department = role, town.county, scope["town"], scope["department"]
            user.save()
        logins.append(DemoLogin(username, user.get_role_display(), town.county.name))
    return logins
