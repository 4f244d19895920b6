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
