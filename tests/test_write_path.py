"""One write path: every change made in the admin, over the API or by an import leaves the same traces.

Each write is made as a user allowed to make it, the way a person or another system makes it (admin
forms posted back as the browser would, API calls with If-Match), and must leave an audit entry, a
history row (for the models that keep history) and a queued recompute of the record's town.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from core.api.views import LedgerViewSet
from core.models import LedgerModel
from core.registry import ledger_for, ledgers
from core.scoping import town_of
from core.signals import town_touched
from delegation.models import MonthlyCaseCount
from tests import factories
from tests.factories import DelegatedPowerFactory, DelegationCatalogueFactory, UserFactory

pytestmark = pytest.mark.django_db

A = AuditEntry.Action


def _factory_of(model):
    """The factory in tests/factories.py named after ``model`` (its declaration in the ledger registry)."""
    return getattr(factories, ledger_for(model).factory_name)


# Ledger records whose admin page only reads: they change by their own services' steps, never by hand.
READ_ONLY_ADMINS = {"territory.Call": "a call changes by its steps (territory.services), which keep its timeline"}
LEDGER_ADMINS = sorted(
    (
        model
        for model in admin.site._registry
        if issubclass(model, LedgerModel) and model._meta.label not in READ_ONLY_ADMINS
    ),
    key=lambda m: m._meta.label,
)
API_WRITES = sorted((e.api_prefix, e.viewset) for e in ledgers() if issubclass(e.viewset, LedgerViewSet))


class Touched(set):
    """The town ids whose recompute was queued, as the statistics engine hears of them after commit.

    Calling it wraps one write: the test's transaction never commits, so the write's after-commit
    callbacks run when the block ends, as they would when the request's transaction commits.
    """

    def __init__(self, capture):
        super().__init__()
        self.capture = capture

    def __call__(self):
        return self.capture(execute=True)

    def listen(self, sender, town_ids, **kwargs):
        self.update(town_ids)


@pytest.fixture
def touched(django_capture_on_commit_callbacks):
    heard = Touched(django_capture_on_commit_callbacks)
    town_touched.connect(heard.listen, dispatch_uid="test_write_path")
    yield heard
    town_touched.disconnect(dispatch_uid="test_write_path")


def assert_traces(model, pk, action, town, touched, history_type, *, unchanged=False):
    """The audit entry of ``action`` on the row, its history row, and its town's queued recompute.

    ``unchanged``: an update that saved the values the row held; no figure can change, so its town is
    not queued.
    """
    entry = AuditEntry.objects.filter(action=action, object_type=model._meta.label, object_id=str(pk))
    assert entry.exists(), f"{model.__name__} {action}: no audit entry"
    if hasattr(model, "history"):
        rows = model.history.filter(id=pk, history_type=history_type)
        assert rows.exists(), f"{model.__name__} {action}: no history row"
    # A deleted town has nothing left to recompute (the statistics engine drops it; the nightly run
    # removes its old rows); every other write that changes the row queues its town.
    if unchanged:
        assert town is None or town.pk not in touched, f"{model.__name__} {action}: recompute queued for no change"
    elif town is not None and not (action == A.DELETE and model._meta.label == "reforms.Town"):
        assert town.pk in touched, f"{model.__name__} {action}: no recompute queued for its town"
    touched.clear()


# ---------------------------------------------------------------- admin


class _FormReader(HTMLParser):
    """The fields of the admin's change form as the browser would post them back."""

    def __init__(self):
        super().__init__()
        self.inside, self.data = False, {}
        self.select = self.textarea = None
        self.first_option = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            # The admin's change form is "<model>_form" (the history page's "historical<model>_form").
            self.inside = attrs.get("id", "").endswith("_form")
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, attrs.get("value", ""))
            if "selected" in attrs:
                self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] = [self.data[self.textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.data[self.select] and self.select in self.first_option:
                self.data[self.select] = [self.first_option[self.select]]
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data[self.textarea] = [self.data[self.textarea][0].removeprefix("\n")]
            self.textarea = None


def read_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _FormReader()
    reader.feed(response.content.decode())
    assert reader.data, f"no form on {url}"
    return reader.data


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", LEDGER_ADMINS, ids=lambda m: m.__name__)
def test_every_admin_change_goes_through_the_services(client, admin_user, touched, model):
    client.force_login(admin_user)
    obj = _factory_of(model)()
    town = town_of(obj)
    touched.clear()

    data = read_form(client, admin_url(model, "change", obj.pk))
    with touched():
        response = client.post(admin_url(model, "change", obj.pk), {**data, "_save": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert model.objects.get(pk=obj.pk).version == obj.version + 1
    assert_traces(model, obj.pk, A.UPDATE, town, touched, "~", unchanged=True)  # the form posted back as read

    with touched():
        response = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    assert_traces(model, obj.pk, A.DELETE, town, touched, "-")

    # The same values again, as a new record (inline rows are left as the add form offers them).
    added = read_form(client, admin_url(model, "add"))
    added.update({k: v for k, v in data.items() if "-" not in k and k != "version"})
    with touched():
        response = client.post(admin_url(model, "add"), {**added, "_save": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    new = model.objects.order_by("-pk").first()
    assert new is not None
    assert new.pk != obj.pk
    assert_traces(model, new.pk, A.CREATE, town_of(new), touched, "+")

    # The changelist's bulk delete action.
    with touched():
        response = client.post(
            admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [new.pk], "post": "yes"}
        )
    assert response.status_code == 302
    assert not model.objects.filter(pk=new.pk).exists()
    assert_traces(model, new.pk, A.DELETE, town_of(new), touched, "-")


@pytest.mark.parametrize("label", sorted(READ_ONLY_ADMINS))
def test_a_read_only_admin_page_shows_the_record_and_refuses_every_write(client, admin_user, touched, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    client.force_login(admin_user)
    obj = _factory_of(model)()
    writes = AuditEntry.objects.filter(action__in=[A.CREATE, A.UPDATE, A.DELETE])
    before = (model.objects.get(pk=obj.pk).version, writes.count())
    assert client.get(admin_url(model, "changelist")).status_code == 200
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert str(obj) in page.content.decode()
    with touched():
        assert client.post(admin_url(model, "change", obj.pk), {"_save": "1"}).status_code == 403
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert client.post(admin_url(model, "add"), {"_save": "1"}).status_code == 403
        bulk = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        client.post(admin_url(model, "changelist"), bulk)
    # The refusals are audited as such (denied); no write is.
    assert (model.objects.get(pk=obj.pk).version, writes.count()) == before
    assert not touched


def test_a_stale_admin_form_is_refused_and_writes_nothing(client, admin_user):
    from core.services import record_update
    from staffing.models import Secondment

    client.force_login(admin_user)
    secondment = factories.SecondmentFactory()
    url = admin_url(Secondment, "change", secondment.pk)
    data = read_form(client, url)
    record_update(secondment, user=admin_user, data={"borrowing_unit": "县委办"})

    response = client.post(url, {**data, "borrowing_unit": "县政府办", "_save": "1"})
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Secondment.objects.get().borrowing_unit == "县委办"


# ---------------------------------------------------------------- API


def _writable(viewset, body):
    fields = viewset.serializer_class().fields
    return {k: v for k, v in body.items() if k in fields and not fields[k].read_only}


@pytest.mark.parametrize(("prefix", "viewset"), API_WRITES, ids=[p for p, _v in API_WRITES])
def test_every_api_write_goes_through_the_services(admin_user, touched, prefix, viewset):
    model = viewset.serializer_class.Meta.model
    client = APIClient()
    client.force_authenticate(admin_user)
    obj = _factory_of(model)()
    town = town_of(obj)
    touched.clear()
    url = f"/api/v1/{prefix}/{obj.pk}/"
    read = client.get(url)
    body = _writable(viewset, read.json())

    with touched():
        response = client.patch(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.json()
    assert_traces(model, obj.pk, A.UPDATE, town, touched, "~", unchanged=True)  # the row sent back as read

    with touched():
        response = client.delete(url, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 204
    assert_traces(model, obj.pk, A.DELETE, town, touched, "-")

    with touched():
        response = client.post(f"/api/v1/{prefix}/", body, format="json")
    assert response.status_code == 201, response.json()
    new = model.objects.get(pk=response.json()["id"])
    assert_traces(model, new.pk, A.CREATE, town_of(new), touched, "+")


def test_the_bulk_case_count_upsert_writes_an_import_entry_and_queues_the_town(touched):
    power = DelegatedPowerFactory()
    editor = UserFactory(region=power.town.county)
    client = APIClient()
    client.force_authenticate(editor)
    item = {"town_code": power.town.code, "implementation_code": power.item.implementation_code, "month": "2026-10"}
    body = {"items": [{**item, "accepted": 12, "closed": 11}]}

    with touched():
        response = client.post("/api/v1/case-counts/bulk/", body, format="json")
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    entry = AuditEntry.objects.get(action=A.IMPORT)
    assert (entry.username, entry.detail) == (editor.username, "case_counts_bulk: created=1 updated=0")
    assert power.town.pk in touched

    refused = {"items": [{**item, "accepted": -1, "closed": 0}]}
    assert client.post("/api/v1/case-counts/bulk/", refused, format="json").status_code == 400
    assert AuditEntry.objects.filter(action=A.IMPORT).count() == 1


# ---------------------------------------------------------------- imports


def _csv(headers, rows, name):
    text = "\n".join(",".join(row) for row in [headers, *rows])
    return SimpleUploadedFile(name, text.encode("utf-8-sig"))


def test_both_imports_write_their_entry_once_confirmed_and_none_for_a_preview(client, touched):
    catalogue = DelegationCatalogueFactory()
    town = factories.TownFactory(county=catalogue.county)
    editor = UserFactory(region=town.county)
    client.force_login(editor)
    upload = _csv(
        ["放权部门", "事项名称", "权力类型", "实施编码", "下放方式"],
        [["县市场监管局", "食品经营许可", "行政许可", "IMP-001", "直接下放"]],
        "catalogue.csv",
    )
    preview = client.post(
        reverse("delegation:catalogue_import"), {"catalogue": catalogue.pk, "town": town.pk, "file": upload}
    )
    assert preview.status_code == 200
    assert not AuditEntry.objects.filter(action=A.IMPORT).exists()
    token = client.session["delegation_import"]["token"]
    with touched():
        assert client.post(reverse("delegation:import_confirm"), {"token": token}).status_code == 302
    entry = AuditEntry.objects.get(action=A.IMPORT)
    assert (entry.username, entry.detail) == (editor.username, "catalogue: created=1 updated=0")
    assert town.pk in touched

    upload = _csv(
        ["镇代码", "实施编码", "月份", "受理件数", "办结件数"], [[town.code, "IMP-001", "2026-10", "5", "4"]], "c.csv"
    )
    assert client.post(reverse("delegation:case_count_import"), {"file": upload}).status_code == 200
    token = client.session["delegation_import"]["token"]
    assert client.post(reverse("delegation:import_confirm"), {"token": token}).status_code == 302
    assert MonthlyCaseCount.objects.get().accepted == 5
    latest = AuditEntry.objects.filter(action=A.IMPORT).order_by("-id").first()
    assert latest.detail == "case_counts: created=1 updated=0"
    assert AuditEntry.objects.filter(action=A.IMPORT).count() == 2


def _inline_prefix(data):
    return next(k.removesuffix("-TOTAL_FORMS") for k in data if k.endswith("-TOTAL_FORMS"))


def test_inline_rows_of_an_admin_form_go_through_the_services(client, admin_user, touched):
    from staffing.models import Nameplate, Organ

    client.force_login(admin_user)
    organ = factories.OrganFactory()
    url = admin_url(Organ, "change", organ.pk)

    data = read_form(client, url)
    prefix = _inline_prefix(data)
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-name": "乡村振兴工作站", f"{prefix}-0-organ": organ.pk})
    with touched():
        assert client.post(url, {**data, "_save": "1"}).status_code == 302
    plate = Nameplate.objects.get(organ=organ)
    assert_traces(Nameplate, plate.pk, A.CREATE, organ.town, touched, "+")

    data = read_form(client, url)
    with touched():
        assert client.post(url, {**data, f"{prefix}-0-name": "便民服务站", "_save": "1"}).status_code == 302
    assert Nameplate.objects.get().name == "便民服务站"
    assert_traces(Nameplate, plate.pk, A.UPDATE, organ.town, touched, "~")

    data = read_form(client, url)
    with touched():
        assert client.post(url, {**data, f"{prefix}-0-DELETE": "on", "_save": "1"}).status_code == 302
    assert not Nameplate.objects.exists()
    assert_traces(Nameplate, plate.pk, A.DELETE, organ.town, touched, "-")


def test_an_admin_save_without_the_version_read_is_refused(client, admin_user):
    from staffing.models import Secondment

    client.force_login(admin_user)
    secondment = factories.SecondmentFactory()
    url = admin_url(Secondment, "change", secondment.pk)
    data = read_form(client, url)
    del data["version"]

    response = client.post(url, {**data, "borrowing_unit": "县政府办", "_save": "1"})
    assert response.status_code == 200
    assert "缺少您读取时的版本号" in response.content.decode()
    assert Secondment.objects.get().borrowing_unit == secondment.borrowing_unit


def test_reverting_to_a_history_row_in_the_admin_goes_through_the_services(client, admin_user, touched):
    from core.services import record_update
    from staffing.models import Secondment

    client.force_login(admin_user)
    secondment = factories.SecondmentFactory(borrowing_unit="县发改局")
    record_update(secondment, user=admin_user, data={"borrowing_unit": "县委办"})
    first = Secondment.history.filter(id=secondment.pk).earliest("history_date")
    url = reverse("admin:staffing_secondment_simple_history", args=[secondment.pk, first.history_id])

    data = read_form(client, url)
    with touched():
        assert client.post(url, data).status_code == 302
    saved = Secondment.objects.get()
    assert (saved.borrowing_unit, saved.version) == ("县发改局", 3)
    assert AuditEntry.objects.filter(action=A.UPDATE, object_id=str(secondment.pk), username=admin_user.username)
    assert secondment.town.pk in touched


def test_an_admin_save_that_loses_the_race_is_refused_with_a_message(client, admin_user):
    from django.db.models import F

    from core.signals import write_begins
    from staffing.models import Secondment

    client.force_login(admin_user)
    secondment = factories.SecondmentFactory(borrowing_unit="县发改局")
    url = admin_url(Secondment, "change", secondment.pk)
    data = read_form(client, url)

    def someone_else_saves_first(sender, **kwargs):
        # Another administrator's save commits between this form's check and the service's row lock.
        Secondment.objects.filter(pk=secondment.pk).update(version=F("version") + 1, borrowing_unit="县委办")

    write_begins.connect(someone_else_saves_first, sender=Secondment, dispatch_uid="race")
    try:
        response = client.post(url, {**data, "borrowing_unit": "县政府办", "_save": "1"}, follow=True)
    finally:
        write_begins.disconnect(sender=Secondment, dispatch_uid="race")
    assert response.redirect_chain == [(url, 302)]
    assert "已被他人修改" in response.content.decode()
    # Nothing of the refused save is kept (the simulated other save, made on this same connection,
    # is rolled back with it).
    assert Secondment.objects.get().borrowing_unit == "县发改局"
    assert not AuditEntry.objects.filter(action=A.UPDATE, object_id=str(secondment.pk)).exists()
