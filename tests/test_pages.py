"""The landing page, login and every admin list answer as a newcomer would expect."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import TownFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_landing_page_invites_login(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_editor_sees_only_towns_of_own_county(client):
    mine = TownFactory()
    other = TownFactory(county__code="371522", county__name="莘县")
    client.force_login(UserFactory(region=mine.county))
    page = client.get("/").content.decode()
    assert mine.name in page
    assert other.name not in page


def test_login_with_demo_style_credentials(client):
    UserFactory(username="clerk")
    response = client.post(reverse("login"), {"username": "clerk", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_admin_list_with_search_opens_for_exactly_one_administrator(
    client, admin_user, security_admin, audit_admin, model
):
    """三员分立: each admin page belongs to one of the system, security and audit administrators."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    opens = []
    for user in (admin_user, security_admin, audit_admin):
        client.force_login(user)
        status = client.get(url, {"q": "镇"}).status_code
        assert status in (200, 403)
        if status == 200:
            opens.append(user.role)
    # Users are shared: the system administrator keeps accounts, the security administrator gives roles.
    expected = 2 if model._meta.label == "core.User" else 1
    assert len(opens) == expected, opens
    assert "audit_admin" not in opens or model._meta.label == "audit.AuditEntry"


def test_non_staff_cannot_open_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302


def test_editor_home_lists_open_alerts_of_own_county_only(client):
    from stats.services import recompute_all
    from tests.factories import SecondmentFactory

    mine = SecondmentFactory(borrowing_unit="县发改局", starts_on="2025-01-01", ends_on="2025-12-31")
    SecondmentFactory(
        town=TownFactory(county__code="371522", county__name="莘县"), starts_on="2025-01-01", ends_on="2025-12-31"
    )
    recompute_all()
    client.force_login(UserFactory(region=mine.town.county))
    page = client.get("/").content.decode()
    assert page.count("查看记录") == 1  # one open alert is ours; the other county's is not shown
    assert mine.town.name in page
