"""Issue 17 item 4: a town's score in a round is the sum of its points on the score sheet's items."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.services import record_delete
from delegation.models import InspectionRound, InspectionScore, ItemPoints, ScoreItem
from tests.api.conftest import client_for
from tests.factories import TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return TownFactory(name="大王镇")


@pytest.fixture
def editor(town):
    return UserFactory(region=town.county)


@pytest.fixture
def inspection(town):
    round_ = InspectionRound.objects.create(
        region=town.county, title="2025年放权赋能督导", kind="composite", held_on=dt.date(2025, 3, 1)
    )
    ScoreItem.objects.create(inspection=round_, name="事项承接", max_points=40)
    ScoreItem.objects.create(inspection=round_, name="规范运行", max_points=60)
    return round_


def _items(inspection):
    return {item.name: item for item in inspection.score_items.all()}


def _sheet(client, inspection, town, points, remarks=""):
    items = _items(inspection)
    data = {"town": town.pk, "remarks": remarks, **{f"item_{items[n].pk}": v for n, v in points.items()}}
    return client.post(reverse("delegation:score_sheet", args=[inspection.pk]), data)


def test_a_clerk_enters_every_items_points_on_one_page_and_the_total_is_graded(client, editor, town, inspection):
    client.force_login(editor)
    page = client.get(reverse("delegation:score_sheet", args=[inspection.pk])).content.decode()
    assert "事项承接" in page
    assert "满分 40.0" in page
    assert "规范运行" in page
    response = _sheet(client, inspection, town, {"事项承接": "36.5", "规范运行": "52"}, remarks="台账规范")
    assert response.status_code == 302
    score = InspectionScore.objects.get(inspection=inspection, town=town)
    assert (score.score, score.grade, score.remarks) == (Decimal("88.5"), "good", "台账规范")
    detail = client.get(response.url).content.decode()
    assert "36.5" in detail
    assert "52.0" in detail
    assert "88.5(良好)" in detail
    # Changing one item re-totals and regrades; the item keeps its history.
    assert _sheet(client, inspection, town, {"事项承接": "40", "规范运行": "52"}).status_code == 302
    score.refresh_from_db()
    assert (score.score, score.grade) == (Decimal("92.0"), "excellent")
    points = ItemPoints.objects.get(score=score, item__name="事项承接")
    assert [h.points for h in points.history.order_by("history_date")] == [Decimal("36.5"), Decimal("40.0")]


def test_points_over_an_items_maximum_are_refused_naming_the_item_and_nothing_is_written(
    client, editor, town, inspection
):
    client.force_login(editor)
    response = _sheet(client, inspection, town, {"事项承接": "45", "规范运行": "50"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“事项承接”得分 45 应在 0 至该项分值 40.0 之间" in page
    assert not InspectionScore.objects.exists()
    assert not ItemPoints.objects.exists()


def test_a_missing_item_is_refused_naming_it(client, editor, town, inspection):
    client.force_login(editor)
    response = _sheet(client, inspection, town, {"事项承接": "30"})
    page = response.content.decode()
    assert "请填写“规范运行”的得分" in page
    assert "has-error" in page
    assert not InspectionScore.objects.exists()


def test_the_api_writes_item_points_and_the_score_follows_them(editor, town, inspection):
    api = client_for(editor)
    items = _items(inspection)
    score = api.post(
        "/api/v1/inspection-scores/", {"inspection": inspection.pk, "town": town.pk, "score": "0"}, format="json"
    )
    assert score.status_code == 201, score.content
    url = f"/api/v1/inspection-scores/{score.json()['id']}/"
    for name, points in (("事项承接", "30"), ("规范运行", "29.5")):
        body = {"score": score.json()["id"], "item": items[name].pk, "points": points}
        response = api.post("/api/v1/inspection-item-points/", body, format="json")
        assert response.status_code == 201, response.content
    read = api.get(url).json()
    assert (read["score"], read["grade"]) == ("59.5", "fail")
    assert [(row["name"], row["max_points"], row["points"]) for row in read["item_points"]] == [
        ("事项承接", "40.0", "30.0"),
        ("规范运行", "60.0", "29.5"),
    ]
    # The total is the items' sum: typing another is refused at the score field.
    refused = api.patch(url, {"score": "80"}, format="json", HTTP_IF_MATCH=f'"{read["version"]}"')
    assert refused.status_code == 400
    assert "59.5" in str(refused.json()["fields"]["score"])


def test_the_api_refuses_points_over_the_maximum_naming_the_item(editor, town, inspection):
    score = InspectionScore.objects.create(inspection=inspection, town=town, score=Decimal("70"))
    body = {"score": score.pk, "item": _items(inspection)["事项承接"].pk, "points": "41"}
    response = client_for(editor).post("/api/v1/inspection-item-points/", body, format="json")
    assert response.status_code == 400
    assert "事项承接" in str(response.json()["fields"]["points"])
    assert not ItemPoints.objects.exists()
    score.refresh_from_db()
    assert score.score == Decimal("70")


def test_a_score_recorded_without_items_keeps_its_total(editor, town, inspection):
    score = InspectionScore.objects.create(inspection=inspection, town=town, score=Decimal("72.5"))
    read = client_for(editor).get(f"/api/v1/inspection-scores/{score.pk}/").json()
    assert (read["score"], read["grade"], read["item_points"]) == ("72.5", "pass", [])


def test_removing_an_items_points_retotals_the_score(client, editor, town, inspection):
    client.force_login(editor)
    _sheet(client, inspection, town, {"事项承接": "35", "规范运行": "50"})
    points = ItemPoints.objects.get(item__name="规范运行")
    record_delete(points, user=editor)
    assert InspectionScore.objects.get(town=town).score == Decimal("35")


def test_an_items_maximum_cannot_fall_below_points_already_given(client, editor, town, inspection):
    client.force_login(editor)
    _sheet(client, inspection, town, {"事项承接": "35", "规范运行": "50"})
    item = _items(inspection)["事项承接"]
    url = f"/api/v1/score-items/{item.pk}/"
    response = client_for(editor).patch(url, {"max_points": "30"}, format="json", HTTP_IF_MATCH=f'"{item.version}"')
    assert response.status_code == 400
    assert "大王镇该项已得 35.0 分" in str(response.json()["fields"]["max_points"])


def test_an_item_with_points_is_not_deleted_alone_but_its_round_is(client, editor, town, inspection):
    client.force_login(editor)
    _sheet(client, inspection, town, {"事项承接": "35", "规范运行": "50"})
    item = _items(inspection)["事项承接"]
    url = reverse("delegation:score-items_delete", args=[item.pk])
    response = client.post(url, {"version": item.version})
    assert response.status_code == 409
    assert "评分项目得分" in response.content.decode()
    assert ScoreItem.objects.filter(pk=item.pk).exists()
    record_delete(inspection, user=editor)
    assert not ItemPoints.objects.exists()
