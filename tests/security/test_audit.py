"""The audit log: what is recorded, that it cannot be altered, that tampering is found, who reads it."""

import csv
import datetime as dt
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from audit.services import GENESIS, audit, purge_before, verify_chain
from core import services
from core.tokens import token_create
from reforms.models import Town
from tests.factories import CountyFactory, TownFactory, UserFactory

A = AuditEntry.Action
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def county(db):
    return CountyFactory()


@pytest.fixture
def editor(county):
    return UserFactory(username="clerk", region=county)


def test_login_failed_login_and_logout_are_recorded_with_address(client, editor):
    client.post("/accounts/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "clerk", "password": "pass-for-tests"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == [A.LOGIN_FAILED, A.LOGIN, A.LOGOUT]
    assert {e.ip for e in entries} == {"10.1.2.3"}
    assert {e.username for e in entries} == {"clerk"}
    assert entries[1].user_id == editor.pk
    assert "wrong" not in "".join(e.detail for e in entries)


def test_out_of_scope_and_forbidden_requests_are_recorded(client, editor):
    other = TownFactory(county=CountyFactory(code="371522", name="莘县"))
    reviewer = UserFactory(role="reviewer", region=editor.region)
    client.force_login(editor)
    assert client.get(reverse("reforms:town_page", args=[other.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("reforms:towns_create")).status_code == 403
    denied = AuditEntry.objects.filter(action=A.DENIED).order_by("id")
    assert [(e.username, e.status) for e in denied] == [("clerk", 404), (reviewer.username, 403)]
    assert denied[0].path == reverse("reforms:town_page", args=[other.pk])


def test_changes_through_services_are_recorded_with_the_object(editor, county):
    town = services.record_create(Town, user=editor, data={"code": "371581100000", "name": "烟店镇", "county": county})
    services.record_update(town, user=editor, data={"name": "烟店镇(改)"})
    entries = AuditEntry.objects.filter(object_type="reforms.Town").order_by("id")
    assert [(e.action, e.object_id, e.username) for e in entries] == [
        (A.CREATE, str(town.pk), "clerk"),
        (A.UPDATE, str(town.pk), "clerk"),
    ]


def test_a_rolled_back_change_leaves_no_entry(editor, county):
    with pytest.raises(ValidationError):
        services.record_create(Town, user=editor, data={"code": "", "name": "", "county": county})
    assert not AuditEntry.objects.filter(action=A.CREATE).exists()


def test_export_is_recorded(client, editor):
    client.force_login(editor)
    client.get(reverse("staffing:secondments_export", args=["csv"]), {"year": "2024"})
    entry = AuditEntry.objects.get(action=A.EXPORT)
    assert entry.username == "clerk"
    assert "secondments.csv" in entry.detail


def test_token_creation_use_and_rejection_are_recorded(county, security_admin):
    account = UserFactory(username="platform", region=county, is_service_account=True)
    _token, secret = token_create(user=account, name="平台", created_by=security_admin)
    api = APIClient()
    assert api.get("/api/v1/towns/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    assert api.get("/api/v1/towns/", HTTP_AUTHORIZATION="Token trk_forged").status_code == 401
    assert actions() == [A.TOKEN_CREATE, A.TOKEN_USE, A.TOKEN_REJECT, A.DENIED]
    assert AuditEntry.objects.get(action=A.TOKEN_CREATE).username == security_admin.username
    assert AuditEntry.objects.get(action=A.TOKEN_USE).username == "platform"


def test_chain_verifies_and_the_command_says_so(editor):
    for i in range(5):
        audit(A.ADMIN, user=editor, detail=f"step {i}")
    checked, broken, _reason = verify_chain()
    assert (checked, broken) == (5, None)
    assert AuditEntry.objects.order_by("id").first().prev_hash == GENESIS
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "共校验 5 条" in out.getvalue()


def _tamper(sql, params):
    """Bypass the append-only trigger the way only the database owner could, inside this test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_an_edited_entry_breaks_the_chain_there(editor):
    entries = [audit(A.ADMIN, user=editor, detail=f"step {i}") for i in range(4)]
    _tamper("UPDATE audit_auditentry SET username = %s WHERE id = %s", ["someone", entries[2].pk])
    checked, broken, reason = verify_chain()
    assert (checked, broken.pk) == (2, entries[2].pk)
    assert "修改" in reason
    with pytest.raises(CommandError, match=f"第 {entries[2].pk} 条"):
        call_command("verify_audit")


def test_a_deleted_entry_breaks_the_chain_at_the_next(editor):
    entries = [audit(A.ADMIN, user=editor, detail=f"step {i}") for i in range(4)]
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    _checked, broken, reason = verify_chain()
    assert broken.pk == entries[2].pk
    assert "删除" in reason


@on_postgresql
def test_the_database_refuses_update_and_delete(editor):
    entry = audit(A.ADMIN, user=editor)
    for statement in (
        "UPDATE audit_auditentry SET username = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash


def _old_entry(days):
    entry = AuditEntry(at=timezone.now() - dt.timedelta(days=days), action=A.LOGIN, username="old", prev_hash=GENESIS)
    entry.hash = entry.compute_hash()
    entry.save()
    return entry


def test_purge_refuses_anything_younger_than_six_months(editor):
    audit(A.ADMIN, user=editor)
    with pytest.raises(ValidationError):
        purge_before(timezone.now() - dt.timedelta(days=30))
    with pytest.raises(CommandError, match="至少保留 183 天"):
        call_command("purge_audit", "--days", "100")
    assert AuditEntry.objects.count() == 1


def test_purge_removes_entries_past_retention_and_the_rest_still_verifies(editor):
    _old_entry(400)
    audit(A.ADMIN, user=editor)
    audit(A.ADMIN, user=editor)
    call_command("purge_audit", stdout=io.StringIO())
    assert AuditEntry.objects.filter(username="old").count() == 0
    assert AuditEntry.objects.count() == 2
    assert verify_chain()[1] is None


def test_only_the_audit_admin_reads_the_log(client, admin_user, security_admin, audit_admin, editor):
    entry = audit(A.ADMIN, user=editor, detail="<script>alert(1)</script>")
    url = reverse("admin:audit_auditentry_changelist")
    for user in (admin_user, security_admin):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(audit_admin)
    page = client.get(url, {"q": "clerk"})
    assert page.status_code == 200
    assert "clerk" in page.content.decode()
    detail = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert "<script>alert(1)</script>" not in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"detail": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.detail == "<script>alert(1)</script>"


def test_audit_admin_exports_the_log(client, audit_admin, editor):
    entry = audit(A.ADMIN, user=editor, detail="=HYPERLINK(1)")
    client.force_login(audit_admin)
    response = client.post(
        reverse("admin:audit_auditentry_changelist"), {"action": "export_csv", "_selected_action": [entry.pk]}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][2] == "clerk"
    assert rows[1][10] == "'=HYPERLINK(1)"
    assert AuditEntry.objects.filter(action=A.EXPORT, username="audit_admin").exists()


def test_role_change_in_the_admin_is_recorded(client, security_admin, editor):
    client.force_login(security_admin)
    url = reverse("admin:core_user_change", args=[editor.pk])
    response = client.post(url, {"role": "reviewer", "is_staff": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    editor.refresh_from_db()
    assert editor.role == "reviewer"
    entry = AuditEntry.objects.filter(action=A.ADMIN).latest("id")
    assert entry.username == security_admin.username
    assert "core.user" in entry.detail
    assert "clerk" in entry.detail


def test_system_admin_cannot_change_roles_and_security_admin_not_their_own(client, admin_user, security_admin, editor):
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_user_change", args=[editor.pk])).content.decode()
    assert 'name="role"' not in page
    assert 'name="username"' in page
    client.force_login(security_admin)
    own = reverse("admin:core_user_change", args=[security_admin.pk])
    assert 'name="role"' not in client.get(own).content.decode()
    assert client.post(own, {"role": "system_admin", "is_staff": "on"}).status_code == 403
    security_admin.refresh_from_db()
    assert security_admin.role == "security_admin"
    page = client.get(reverse("admin:core_user_change", args=[editor.pk])).content.decode()
    assert 'name="role"' in page
    assert 'name="username"' not in page
    assert client.get(f"/admin/core/user/{editor.pk}/password/").status_code == 403


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_long_write_and_a_short_one_do_not_deadlock_on_the_chain():
    """A (an import) changes one row then another; B changes the second row in between. Both commit."""
    import threading

    county = CountyFactory()
    editor = UserFactory(username="clerk", region=county)
    first, second = TownFactory(county=county), TownFactory(county=county)
    a_has_first, errors = threading.Event(), []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as e:
                errors.append(e)
            finally:
                connection.close()

        return threading.Thread(target=run)

    def long_write():
        with transaction.atomic():
            services.record_update(Town.objects.get(pk=first.pk), user=editor, data={"name": "甲镇"})
            a_has_first.set()
            time.sleep(0.5)  # B starts its write meanwhile
            services.record_update(Town.objects.get(pk=second.pk), user=editor, data={"name": "乙镇"})

    def short_write():
        a_has_first.wait(5)
        services.record_update(Town.objects.get(pk=second.pk), user=editor, data={"area_km2": 12})

    threads = [in_thread(long_write), in_thread(short_write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert Town.objects.get(pk=second.pk).name == "乙镇"
    assert verify_chain()[1] is None


def test_audit_admin_exports_the_log_as_xlsx(client, audit_admin, editor):
    from openpyxl import load_workbook

    entry = audit(A.LOGIN, user=editor, detail="+SUM(A1)")
    client.force_login(audit_admin)
    response = client.post(
        reverse("admin:audit_auditentry_changelist"), {"action": "export_xlsx", "_selected_action": [entry.pk]}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "登录"
    assert rows[1][10] == "'+SUM(A1)"
    assert rows[1][11] == entry.hash
