"""A real install from an empty database: createsuperuser, the three administrators, the first-run path."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from audit.models import AuditEntry
from core.models import User
from reforms.models import Region, Town

pytestmark = pytest.mark.django_db

STRONG = {"system": "Sys-Admin-2026!", "security": "Sec-Admin-2026!", "audit": "Aud-Admin-2026!"}
ENV = {"system": "SYSTEM_ADMIN_PASSWORD", "security": "SECURITY_ADMIN_PASSWORD", "audit": "AUDIT_ADMIN_PASSWORD"}


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_createsuperuser_without_input_makes_a_system_administrator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-Pass-2026!")
    call_command("createsuperuser", "--noinput", username="root", email="root@example.org", stdout=io.StringIO())
    root = User.objects.get(username="root")
    assert (root.role, root.region, root.is_superuser, root.is_staff) == ("system_admin", None, True, True)
    assert root.check_password("Root-Pass-2026!")


def test_createsuperuser_interactively(monkeypatch):
    answers = iter(["root", "root@example.org"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Root-Pass-2026!")
    call_command("createsuperuser", stdin=TTY(), stdout=io.StringIO())
    assert User.objects.get(username="root").role == "system_admin"


def _create_admins(monkeypatch, passwords=STRONG, **options):
    for key, value in passwords.items():
        monkeypatch.setenv(ENV[key], value)
    out = io.StringIO()
    call_command("create_admins", "--no-input", stdout=out, **options)
    return out.getvalue()


def test_create_admins_makes_the_three_and_says_what_to_do_next(monkeypatch):
    out = _create_admins(monkeypatch, site_url="https://ledger.example.gov.cn")
    admins = {u.role: u for u in User.objects.all()}
    assert {r: u.username for r, u in admins.items()} == {
        "system_admin": "sysadmin", "security_admin": "secadmin", "audit_admin": "auditor",
    }  # fmt: skip
    for role, key in (("system_admin", "system"), ("security_admin", "security"), ("audit_admin", "audit")):
        user = admins[role]
        assert user.is_staff
        assert not user.is_superuser
        assert user.region is None
        assert user.check_password(STRONG[key])
    # The next steps name who takes each, with the pages where they take it.
    assert "https://ledger.example.gov.cn/admin/reforms/region/add/" in out
    assert "https://ledger.example.gov.cn/admin/core/user/add/" in out
    assert "https://ledger.example.gov.cn/admin/core/apitoken/add/" in out
    assert "https://ledger.example.gov.cn/admin/audit/auditentry/" in out
    steps = out[out.index("1. ") :]
    assert steps.index("sysadmin") < steps.index("/admin/reforms/region/add/") < steps.index("secadmin")
    assert steps.index("secadmin") < steps.index("/admin/core/apitoken/add/") < steps.index("auditor")
    assert STRONG["system"] not in out  # passwords chosen by the installer are not echoed
    assert AuditEntry.objects.filter(action="create", object_type="core.User").count() == 3


def test_create_admins_twice_refuses_and_changes_nothing(monkeypatch):
    _create_admins(monkeypatch)
    before = list(User.objects.values_list("username", "password"))
    with pytest.raises(CommandError, match="sysadmin"):
        _create_admins(monkeypatch, passwords={k: v + "x" for k, v in STRONG.items()})
    assert list(User.objects.values_list("username", "password")) == before


def test_create_admins_refuses_a_weak_password_and_creates_none(monkeypatch):
    with pytest.raises(CommandError, match="SECURITY_ADMIN_PASSWORD") as error:
        _create_admins(monkeypatch, passwords={**STRONG, "security": "12345678"})
    assert "密码" in str(error.value) or "password" in str(error.value).lower()
    assert not User.objects.exists()


def test_create_admins_without_passwords_generates_them_and_prints_each_once(monkeypatch, client):
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    out = io.StringIO()
    call_command("create_admins", "--no-input", stdout=out)
    printed = dict(re.findall(r"^\s*(\w+)\s+password:\s+(\S+)$", out.getvalue(), re.MULTILINE))
    assert set(printed) == {"sysadmin", "secadmin", "auditor"}
    assert client.post("/accounts/login/", {"username": "secadmin", "password": printed["secadmin"]}).status_code == 302


def test_create_admins_prompts_for_passwords(monkeypatch):
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    # The first password is refused by the validators and asked again; the second pair does not match.
    typed = iter(["short", "short", "Sys-Admin-2026!", "Sys-Admin-2026!", "Sec-Admin-2026!", "other-Pass-1",
                  "Sec-Admin-2026!", "Sec-Admin-2026!", "Aud-Admin-2026!", "Aud-Admin-2026!"])  # fmt: skip
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    err = io.StringIO()
    call_command("create_admins", stdin=TTY(), stdout=io.StringIO(), stderr=err)
    assert User.objects.get(username="secadmin").check_password("Sec-Admin-2026!")
    assert "不匹配" in err.getvalue() or "match" in err.getvalue()
    assert User.objects.filter(role__in=["system_admin", "security_admin", "audit_admin"]).count() == 3


def _sign_in(client, username, password):
    client.logout()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]


def _add(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    return response


@pytest.fixture
def official_excerpt(tmp_path):
    """临清市 in the package's four CSV files, as `npm ci` installs them."""
    files = {
        "provinces.csv": 'code,name\n37,"山东省"\n',
        "cities.csv": 'code,name,provinceCode\n3715,"聊城市",37\n',
        "areas.csv": 'code,name,cityCode,provinceCode\n371581,"临清市",3715,37\n',
        "streets.csv": "code,name,areaCode,provinceCode,cityCode\n"
        '371581001,"先锋街道",371581,37,3715\n371581109,"烟店镇",371581,37,3715\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_town_missing_from_the_official_list_is_still_typed_in(monkeypatch, client, official_excerpt):
    """A county newer than the package has no official towns to pick: its towns are added by code."""
    call_command("load_divisions", source=str(official_excerpt), stdout=io.StringIO())
    _create_admins(monkeypatch)
    _sign_in(client, "sysadmin", STRONG["system"])
    province = Region.objects.create(code="370000", name="山东省", level="province")
    city = Region.objects.create(code="371500", name="聊城市", level="city", parent=province)
    county = Region.objects.create(code="371599", name="新设县", level="county", parent=city)
    assert "逐个添加" in client.get(f"/admin/reforms/region/{county.pk}/official-towns/").content.decode()
    _add(
        client,
        "/admin/reforms/town/add/",
        {"code": "371599101000", "name": "新镇", "county": county.pk, "category": "other"},
    )
    # Under a listed county a code the list lacks is refused, naming the field.
    linqing = Region.objects.create(code="371581", name="临清市", level="county", parent=city)
    response = client.post(
        "/admin/reforms/town/add/",
        {"code": "371581102000", "name": "烟店镇", "county": linqing.pk, "category": "other"},
    )
    assert response.status_code == 200
    assert "371581102000 不是临清市(371581)下的官方 12 位统计用区划代码" in response.content.decode()
    assert list(Town.objects.values_list("code", flat=True)) == ["371599101000"]


def test_first_run_from_an_empty_database_to_an_editor_and_an_api_token(monkeypatch, client, official_excerpt):
    """The README's "Installing for real", step by step, each by the administrator it names."""
    assert not User.objects.exists()
    assert not Region.objects.exists()
    _create_admins(monkeypatch)

    # The system administrator: regions, a town, a county editor and a service account.
    _sign_in(client, "sysadmin", STRONG["system"])
    _add(client, "/admin/reforms/region/add/", {"code": "370000", "name": "山东省", "level": "province"})
    province = Region.objects.get(code="370000")
    _add(
        client,
        "/admin/reforms/region/add/",
        {"code": "371500", "name": "聊城市", "level": "city", "parent": province.pk},
    )
    city = Region.objects.get(code="371500")
    _add(
        client, "/admin/reforms/region/add/", {"code": "371581", "name": "临清市", "level": "county", "parent": city.pk}
    )
    county = Region.objects.get(code="371581")
    # The towns are picked from the official divisions, which setup loaded (here a two-town excerpt).
    call_command("load_divisions", source=str(official_excerpt), stdout=io.StringIO())
    change_page = client.get(f"/admin/reforms/region/{county.pk}/change/").content.decode()
    assert f"/admin/reforms/region/{county.pk}/official-towns/" in change_page
    _add(client, "/admin/reforms/region/", {"action": "pick_official_towns", "_selected_action": [county.pk]})
    picker = client.get(f"/admin/reforms/region/{county.pk}/official-towns/").content.decode()
    assert "烟店镇 371581109000" in picker
    _add(client, f"/admin/reforms/region/{county.pk}/official-towns/", {"codes": ["371581109000"]})
    assert Town.objects.get().code == "371581109000"
    for username, service in (("linqing_editor", ""), ("linqing_platform", "on")):
        data = {"username": username, "usable_password": "true", "password1": "Editor-Pass-2026!"}
        data |= {"password2": "Editor-Pass-2026!", "region": county.pk, "is_service_account": service}
        _add(client, "/admin/core/user/add/", data)

    # The security administrator: the roles, then the service account's token, shown once in the message.
    _sign_in(client, "secadmin", STRONG["security"])
    for username in ("linqing_editor", "linqing_platform"):
        user = User.objects.get(username=username)
        _add(client, f"/admin/core/user/{user.pk}/change/", {"role": "county_editor"})
    platform = User.objects.get(username="linqing_platform")
    page = client.post("/admin/core/apitoken/add/", {"user": platform.pk, "name": "省政务服务平台"}, follow=True)
    secret = re.search(r"trk_[\w-]+", page.content.decode()).group(0)

    # Another system reads the ledger with it.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    towns = api.get("/api/v1/towns/")
    assert towns.status_code == 200
    assert [t["name"] for t in towns.json()["results"]] == ["烟店镇"]

    # The county editor signs in and sees their town.
    _sign_in(client, "linqing_editor", "Editor-Pass-2026!")
    assert User.objects.get(username="linqing_editor").role == "county_editor"
    assert "烟店镇" in client.get("/towns/").content.decode()
    assert Town.objects.count() == 1
