"""Browser saves and deletes must carry the version they read: without it nothing is overwritten."""

import pytest
from django.urls import reverse

from delegation.models import DelegatedPower
from staffing.models import Secondment
from tests.factories import DelegatedPowerFactory, SecondmentFactory, UserFactory

from .test_records import edit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory(take_over_status="pending", take_over_on=None, not_taken_over_reason="原来的")


@pytest.fixture
def editor(client, power):
    user = UserFactory(region=power.town.county)
    client.force_login(user)
    return user


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_save_without_the_version_read_is_refused_and_writes_nothing(client, editor, power, version):
    data = edit_data(power, not_taken_over_reason="覆盖别人的")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(reverse("delegation:powers_update", args=[power.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "缺少您读取时的版本号" in page
    assert 'name="not_taken_over_reason"' in page  # the form is shown again with the user's input
    power.refresh_from_db()
    assert (power.not_taken_over_reason, power.version) == ("原来的", 1)


def test_save_with_the_version_read_still_succeeds(client, editor, power):
    response = client.post(
        reverse("delegation:powers_update", args=[power.pk]), edit_data(power, not_taken_over_reason="新的")
    )
    assert response.status_code == 302
    power.refresh_from_db()
    assert power.not_taken_over_reason == "新的"


@pytest.mark.parametrize("data", [{}, {"version": ""}, {"version": "abc"}, {"version": "99999999999999999999999"}])
def test_delete_without_the_version_read_is_refused_and_deletes_nothing(client, editor, power, data):
    url = reverse("delegation:powers_delete", args=[power.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "缺少您读取时的版本号" in page
    assert f'name="version" value="{power.version}"' in page  # the page offers the delete again, current version
    assert DelegatedPower.objects.filter(pk=power.pk).exists()


def test_delete_page_posts_the_version_it_shows(client, editor):
    secondment = SecondmentFactory(town__county=editor.region)
    url = reverse("staffing:secondments_delete", args=[secondment.pk])
    assert f'name="version" value="{secondment.version}"' in client.get(url).content.decode()
    assert client.post(url, {"version": secondment.version}).status_code == 302
    assert not Secondment.objects.filter(pk=secondment.pk).exists()
