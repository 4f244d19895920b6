"""Call-and-respond in the browser: raising, the inboxes, steps on the call's page, the list import."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territory.models import Call, ResponsibilityItem
from territory.services import call_accept, call_raise
from tests.factories import ResponsibilityListFactory

pytestmark = pytest.mark.django_db


def _raise(world, **extra):
    call, _created = call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        subject="车辆向河道倾倒污水",
        urgency="urgent",
        **extra,
    )
    return call


def test_a_town_clerk_raises_a_call_from_the_form(client, world):
    client.force_login(world["clerk"])
    response = client.post(
        reverse("territory:call_raise"),
        {
            "town": world["town"].pk,
            "department": world["environment"].pk,
            "subject": "违法倾倒建筑垃圾",
            "place": "东河桥",
            "urgency": "urgent",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "违法倾倒建筑垃圾" in page
    assert "清单外事项" in page  # no item chosen: flagged as unlisted
    assert call.state == "raised"


def test_a_call_to_another_countys_department_is_not_offered_nor_accepted(client, world):
    client.force_login(world["clerk"])
    response = client.post(
        reverse("territory:call_raise"),
        {"town": world["town"].pk, "department": world["foreign"].pk, "subject": "x", "urgency": "normal"},
    )
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert not Call.objects.exists()


def test_the_department_inbox_counts_what_waits_to_be_accepted(client, world):
    _raise(world)
    client.force_login(world["responder"])
    boxes = {b["key"]: b["count"] for b in client.get(reverse("territory:inbox")).context["boxes"]}
    assert boxes["to_accept"] == 1
    client.force_login(world["housing_responder"])
    boxes = {b["key"]: b["count"] for b in client.get(reverse("territory:inbox")).context["boxes"]}
    assert boxes["to_accept"] == 0


def test_the_department_accepts_on_the_calls_page_and_the_timeline_shows_it(client, world):
    call = _raise(world)
    client.force_login(world["responder"])
    page = client.get(reverse("territory:calls_detail", args=[call.pk]))
    assert [s["action"] for s in page.context["steps"]] == ["accept", "return"]
    response = client.post(reverse("territory:call_step", args=[call.pk, "accept"]), {"accept-version": call.version})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [s.action for s in page.context["timeline"]] == ["raise", "accept"]
    assert "待办结" in page.content.decode()


def test_a_step_out_of_order_on_the_page_is_refused_at_its_field(client, world):
    call = _raise(world)
    call_accept(user=world["responder"], call=call)
    call.refresh_from_db()
    client.force_login(world["responder"])
    response = client.post(reverse("territory:call_step", args=[call.pk, "accept"]), {"accept-version": call.version})
    assert response.status_code == 400
    assert "不能受理" in response.content.decode()
    assert Call.objects.get().steps.count() == 2


def test_a_department_list_shows_only_its_calls(client, world):
    _raise(world)
    client.force_login(world["housing_responder"])
    response = client.get(reverse("territory:calls_list"))
    assert response.context["page"].paginator.count == 0


def test_overdue_box_lists_calls_past_their_limit(client, world):
    call = _raise(world, raised_at=None)
    Call.objects.filter(pk=call.pk).update(accept_due=call.raised_at - dt.timedelta(hours=1))
    client.force_login(world["office"])
    response = client.get(reverse("territory:calls_list"), {"box": "overdue"})
    assert response.context["page"].paginator.count == 1


def _csv(rows):
    header = "序号,事项名称,类别,主体责任单位,主体责任,配合责任单位,配合责任"
    text = "\n".join([header, *rows])
    return SimpleUploadedFile("items.csv", text.encode("utf-8-sig"))


def test_a_list_imports_whole_after_a_preview(client, world):
    target = ResponsibilityListFactory(county=world["county"])
    client.force_login(world["office"])
    upload = _csv(
        ["1,河道违法排污,生态环境,生态环境分局,查处,乡镇(街道),巡查报告", "2,占道经营,社会治理,乡镇(街道),劝导,,"]
    )
    preview = client.post(reverse("territory:item_import"), {"responsibility_list": target.pk, "file": upload})
    assert preview.status_code == 200
    assert preview.context["result"].created == 2
    assert not ResponsibilityItem.objects.exists()
    token = client.session["territory_import"]["token"]
    assert client.post(reverse("territory:item_import_confirm"), {"token": token}).status_code == 302
    items = {i.number: i for i in ResponsibilityItem.objects.all()}
    assert items[1].main_department == world["environment"]
    assert items[2].main_unit == "town"


def test_a_list_file_with_one_bad_row_writes_nothing(client, world):
    target = ResponsibilityListFactory(county=world["county"])
    client.force_login(world["office"])
    upload = _csv(["1,河道违法排污,生态环境,生态环境分局,查处,,", "x,占道经营,不存在的类别,乡镇,劝导,,"])
    preview = client.post(reverse("territory:item_import"), {"responsibility_list": target.pk, "file": upload})
    problems = {(p.row, p.column) for p in preview.context["result"].problems}
    assert problems == {(3, "序号"), (3, "类别")}
    assert not ResponsibilityItem.objects.exists()


def test_a_town_clerk_opens_neither_another_towns_call_nor_its_dashboard(client, world):
    call = _raise(world)
    client.force_login(world["neighbour_clerk"])
    assert client.get(reverse("territory:calls_detail", args=[call.pk])).status_code == 404
    assert client.get(reverse("territory:calls_list")).context["page"].paginator.count == 0
    assert client.get(reverse("stats:town", args=[world["town"].code])).status_code == 404


def test_a_department_cannot_open_another_departments_call(client, world):
    call = _raise(world)
    client.force_login(world["housing_responder"])
    assert client.get(reverse("territory:calls_detail", args=[call.pk])).status_code == 404
    response = client.post(reverse("territory:call_step", args=[call.pk, "accept"]), {"accept-version": call.version})
    assert response.status_code == 404
    assert Call.objects.get().state == "raised"


def test_the_call_form_picks_departments_and_list_items_by_typing_their_names(client, world):
    client.force_login(world["clerk"])
    page = client.get(reverse("territory:call_raise")).content.decode()
    for name in ("department", "item"):
        select = page[page.index(f'name="{name}"') - 200 : page.index(f'name="{name}"')]
        assert "data-picker" in select, name
    assert "生态环境分局" in page
    assert "莘县生态环境分局" not in page
