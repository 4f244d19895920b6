"""The dashboard's town ranking equals one recomputed from the raw ledger rows, after edits and in past months.

The ranking is read from the stored per-town totals (``TownPowerTotal``); these tests read it off the
page and compare it with the towns' powers counted in Python (``reforms.measures``).
"""

import datetime as dt
import re

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from core.models import User
from core.services import record_update
from delegation.models import DelegatedPower
from reforms.measures import power_split
from reforms.models import Region, Town
from stats import services
from stats.models import PowerFigure, ScopeKind, TownPowerTotal
from stats.selectors import RANKING_LIMIT, percent_share

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<a href="/dashboard/town/(\d+)/\?period=[\d-]+">.*?<td class="num"><a [^>]*>([\d.]+)%</a>', re.S)


def _province():
    """The province with the most towns, where the ranking has a best and a worst end."""
    provinces = Region.objects.filter(level="province")
    return max(provinces, key=lambda p: Town.objects.filter(county__parent__parent=p).count())


def shown_ranking(province, period):
    """[(town code, running rate as shown)] of the page's ranking blocks, in page order."""
    reviewer, _ = User.objects.get_or_create(username="ranking-reviewer", role="reviewer", region=province)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(reviewer)
    response = client.get(f"/dashboard/region/{province.code}/?period={period:%Y-%m}")
    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index("镇运行率排名") :]
    section = section[: section.index("</section>")]
    return ROW.findall(section)


def ledger_ranking(province, period):
    """The same lists, from the raw ledger rows: best first, then worst first when they differ."""
    rates = []
    for town in Town.objects.filter(county__parent__parent=province):
        split = power_split(town, period)
        taken_over = split["running"] + split["unused"]
        if taken_over:
            rates.append(
                (split["running"] / taken_over, town.pk, town.code, percent_share(split["running"], taken_over))
            )
    ranked = [(code, str(rate)) for _r, _pk, code, rate in sorted(rates, key=lambda r: (-r[0], r[1]))]
    if len(ranked) < RANKING_LIMIT:
        return ranked
    return ranked[:RANKING_LIMIT] + ranked[::-1][:RANKING_LIMIT]


def test_the_ranking_shown_equals_the_ledger(demo):
    province, period = _province(), timezone.localdate().replace(day=1)
    shown = shown_ranking(province, period)
    assert len(shown) > 3
    assert shown == ledger_ranking(province, period)


def test_after_an_edit_the_ranking_follows_the_ledger(
    demo, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    province, period = _province(), timezone.localdate().replace(day=1)
    before = shown_ranking(province, period)
    shown_towns = {code for code, _rate in before}
    power = DelegatedPower.objects.filter(
        town__code__in=shown_towns, take_over_status=DelegatedPower.TakeOverStatus.NOT_TAKEN_OVER
    ).first()
    data = {
        "take_over_status": "taken_over",
        "take_over_on": power.delegated_on,
        "receiving_organ": power.town.organs.first(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        record_update(power, user=admin_user, data=data)
    after = shown_ranking(province, period)
    assert after != before
    assert after == ledger_ranking(province, period)
    # The town's run left nothing for the full run to change.
    assert services.recompute_all(analyse=False).rows_written == 0


def test_a_past_months_ranking_after_a_backfill_equals_the_ledger_then(demo):
    province, period = _province(), dt.date(2023, 11, 1)
    services.recompute_history(period, period)
    assert shown_ranking(province, period) == ledger_ranking(province, period)


def test_each_total_is_the_sum_of_its_towns_power_rows(demo):
    period = timezone.localdate().replace(day=1)
    rows = PowerFigure.objects.filter(scope_kind=ScopeKind.TOWN, period=period).values("scope_id", "region_id")
    sums = {
        (r["scope_id"], r["region_id"]): (r["d"], r["t"], r["r"])
        for r in rows.annotate(d=Sum("delegated"), t=Sum("taken_over"), r=Sum("running")).order_by()
    }
    totals = TownPowerTotal.objects.filter(period=period)
    assert sums
    assert {(t.town_id, t.region_id): (t.delegated, t.taken_over, t.running) for t in totals} == sums
