"""Simplified Chinese first, whatever the browser asks for; English by the switch."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_language_switch_to_english(client, editor):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en">' in response.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})


def test_english_browser_still_opens_in_chinese(client, editor):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()
