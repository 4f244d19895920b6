"""Who sees and changes what: region at or under one's own, editors only in their county."""

import pytest

from core.scoping import can_edit, visible
from reforms.models import Region, SourceDocument, Town
from tests.factories import CountyFactory, SourceDocumentFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns():
    linqing = TownFactory()
    shen = TownFactory(county=CountyFactory(code="371522", name="莘县"))
    other_province = TownFactory(
        county=CountyFactory(
            code="511702",
            name="通川区",
            parent__code="511700",
            parent__name="达州市",
            parent__parent__code="510000",
            parent__parent__name="四川省",
        )
    )
    return linqing, shen, other_province


def test_city_reviewer_sees_all_towns_of_the_city_only(towns):
    linqing, shen, _other = towns
    reviewer = UserFactory(role="reviewer", region=Region.objects.get(code="371500"))
    assert set(visible(reviewer, Town)) == {linqing, shen}


def test_county_editor_sees_and_edits_own_county_only(towns):
    linqing, shen, _ = towns
    editor = UserFactory(region=linqing.county)
    assert set(visible(editor, Town)) == {linqing}
    assert can_edit(editor, linqing)
    assert not can_edit(editor, shen)


def test_reviewer_edits_nothing(towns):
    reviewer = UserFactory(role="reviewer", region=towns[0].county)
    assert not can_edit(reviewer, towns[0])


def test_province_document_is_visible_to_county_users(towns):
    province_doc = SourceDocumentFactory(region=Region.objects.get(code="370000"))
    sichuan_doc = SourceDocumentFactory(region=Region.objects.get(code="510000"))
    editor = UserFactory(region=towns[0].county)
    assert set(visible(editor, SourceDocument)) == {province_doc}
    assert sichuan_doc not in visible(editor, SourceDocument)


def test_admin_sees_everything(towns, admin_user):
    assert visible(admin_user, Town).count() == 3
