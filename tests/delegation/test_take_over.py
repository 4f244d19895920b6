"""承接: a take-over names its date and receiving organ; only 未承接到位 carries a cause, cleared on take-over."""

import pytest
from django.urls import reverse

from delegation.models import DelegatedPower
from tests.api.conftest import client_for
from tests.factories import DelegatedPowerFactory, OrganFactory, UserFactory
from tests.ui.test_records import edit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory(
        take_over_status="not_taken_over",
        take_over_on=None,
        not_taken_over_cause="no_trained_staff",
    )


@pytest.fixture
def editor(power):
    return UserFactory(region=power.town.county)


@pytest.fixture
def organ(power):
    return OrganFactory(town=power.town, name="综合执法办公室")


def _post(client, editor, power, **changes):
    client.force_login(editor)
    return client.post(reverse("delegation:powers_update", args=[power.pk]), edit_data(power, **changes))


def _patch(editor, power, body):
    url = f"/api/v1/delegated-powers/{power.pk}/"
    return client_for(editor).patch(url, body, format="json", HTTP_IF_MATCH=f'"{power.version}"')


@pytest.mark.parametrize(
    ("missing", "given"),
    [("take_over_on", {"receiving_organ": "organ"}), ("receiving_organ", {"take_over_on": "2019-06-01"})],
)
def test_form_refuses_taken_over_without_date_or_organ(client, editor, power, organ, missing, given):
    """The form names the missing field and nothing changes."""
    given = {k: (organ.pk if v == "organ" else v) for k, v in given.items()}
    response = _post(client, editor, power, take_over_status="taken_over", **given)
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    power.refresh_from_db()
    assert power.take_over_status == "not_taken_over"


@pytest.mark.parametrize(
    ("missing", "given"),
    [("take_over_on", {"receiving_organ": "organ"}), ("receiving_organ", {"take_over_on": "2019-06-01"})],
)
def test_api_refuses_taken_over_without_date_or_organ(editor, power, organ, missing, given):
    given = {k: (organ.pk if v == "organ" else v) for k, v in given.items()}
    response = _patch(editor, power, {"take_over_status": "taken_over", **given})
    assert response.status_code == 400
    assert missing in response.json()["fields"]
    power.refresh_from_db()
    assert (power.take_over_status, power.version) == ("not_taken_over", 1)


def test_receiving_organ_must_be_of_the_town(editor, power):
    elsewhere = OrganFactory(name="别镇机构")
    response = _patch(
        editor, power, {"take_over_status": "taken_over", "take_over_on": "2019-06-01", "receiving_organ": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "receiving_organ" in response.json()["fields"]


def test_taking_over_clears_the_cause_and_history_keeps_it(client, editor, power, organ):
    response = _post(
        client,
        editor,
        power,
        take_over_status="taken_over",
        take_over_on="2019-06-01",
        receiving_organ=organ.pk,
        not_taken_over_cause="no_trained_staff",
    )
    assert response.status_code == 302
    power.refresh_from_db()
    assert (power.take_over_status, power.not_taken_over_cause, power.receiving_organ) == ("taken_over", "", organ)
    assert power.history.order_by("history_id")[0].not_taken_over_cause == "no_trained_staff"


def test_not_taken_over_needs_a_cause(editor):
    power = DelegatedPowerFactory(take_over_status="pending", take_over_on=None)
    editor = UserFactory(region=power.town.county)
    response = _patch(editor, power, {"take_over_status": "not_taken_over"})
    assert response.status_code == 400
    assert "not_taken_over_cause" in response.json()["fields"]


def test_other_cause_needs_its_text(client, editor, power):
    response = _post(client, editor, power, take_over_status="not_taken_over", not_taken_over_cause="other")
    assert "not_taken_over_reason" in response.context["form"].errors
    response = _post(
        client,
        editor,
        power,
        take_over_status="not_taken_over",
        not_taken_over_cause="other",
        not_taken_over_reason="设备未到位",
    )
    assert response.status_code == 302
    power.refresh_from_db()
    assert (power.not_taken_over_cause, power.not_taken_over_reason) == ("other", "设备未到位")


def test_cause_choices_are_the_documents(client, editor, power):
    client.force_login(editor)
    page = client.get(reverse("delegation:powers_update", args=[power.pk])).content.decode()
    for label in ("缺少经培训的人员", "派驻机构管理体制未理顺", "不适合本镇实际", "其他"):
        assert label in page


def test_api_shows_the_cause(editor, power):
    body = client_for(editor).get(f"/api/v1/delegated-powers/{power.pk}/").json()
    assert body["not_taken_over_cause"] == DelegatedPower.NotTakenOverCause.NO_TRAINED_STAFF
