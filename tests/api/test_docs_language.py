"""The API documentation reads in Chinese by default and in English on request."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(role="reviewer"))
    return client


def schema(client, **params):
    response = client.get(reverse("api:schema"), {"format": "json", **params})
    assert response.status_code == 200
    return response.json()


def texts(node, keys=("title", "description")):
    """Every title and description in the schema, wherever it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str) and value:
                yield value
            yield from texts(value, keys)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, keys)


def test_schema_title_and_introduction_are_chinese(reader):
    info = schema(reader)["info"]
    assert info["title"] == "经济发达镇改革台账 API"
    assert CJK.search(info["description"])


def test_record_components_are_described_by_their_model_not_a_base_class(reader):
    components = schema(reader)["components"]["schemas"]
    assert components["AssessmentScheme"]["description"] == "考核方案"
    assert not any("ModelSerializer" in c.get("description", "") for c in components.values())


def test_filter_bounds_read_in_chinese(reader):
    listing = schema(reader)["paths"]["/api/v1/annual-assessments/"]["get"]
    described = {p["name"]: p.get("description", "") for p in listing["parameters"]}
    assert described["year_from"] == "年度 起(大于或等于)"
    assert not any("greater" in t or "less than" in t for t in texts(schema(reader)))


# A docstring of the statistics API that its own branch rewrites; the only English left.
KNOWN_ENGLISH = {"Totals and rates over the filtered rows (e.g. ?scope_kind=city&region=370500)."}


def test_operations_and_their_parameters_are_described_in_chinese(reader):
    paths = schema(reader)["paths"]
    english = {t for op in paths.values() for method in op.values() for t in texts(method) if not CJK.search(t)}
    assert english <= KNOWN_ENGLISH


def test_english_on_request(reader):
    assert schema(reader, lang="en")["info"]["title"] == "Town Reform Tracker API"


@pytest.mark.parametrize("page", ["api:redoc", "api:swagger-ui"])
def test_docs_pages_offer_both_languages(reader, page):
    html = reader.get(reverse(page)).content.decode()
    assert f'href="{reverse(page)}?lang=en"' in html
    assert f'href="{reverse(page)}?lang=zh-hans"' in html
