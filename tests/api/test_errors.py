"""One JSON error body with field-level messages, in Chinese or English by Accept-Language."""

import pytest

from tests.factories import DepartmentFactory, OrganFactory, PowerItemFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(users):
    return client_for(users["editor_a"])


@pytest.mark.parametrize(("language", "required"), [("zh-hans", "该字段是必填项。"), ("en", "This field is required.")])
def test_validation_errors_name_each_field_in_the_callers_language(editor, language, required):
    response = editor.post("/api/v1/organs/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"status", "code", "detail", "fields"}
    assert (body["status"], body["code"]) == (400, "invalid")
    assert body["fields"]["name"] == [required]
    assert body["fields"]["town"] == [required]
    assert response["Content-Language"] == language


@pytest.mark.parametrize(("language", "detail"), [("zh-hans", "未找到。"), ("en", "Not found.")])
def test_not_found_in_both_languages(editor, language, detail):
    response = editor.get("/api/v1/organs/987654/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": detail, "fields": {}}


def test_model_validation_from_the_service_is_a_field_error(editor, town_a):
    """Rules checked by full_clean in the services (here a database constraint) answer 400, not 500."""
    OrganFactory(town=town_a, name="党政综合办公室")
    response = editor.post(
        "/api/v1/organs/", {"town": town_a.pk, "kind": "work_organ", "name": "党政综合办公室"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]


def test_permission_denied_has_the_same_shape(users, town_a):
    organ = OrganFactory(town=town_a)
    response = client_for(users["reviewer"]).delete(f"/api/v1/organs/{organ.pk}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_unauthenticated_is_401_with_the_same_shape(db):
    response = client_for(None).get("/api/v1/organs/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_bad_filter_value_is_400_naming_the_filter(editor):
    response = editor.get("/api/v1/delegated-powers/", {"delegated_after": "not-a-date"})
    assert response.status_code == 400
    assert "delegated_after" in response.json()["fields"]


def test_deleting_a_referenced_row_is_a_conflict_not_a_crash(users, town_a):
    department = DepartmentFactory(county=town_a.county)
    PowerItemFactory(source_department=department)
    response = client_for(users["editor_a"]).delete(
        f"/api/v1/departments/{department.pk}/", HTTP_IF_MATCH=f'"{department.version}"'
    )
    assert response.status_code == 409
    assert response.json()["code"] == "protected"


def test_a_body_that_is_not_json_is_415(editor):
    response = editor.post("/api/v1/organs/", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_path_no_route_matches_answers_in_the_api_error_format(client):
    response = client.get("/api/v1/filled-posts/-3.5e-165/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found.", "fields": {}}


def test_an_unknown_page_outside_the_api_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_weight_out_of_range_is_reported_at_that_weight(editor, county_a):
    """The API's fields name the weight that is wrong, not the last weight the rule mentions."""
    body = {
        "region": county_a.pk,
        "name": "派驻机构考核",
        "subject": "dispatched_agency",
        "county_weight": "-20",
        "town_weight": "120",
        "min_town_weight": "60",
        "valid_from": "2022-01-01",
    }
    response = editor.post("/api/v1/assessment-schemes/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) >= {"county_weight", "town_weight"}
    assert "min_town_weight" not in fields
    assert fields["county_weight"] == ["权重必须在 0 到 100 之间。"]
