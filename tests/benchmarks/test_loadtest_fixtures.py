"""The load test's fixtures: its signed-in reviewer sessions and tokens must work as real ones do."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db(transaction=True)  # the generator commits
def test_fixture_sessions_open_reviewer_pages_and_tokens_authenticate_the_api(client, tmp_path):
    call_command("generate_data", "--scale", "tiny", stdout=open("/dev/null", "w"))  # noqa: SIM115
    out = tmp_path / "loadtest.json"
    call_command("loadtest_fixtures", "--out", str(out), "--reviewers", "2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    fixtures = json.loads(out.read_text())

    reviewer = fixtures["reviewers"][0]
    client.cookies[reviewer["cookie"]] = reviewer["session"]
    town = fixtures["towns"][0]
    assert client.get(reverse("reforms:town_page", args=[town])).status_code == 200
    assert client.get(fixtures["dashboard"]).status_code == 200

    editor = fixtures["editors"][0]
    task = editor["tasks"][0]
    response = client.get(f"/api/v1/tasks/{task}/", HTTP_AUTHORIZATION=f"Bearer {editor['token']}")
    assert response.status_code == 200

    # The cost report (benchmarks/loadtest/costs.py) sends every kind of the mix, and the API list,
    # with these fixtures; each checks its answer, and the editors' PATCH saves its task.
    from benchmarks.loadtest.costs import RATES, request_kinds
    from reforms.models import ReformTask

    kinds = request_kinds(fixtures, "2026-10")
    assert set(kinds) == {*RATES, "api_list"}
    saved = set(ReformTask.objects.filter(pk__in=editor["tasks"]).values_list("pk", "version"))
    for send in kinds.values():
        send()
    assert set(ReformTask.objects.filter(pk__in=editor["tasks"]).values_list("pk", "version")) != saved


@pytest.mark.django_db(transaction=True)
def test_fixture_sessions_of_department_and_town_staff_open_their_inboxes_and_only_their_calls(client, tmp_path):
    from territory.models import Call

    call_command("generate_data", "--scale", "tiny", stdout=open("/dev/null", "w"))  # noqa: SIM115
    out = tmp_path / "loadtest.json"
    call_command("loadtest_fixtures", "--out", str(out), "--reviewers", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    fixtures = json.loads(out.read_text())

    for kind in ("departments", "towns_staff"):
        assert fixtures[kind], kind
        mine = fixtures[kind][0]
        client.cookies[mine["cookie"]] = mine["session"]
        assert client.get(reverse("territory:inbox")).status_code == 200
        assert client.get(f"{reverse('territory:calls_list')}?box=overdue").status_code == 200
        assert mine["calls"]
        for pk in mine["calls"][:3]:
            assert client.get(reverse("territory:calls_detail", args=[pk])).status_code == 200
        # A call of another department or town is not theirs to read.
        scope = "department_id" if kind == "departments" else "town_id"
        own = Call.objects.get(pk=mine["calls"][0])
        other = Call.objects.exclude(**{scope: getattr(own, scope)}).first()
        assert client.get(reverse("territory:calls_detail", args=[other.pk])).status_code == 404
