"""Browser forms: scoped choices, field errors, optimistic-lock conflicts, reviewers and other counties."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from delegation.models import DelegatedPower
from reforms.models import Town
from staffing.models import Secondment
from tests.factories import (
    DelegatedPowerFactory,
    DelegationCatalogueFactory,
    OrganFactory,
    SecondmentFactory,
    TownFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory(take_over_status="pending", take_over_on=None)


@pytest.fixture
def editor(power):
    return UserFactory(region=power.town.county)


def edit_data(power, **changes):
    data = {
        "town": power.town.pk,
        "catalogue": power.catalogue.pk,
        "item": power.item.pk,
        "mode": power.mode,
        "delegated_on": power.delegated_on.isoformat(),
        "take_over_status": power.take_over_status,
        "take_over_on": "",
        "not_taken_over_cause": power.not_taken_over_cause,
        "not_taken_over_reason": "",
        "receiving_organ": power.receiving_organ_id or "",
        "version": power.version,
    }
    data.update(changes)
    return data


def test_editor_changes_take_over_status(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    organ = OrganFactory(town=power.town)
    response = client.post(
        url, edit_data(power, take_over_status="taken_over", take_over_on="2019-06-01", receiving_organ=organ.pk)
    )
    assert response.status_code == 302
    power.refresh_from_db()
    assert power.take_over_status == "taken_over"
    assert power.history.first().history_user == editor


def test_field_error_appears_at_the_field_in_chinese(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    response = client.post(url, edit_data(power, take_over_status="not_taken_over"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "未承接到位的事项必须选择原因。" in page
    power.refresh_from_db()
    assert power.take_over_status == "pending"


def test_date_before_catalogue_issue_is_refused_at_that_field(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    response = client.post(url, edit_data(power, delegated_on="2000-01-01"))
    assert 'id="id_delegated_on-errors"' in response.content.decode()
    assert "下放日期不能早于放权目录的发布日期" in response.content.decode()


def test_stale_version_shows_both_versions_and_saves_nothing(client, editor, power):
    client.force_login(editor)
    stale = power.version
    DelegatedPower.objects.filter(pk=power.pk).update(not_taken_over_reason="别人写的", version=stale + 1)
    url = reverse("delegation:powers_update", args=[power.pk])
    response = client.post(url, edit_data(power, not_taken_over_reason="我写的", version=stale))
    page = response.content.decode()
    assert response.status_code == 409
    assert "保存冲突" in page
    assert "我写的" in page
    assert "别人写的" in page
    power.refresh_from_db()
    assert power.not_taken_over_reason == "别人写的"


def test_reapplying_after_conflict_overwrites_knowingly(client, editor, power):
    client.force_login(editor)
    DelegatedPower.objects.filter(pk=power.pk).update(version=power.version + 1)
    url = reverse("delegation:powers_update", args=[power.pk])
    response = client.post(url, edit_data(power, not_taken_over_reason="我写的", version=power.version + 1))
    assert response.status_code == 302
    power.refresh_from_db()
    assert power.not_taken_over_reason == "我写的"


def test_editor_of_another_county_gets_404(client, power):
    other = UserFactory(region=TownFactory(county__code="371522", county__name="莘县").county)
    client.force_login(other)
    assert client.get(reverse("delegation:powers_detail", args=[power.pk])).status_code == 404
    response = client.post(reverse("delegation:powers_update", args=[power.pk]), edit_data(power))
    assert response.status_code == 404


def test_reviewer_sees_no_edit_button_and_is_refused_on_post(client, power):
    reviewer = UserFactory(role="reviewer", region=power.town.county.parent)
    client.force_login(reviewer)
    page = client.get(reverse("delegation:powers_detail", args=[power.pk])).content.decode()
    assert power.item.name in page
    assert reverse("delegation:powers_update", args=[power.pk]) not in page
    response = client.post(reverse("delegation:powers_update", args=[power.pk]), edit_data(power))
    assert response.status_code == 403
    assert client.post(reverse("delegation:powers_delete", args=[power.pk])).status_code == 403
    assert client.post(reverse("staffing:secondments_create"), {}).status_code == 403


def test_choices_offer_only_the_editors_own_towns(client, editor, power):
    foreign = TownFactory(county__code="371522", county__name="莘县")
    client.force_login(editor)
    page = client.get(reverse("staffing:secondments_create")).content.decode()
    assert power.town.name in page
    assert foreign.name not in page


def test_posting_another_countys_town_is_refused(client, editor):
    foreign = TownFactory(county__code="371522", county__name="莘县")
    client.force_login(editor)
    data = {
        "town": foreign.pk,
        "staff_reference": "S-1",
        "borrowing_unit": "县发改局",
        "joined_town_on": "2015-01-01",
        "starts_on": "2025-01-01",
        "ends_on": "2025-03-01",
    }
    response = client.post(reverse("staffing:secondments_create"), data)
    assert response.status_code == 200
    assert not Secondment.objects.exists()


def test_create_then_delete_records_history(client, editor, power):
    client.force_login(editor)
    data = {
        "town": power.town.pk,
        "staff_reference": "S-9",
        "borrowing_unit": "县发改局",
        "joined_town_on": "2015-01-01",
        "starts_on": "2025-01-01",
        "ends_on": "2025-03-01",
    }
    response = client.post(reverse("staffing:secondments_create"), data)
    secondment = Secondment.objects.get()
    assert response.url == reverse("staffing:secondments_detail", args=[secondment.pk])
    response = client.post(
        reverse("staffing:secondments_delete", args=[secondment.pk]), {"version": secondment.version}
    )
    assert response.status_code == 302
    assert not Secondment.objects.exists()
    assert [h.history_type for h in Secondment.history.all()] == ["-", "+"]


def test_secondment_ending_before_start_is_refused_with_message(client, editor, power):
    client.force_login(editor)
    data = {
        "town": power.town.pk,
        "staff_reference": "S-9",
        "borrowing_unit": "县发改局",
        "joined_town_on": "2015-01-01",
        "starts_on": "2025-03-01",
        "ends_on": "2025-01-01",
    }
    page = client.post(reverse("staffing:secondments_create"), data).content.decode()
    assert "借调结束日期必须晚于开始日期。" in page
    assert not Secondment.objects.exists()


def test_history_shows_who_changed_what_with_old_and_new_values(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    organ = OrganFactory(town=power.town)
    client.post(
        url, edit_data(power, take_over_status="taken_over", take_over_on="2019-06-01", receiving_organ=organ.pk)
    )
    page = client.get(reverse("delegation:powers_detail", args=[power.pk])).content.decode()
    assert "修改历史" in page
    assert str(editor) in page
    assert "<del>待承接</del>" in page
    assert "<ins>已承接</ins>" in page


def test_list_filters_with_the_api_filterset_and_sorts(client, editor, power):
    other = DelegatedPowerFactory(
        town=power.town,
        catalogue=power.catalogue,
        item__source_department=power.item.source_department,
        take_over_status="taken_over",
    )
    client.force_login(editor)
    url = reverse("delegation:powers_list")
    page = client.get(url, {"take_over_status": "taken_over"}).content.decode()
    assert other.item.name in page
    assert power.item.name not in page
    page = client.get(url, {"sort": "-item__name"}).content.decode()
    assert page.index(other.item.name) < page.index(power.item.name)


def test_list_pages_without_a_query_per_row(client, editor, power, django_assert_max_num_queries):
    for _ in range(60):
        DelegatedPowerFactory(town=power.town, catalogue=power.catalogue)
    client.force_login(editor)
    # Two of them fill the region and town pickers, whatever the number of rows.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("delegation:powers_list"), {"page": 2})
    assert response.status_code == 200
    assert "第 2 / 2 页" in response.content.decode()


def test_editor_home_shows_key_figures(client, editor, power):
    DelegationCatalogueFactory(county=power.town.county)
    client.force_login(editor)
    response = client.get(reverse("home"))
    towns = list(response.context["towns"])
    assert towns[0].powers_delegated == 1
    assert towns[0].powers_taken_over == 0


def test_editor_home_counts_powers_as_the_dashboard_does_today(client, editor, power):
    """Delegated: the powers in force today; taken over: those taken over by today. A power withdrawn
    last year, or recorded with a take-over date still to come, reads the same here as on the
    town's dashboard."""
    today = timezone.localdate()
    DelegatedPowerFactory(town=power.town)  # taken over in 2019
    DelegatedPowerFactory(town=power.town, take_over_on=today + dt.timedelta(days=20))
    DelegatedPowerFactory(town=power.town, withdrawn_on=today - dt.timedelta(days=365), withdrawal_reason="调整")
    client.force_login(editor)
    page = client.get(reverse("home")).content.decode()
    row = re.search(rf"{power.town.name}</a>.*?</tr>", page, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row)[:2] == ["3", "1"], row


def test_my_towns_pages_a_large_scope_and_finds_a_town_by_name_or_code(client, editor, power):
    county = power.town.county
    for _ in range(54):
        TownFactory(county=county)
    named = TownFactory(county=county, name="烟店镇")
    elsewhere = TownFactory(county__code="371522", county__name="莘县", name="外县镇")
    in_scope = Town.objects.filter(county=county).count()
    assert 50 < in_scope <= 100
    client.force_login(editor)
    first = client.get(reverse("reforms:my_towns"))
    assert len(first.context["towns"]) == 50
    assert f"共 {in_scope} 个镇" in first.content.decode()
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(reverse("reforms:my_towns"), {"page": 2})
    assert len(second.context["towns"]) == in_scope - 50
    by_name = client.get(reverse("reforms:my_towns"), {"q": "烟店"})
    assert [t.pk for t in by_name.context["towns"]] == [named.pk]
    by_code = client.get(reverse("reforms:my_towns"), {"q": named.code})
    assert [t.pk for t in by_code.context["towns"]] == [named.pk]
    # Search never reaches beyond the user's scope.
    assert not client.get(reverse("reforms:my_towns"), {"q": elsewhere.name}).context["towns"]
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reforms:my_towns")}">全部的镇' in home


def test_town_page_shows_every_strand(client, editor, power):
    SecondmentFactory(town=power.town, starts_on=dt.date(2025, 1, 1))
    client.force_login(editor)
    page = client.get(reverse("reforms:town_page", args=[power.town.pk])).content.decode()
    for heading in ("改革方案与任务", "下放事项", "机构编制", "考核", "财政扶持"):
        assert heading in page
    assert power.item.name in page
    assert "S-" in page


def test_reviewer_reads_the_town_page_without_edit_links(client, power):
    client.force_login(UserFactory(role="reviewer", region=power.town.county.parent))
    page = client.get(reverse("reforms:town_page", args=[power.town.pk])).content.decode()
    assert power.item.name in page
    assert reverse("reforms:plans_create") not in page
    assert reverse("delegation:catalogue_import") not in page


def test_town_of_another_county_is_404(client, power):
    client.force_login(UserFactory(region=TownFactory(county__code="371522", county__name="莘县").county))
    assert client.get(reverse("reforms:town_page", args=[power.town.pk])).status_code == 404


def test_form_choices_for_catalogue_are_scoped(client, editor, power):
    foreign = DelegationCatalogueFactory(county__code="371522", county__name="莘县")
    client.force_login(editor)
    form = client.get(reverse("delegation:powers_update", args=[power.pk])).context["form"]
    assert power.catalogue in form.fields["catalogue"].queryset
    assert foreign not in form.fields["catalogue"].queryset
    assert form.fields["version"].initial == power.version


def test_filter_choices_offer_only_rows_in_scope(client, editor, power):
    foreign = DelegationCatalogueFactory(county__code="371522", county__name="莘县", title="莘县目录")
    client.force_login(editor)
    page = client.get(reverse("delegation:powers_list")).content.decode()
    assert power.catalogue.title in page
    assert foreign.title not in page


def test_invalid_filter_shows_nothing_and_says_why(client, editor, power):
    client.force_login(editor)
    response = client.get(reverse("delegation:powers_list"), {"delegated_after": "not-a-date"})
    page = response.content.decode()
    assert power.item.name not in page
    assert 'class="errors"' in page


def test_detail_links_to_the_rows_that_belong_to_it(client, editor, power):
    client.force_login(editor)
    page = client.get(reverse("delegation:catalogues_detail", args=[power.catalogue.pk])).content.decode()
    assert f"{reverse('delegation:powers_list')}?catalogue={power.catalogue.pk}" in page
    assert "下放事项(1)" in page
    listing = client.get(reverse("delegation:case-counts_list"), {"power": power.pk})
    assert listing.status_code == 200
    assert '<select name="power"' not in listing.content.decode()
    assert f'type="number" name="power" value="{power.pk}"' in listing.content.decode()


def test_deleting_a_catalogue_still_in_use_is_refused_with_a_reason(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:catalogues_delete", args=[power.catalogue.pk])
    response = client.post(url, {"version": power.catalogue.version})
    assert response.status_code == 409
    assert "不能删除:仍有下放事项引用这条记录" in response.content.decode()
    assert DelegatedPower.objects.filter(pk=power.pk).exists()


def test_home_and_town_page_do_not_query_per_row(client, editor, power, django_assert_max_num_queries):
    for _ in range(15):
        DelegatedPowerFactory(town__county=power.town.county)
        SecondmentFactory(town=power.town)
    client.force_login(editor)
    with django_assert_max_num_queries(9):  # session, user, towns with figures, open alerts, …
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("reforms:town_page", args=[power.town.pk])).status_code == 200


def test_constraint_message_appears_at_its_field(client, editor, power):
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    form = client.post(url, edit_data(power, take_over_status="not_taken_over")).context["form"]
    assert form.errors["not_taken_over_cause"] == ["未承接到位的事项必须选择原因。"]
    assert not form.non_field_errors()
