"""Who sees and changes what: region at or under one's own, editors only in their county."""

import re

import pytest

from core.scoping import can_edit, visible, visible_in_town
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


@pytest.mark.parametrize("role", ["system_admin", "reviewer", "county_editor", "town_staff", "department_staff"])
def test_a_visible_towns_rows_are_those_visible_to_the_user(towns, role):
    """The town page reads each strand by its town alone: the same rows as through the region tree."""
    from delegation.models import DelegatedPower
    from reforms.models import ReformTask
    from tests.factories import DelegatedPowerFactory, DepartmentFactory, ReformTaskFactory

    linqing, shen, _other = towns
    for town in (linqing, shen):
        ReformTaskFactory(plan__town=town)
        DelegatedPowerFactory(town=town)
    region = {"system_admin": None, "reviewer": Region.objects.get(code="371500")}.get(role, linqing.county)
    user = UserFactory(
        role=role,
        region=region,
        town=linqing if role == "town_staff" else None,
        department=DepartmentFactory(county=linqing.county) if role == "department_staff" else None,
    )
    assert linqing in visible(user, Town)
    for town in visible(user, Town):
        for model in (ReformTask, DelegatedPower):
            expected = set(visible(user, model).filter(**{model.town_path: town}))
            assert set(visible_in_town(user, model, town)) == expected
            assert expected or town not in (linqing, shen)


def _signed_in(user):
    """``user`` as a request's sign-in loads it: with its region."""
    from core.backends import RegionModelBackend

    return RegionModelBackend().get_user(user.pk)


def test_a_county_users_rows_are_found_by_the_county_alone(towns):
    """No region lies under a county: the rows a county user reads are found without joining the
    regions above each row's county (a task's lookup joined two more tables and tested three ORs)."""
    from reforms.models import ReformTask
    from tests.factories import ReformTaskFactory

    linqing, shen, _other = towns
    tasks = {town: ReformTaskFactory(plan__town=town) for town in (linqing, shen)}
    editor = _signed_in(UserFactory(region=linqing.county))
    rows = visible(editor, ReformTask)
    assert set(rows) == {tasks[linqing]}
    assert '"parent_id"' not in str(rows.query)


@pytest.mark.parametrize("code", ["371500", "370000"])
def test_a_city_or_province_users_rows_still_include_every_county_under_it(towns, code):
    linqing, shen, _other = towns
    reviewer = _signed_in(UserFactory(role="reviewer", region=Region.objects.get(code=code)))
    assert set(visible(reviewer, Town)) == {linqing, shen}


def test_a_users_region_not_loaded_is_not_looked_up_to_narrow_the_rows(towns, django_assert_num_queries):
    from core.models import User

    editor = User.objects.get(pk=UserFactory(region=towns[0].county).pk)
    with django_assert_num_queries(0):
        rows = visible(editor, Town)
    assert set(rows) == {towns[0]}


@pytest.mark.parametrize("sign_in", ["form", "force_login"])
def test_a_signed_in_user_comes_with_its_region(towns, sign_in):
    """A page's user is loaded with its region, in one statement: a county clerk's list page then reads
    its rows by the county alone, and fetches the county no more (each page fetched it on its own)."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    linqing, _shen, _other = towns
    clerk = UserFactory(username="clerk", region=linqing.county)
    client = Client()
    if sign_in == "form":
        response = client.post("/accounts/login/", {"username": "clerk", "password": "pass-for-tests"})
        assert response.status_code == 302, response.content.decode()
    else:
        client.force_login(clerk)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/delegation/powers/")
    assert response.status_code == 200
    county_alone = re.compile(rf'FROM "reforms_region" WHERE "reforms_region"\."id" = {linqing.county_id}\b')
    assert [q["sql"] for q in ctx.captured_queries if county_alone.search(q["sql"])] == []
    scoped = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]
    assert scoped
    assert [sql for sql in scoped if '"parent_id"' in sql] == []
    assert client.session[BACKEND_SESSION_KEY] == "core.backends.RegionModelBackend"
