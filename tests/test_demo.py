"""The demo loader reproduces the five documents' figures and is idempotent."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from delegation.models import DelegatedPower
from delegation.selectors import derived_state_counts, edition_diff, in_force_q, town_editions
from demo.loader import load_demo
from finance.models import FiscalYearRecord
from reforms.models import ReportedFigure, Town
from staffing.models import HeadcountQuota, Nameplate, Organ

pytestmark = pytest.mark.django_db


def _by_type(town_code):
    """The town's powers in force today by type: a later edition may have withdrawn and added some."""
    powers = DelegatedPower.objects.filter(in_force_q(timezone.localdate()), town__code=town_code)
    return dict(powers.values_list("item__type_code").annotate(n=Count("pk")))


def _snapshot():
    """Every row of every app model, minus timestamps, keyed by model."""
    snapshot = {}
    for label in ("core", "reforms", "delegation", "staffing", "finance", "territory"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if f.attname not in ("created_at", "updated_at", "last_login", "password", "history_date", "history_id")
            ]
            snapshot[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    return snapshot


def test_loading_twice_changes_no_row(demo):
    before = _snapshot()
    load_demo()
    assert _snapshot() == before


def test_yandian_catalogue_is_35_licences_91_penalties_1_confirmation_1_payment(demo):
    assert _by_type("371581109000") == {"01": 35, "02": 91, "07": 1, "05": 1}


def test_guyun_catalogue_is_32_64_2_2(demo):
    assert _by_type("371522106000") == {"01": 32, "02": 64, "07": 2, "05": 2}


def test_dongying_split_is_401_179_155_67(demo):
    powers = DelegatedPower.objects.filter(town__county__parent__code="370500")
    assert powers.count() == 401
    assert derived_state_counts(powers) == {"running": 179, "unused": 155, "not_taken_over": 67}
    assert Town.objects.filter(county__parent__code="370500").count() == 6


def test_dazhou_delegates_11_approvals_132_penalties_21_other_over_seven_towns(demo):
    powers = DelegatedPower.objects.filter(town__county__parent__code="511700")
    assert dict(powers.values_list("item__type_code").annotate(n=Count("pk"))) == {"01": 11, "02": 132, "10": 21}
    assert powers.values("town").distinct().count() == 7


def test_guangtong_headcount_is_38_administrative_11_leadership_70_institutional(demo):
    quotas = dict(HeadcountQuota.objects.filter(town__code="532311102000").values_list("post_type", "approved"))
    assert quotas == {"administrative": 38, "leadership": 11, "institutional": 70}
    assert sum(quotas[k] for k in ("administrative", "institutional")) == 108


def test_guangtong_approval_bureau_handled_12014_cases_by_december_2021(demo):
    """The document's 12,014 is the total at its period; the living ledger adds cases after it."""
    total = DelegatedPower.objects.filter(
        town__code="532311102000", item__type_code__in=["01", "20"], case_counts__month__lte="2021-12-01"
    ).aggregate(n=Sum("case_counts__accepted"))["n"]
    assert total == 12014


def test_guangtong_incentive_is_promised_and_unpaid(demo):
    records = FiscalYearRecord.objects.filter(arrangement__town__code="532311102000", arrangement__kind="incentive")
    assert records.aggregate(p=Sum("paid"))["p"] == Decimal(0)
    assert records.aggregate(p=Sum("promised"))["p"] == Decimal("15000000.00")


def test_liaocheng_towns_have_8_work_organs_6_institutions_with_nameplates(demo):
    for code in ("371581109000", "371522106000"):
        organs = Organ.objects.filter(town__code=code)
        assert organs.filter(kind="work_organ").count() == 8
        assert organs.filter(kind="institution").count() == 6
    assert set(
        Nameplate.objects.filter(organ__town__code="371581109000", organ__name="经济发展局").values_list(
            "name", flat=True
        )
    ) == {"农业农村办公室", "生态环境办公室"}


def test_every_policy_figure_links_to_its_document(demo):
    assert not HeadcountQuota.objects.filter(document__isnull=True).exists()
    assert ReportedFigure.objects.get(label="下沉编制").document.title.startswith("济宁")


def test_generated_rows_are_marked(demo):
    assert DelegatedPower.objects.filter(is_generated=False).count() == 0
    assert Town.objects.get(code="371581109000").is_generated is False
    assert Town.objects.filter(name__endswith="试点镇", is_generated=False).count() == 0


def test_command_prints_one_login_per_role(demo, capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    from stats.models import PowerFigure

    # The dashboards have figures to show straight after setup, without waiting for the nightly run.
    assert PowerFigure.objects.exists()
    out = capsys.readouterr().out
    for username in ("admin", "linqing_editor", "shandong_reviewer", "linqing_platform"):
        assert username in out


def test_command_refuses_production_without_force(demo, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_production_settings_serve_load_demo_from_the_demo_app():
    """The production smoke runs ``load_demo --force``: the demo app, not core, must provide it there too."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); "
        "from django.core.management import get_commands; print(get_commands()['load_demo'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.gov.cn")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "demo"


def test_jinings_generated_pilot_towns_hold_its_3291_posts_21_a_town(demo):
    towns = Town.objects.filter(county__parent__code="370800")
    assert towns.count() == 157
    assert not towns.filter(is_generated=False).exists()
    posts = HeadcountQuota.objects.filter(town__in=towns)
    assert posts.aggregate(n=Sum("approved"))["n"] == 3291
    assert set(posts.values_list("approved", flat=True)) == {20, 21}


def test_jinings_towns_grade_county_departments_and_dispatched_agencies_under_its_schemes(demo):
    from reforms.models import AssessmentScore

    scores = AssessmentScore.objects.filter(town__county__parent__code="370800")
    assert dict(scores.values_list("scheme__subject").annotate(n=Count("pk"))) == {
        "county_department": 157,
        "dispatched_agency": 157,
    }
    assert {(s.scheme.town_weight, s.scheme.min_town_weight) for s in scores.select_related("scheme")} == {
        (Decimal(30), Decimal(30)),
        (Decimal(60), Decimal(60)),
    }


def test_yandian_has_its_2019_edition_and_a_generated_adjustment(demo):
    town = Town.objects.get(code="371581109000")
    first, second = town_editions(town)
    assert (first.edition, first.is_generated, second.is_generated) == (1, False, True)
    diff = edition_diff(first, second, town)
    assert (len(diff.added), len(diff.withdrawn), len(diff.changed)) == (2, 2, 1)
    assert all(power.item.is_generated for power in diff.added)


def test_dongying_has_training_and_a_graded_inspection_with_findings(demo):
    from delegation.models import Finding, InspectionScore, TrainingCoverage

    covered = TrainingCoverage.objects.filter(power__town__county__parent__code="370500")
    assert covered.exists()
    assert not covered.filter(power__take_over_status="taken_over").exists()
    grades = InspectionScore.objects.filter(town__county__parent__code="370500").values_list("grade", flat=True)
    assert sorted(set(grades)) == ["excellent", "fail", "good", "pass"]
    assert len(grades) == 6
    assert Finding.objects.filter(town__county__parent__code="370500", status="open").count() == 4


def test_dongying_scores_are_their_items_points_added_up(demo):
    from delegation.models import InspectionScore

    scores = InspectionScore.objects.filter(town__county__parent__code="370500").annotate(
        items=Sum("item_points__points")
    )
    assert [(s.town.code, s.items) for s in scores] == [(s.town.code, s.score) for s in scores]
    over = InspectionScore.objects.filter(
        town__county__parent__code="370500", item_points__points__gt=F("item_points__item__max_points")
    )
    assert not over.exists()
    assert all(s.item_points.count() == s.inspection.score_items.count() for s in scores)


def test_dongying_reviewer_compares_the_six_towns_grades_on_the_dashboard(demo):
    from django.test import Client

    from core.models import User
    from delegation.models import InspectionScore

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="dongying_reviewer"))
    page = client.get("/dashboard/region/370500/").content.decode()
    section = page.split('id="oversight"', 1)[1].split("</section>", 1)[0]
    assert "东营市试点强镇下放事项运行督导检查(演示生成)" in section
    for score in InspectionScore.objects.filter(town__county__parent__code="370500").select_related("town"):
        assert score.town.name in section
        assert f"{score.score}({score.get_grade_display()})" in section
