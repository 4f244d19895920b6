"""No lost updates: the version travels as ETag and must come back as If-Match.

Every ledger model's ETag, 428 and 412 are checked in tests/api/test_ledger_models.py; these follow one
record through a second writer, a weak ETag and a PUT.
"""

import pytest

from tests.factories import OrganFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def organ(town_a):
    return OrganFactory(town=town_a, name="综合行政执法局")


@pytest.fixture
def editor(users):
    return client_for(users["editor_a"])


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_write_without_if_match_is_428(editor, organ, method):
    response = getattr(editor, method)(f"/api/v1/organs/{organ.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    organ.refresh_from_db()
    assert organ.name == "综合行政执法局"


def test_second_writer_with_the_same_version_gets_412(editor, organ):
    url, etag = f"/api/v1/organs/{organ.pk}/", editor.get(f"/api/v1/organs/{organ.pk}/")["ETag"]
    first = editor.patch(url, {"name": "第一次"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] == f'"{organ.version + 1}"'
    second = editor.patch(url, {"name": "第二次"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["code"] == "precondition_failed"
    organ.refresh_from_db()
    assert organ.name == "第一次"


def test_put_with_current_weak_etag_succeeds(editor, organ, town_a):
    body = {"town": town_a.pk, "kind": "institution", "name": "便民服务中心"}
    response = editor.put(f"/api/v1/organs/{organ.pk}/", body, format="json", HTTP_IF_MATCH=f'W/"{organ.version}"')
    assert response.status_code == 200
    assert response.json()["name"] == "便民服务中心"
