"""Training and supervision: a power's training, the untrained alert, grades, overdue rectification."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.services import record_create, record_update
from delegation.models import Finding, InspectionRound, InspectionScore, Training, TrainingCoverage
from stats.alerts import sync_alerts
from stats.models import Alert, AlertRule
from stats.services import recompute_all
from tests.api.conftest import client_for
from tests.factories import DelegatedPowerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def power():
    return DelegatedPowerFactory(
        delegated_on=D(2023, 1, 1),
        catalogue__issued_on=D(2023, 1, 1),
        take_over_status="not_taken_over",
        take_over_on=None,
        not_taken_over_cause="no_trained_staff",
        item__name="燃气经营许可",
    )


@pytest.fixture
def editor(power):
    return UserFactory(region=power.town.county)


def _train(editor, power, held_on):
    training = record_create(
        Training,
        user=editor,
        data={
            "town": power.town,
            "department": DepartmentFactory(county=power.town.county, name=f"住建局{held_on}"),
            "held_on": held_on,
            "topic": "燃气经营许可审批培训",
            "attendees": 6,
        },
    )
    record_create(TrainingCoverage, user=editor, data={"training": training, "power": power})
    return training


def _open(rule, town):
    return list(Alert.objects.filter(rule=rule, town=town, is_open=True).values_list("subject_id", flat=True))


def test_untrained_alert_follows_the_clock(editor, power):
    """Raised 12 months after delegation with no training; cleared by a training; back a year later."""
    sync_alerts(D(2023, 12, 31))
    assert _open(AlertRule.UNTRAINED, power.town) == []
    sync_alerts(D(2024, 2, 1))
    assert _open(AlertRule.UNTRAINED, power.town) == [power.pk]
    alert = Alert.objects.get(rule=AlertRule.UNTRAINED, is_open=True)
    assert "燃气经营许可" in alert.message_in("zh-hans")
    _train(editor, power, D(2024, 1, 15))
    sync_alerts(D(2024, 2, 1))
    assert _open(AlertRule.UNTRAINED, power.town) == []
    sync_alerts(D(2025, 2, 1))
    assert _open(AlertRule.UNTRAINED, power.town) == [power.pk]


def test_a_power_taken_over_raises_no_untrained_alert(power):
    power.take_over_status, power.take_over_on, power.not_taken_over_cause = "taken_over", D(2023, 3, 1), ""
    power.save()
    sync_alerts(D(2025, 2, 1))
    assert _open(AlertRule.UNTRAINED, power.town) == []


def test_power_page_shows_its_training(client, editor, power):
    _train(editor, power, D(2024, 1, 15))
    client.force_login(editor)
    page = client.get(reverse("delegation:powers_detail", args=[power.pk])).content.decode()
    assert "燃气经营许可审批培训" in page


def test_untrained_filter_lists_powers_without_recent_training(editor, power):
    trained = DelegatedPowerFactory(
        town=power.town, take_over_status="pending", take_over_on=None, delegated_on=D(2023, 1, 1)
    )
    _train(editor, trained, D(2024, 1, 15))
    client = client_for(editor)
    rows = client.get("/api/v1/delegated-powers/", {"untrained": "true", "state_as_of": "2024-02-01"}).json()
    assert [row["id"] for row in rows["results"]] == [power.pk]


@pytest.fixture
def inspection(power):
    return InspectionRound.objects.create(
        region=power.town.county, title="2025年下放事项运行督导", kind="composite", held_on=D(2025, 3, 1)
    )


@pytest.mark.parametrize(
    ("score", "grade"), [("90", "excellent"), ("89.9", "good"), ("80", "good"), ("60", "pass"), ("59.9", "fail")]
)
def test_scores_are_graded_by_the_rounds_bands(editor, power, inspection, score, grade):
    body = {"inspection": inspection.pk, "town": power.town.pk, "score": score}
    response = client_for(editor).post("/api/v1/inspection-scores/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["grade"] == grade


def test_bands_must_descend(editor, power):
    body = {
        "region": power.town.county.pk,
        "title": "x",
        "kind": "self_check",
        "held_on": "2025-01-01",
        "excellent_from": "80",
        "good_from": "85",
        "pass_from": "60",
    }
    response = client_for(editor).post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 400
    assert not InspectionRound.objects.filter(title="x").exists()


def test_overdue_rectification_alert_follows_the_clock(editor, power, inspection):
    finding = record_create(
        Finding,
        user=editor,
        data={"inspection": inspection, "town": power.town, "description": "办件未上平台", "deadline": D(2025, 3, 31)},
    )
    sync_alerts(D(2025, 3, 31))
    assert _open(AlertRule.RECTIFICATION_OVERDUE, power.town) == []
    sync_alerts(D(2025, 4, 1))
    assert _open(AlertRule.RECTIFICATION_OVERDUE, power.town) == [finding.pk]
    record_update(finding, user=editor, data={"status": "rectified", "rectified_on": D(2025, 4, 10)})
    sync_alerts(D(2025, 4, 15))
    assert _open(AlertRule.RECTIFICATION_OVERDUE, power.town) == []


def test_api_lists_findings_and_scores_of_a_round(editor, power, inspection):
    record_create(
        Finding,
        user=editor,
        data={"inspection": inspection, "town": power.town, "description": "台账不全", "deadline": D(2025, 6, 30)},
    )
    client = client_for(editor)
    findings = client.get("/api/v1/findings/", {"inspection": inspection.pk}).json()["results"]
    assert [row["description"] for row in findings] == ["台账不全"]
    assert findings[0]["status"] == "open"
    assert Decimal(inspection.excellent_from) == Decimal(90)


def _dashboard(client, path):
    page = client.get(path).content.decode()
    return page.split('id="oversight"', 1)[1].split("</section>", 1)[0]


def test_reviewers_compare_grades_across_rounds_on_the_region_dashboard(client, power, inspection):
    later = InspectionRound.objects.create(
        region=power.town.county, title="2026年复查", kind="spot_check", held_on=D(2026, 3, 1)
    )
    InspectionScore.objects.create(inspection=inspection, town=power.town, score=Decimal("72.5"))
    InspectionScore.objects.create(inspection=later, town=power.town, score=Decimal("91"))
    elsewhere = DelegatedPowerFactory(town__county__code="371522", town__name="古云镇")
    InspectionScore.objects.create(inspection=inspection, town=elsewhere.town, score=Decimal("50"))
    recompute_all(D(2026, 4, 15))
    client.force_login(UserFactory(role="reviewer", region=power.town.county))
    section = _dashboard(client, f"/dashboard/region/{power.town.county.code}/")
    assert "2026年复查" in section
    assert "72.5(合格)" in section
    assert "91.0(优秀)" in section
    assert "+18.5" in section  # the change from the town's previous round
    assert "古云镇" not in section
    # At a month before the second round, only the first is compared.
    recompute_all(D(2025, 6, 15))
    earlier = _dashboard(client, f"/dashboard/region/{power.town.county.code}/?period=2025-06")
    assert "72.5(合格)" in earlier
    assert "2026年复查" not in earlier


def test_the_town_dashboard_shows_its_grades_over_rounds_and_open_rectifications(client, editor, power, inspection):
    later = InspectionRound.objects.create(
        region=power.town.county, title="2026年复查", kind="spot_check", held_on=D(2026, 3, 1)
    )
    InspectionScore.objects.create(inspection=inspection, town=power.town, score=Decimal("92"))
    InspectionScore.objects.create(inspection=later, town=power.town, score=Decimal("78"))
    for description, deadline in (("办件未上平台", D(2025, 4, 30)), ("台账不全", D(2099, 1, 1))):
        record_create(
            Finding,
            user=editor,
            data={"inspection": inspection, "town": power.town, "description": description, "deadline": deadline},
        )
    recompute_all()
    client.force_login(UserFactory(role="reviewer", region=power.town.county))
    section = _dashboard(client, f"/dashboard/town/{power.town.code}/")
    rows = section.split("<h3>", 1)
    assert "2026年复查" in rows[0]
    assert "-14.0" in rows[0]
    assert "<td>优秀</td>" in rows[0]
    assert "<td>合格</td>" in rows[0]
    assert "办件未上平台" in rows[1]
    assert rows[1].count("逾期未整改") == 1  # 台账不全 is not due yet
    assert "台账不全" in rows[1]
