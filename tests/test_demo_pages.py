"""The demo says what the documents say, on the town pages reviewers open; invented rows are marked."""

import re

import pytest
from django.test import Client

from core.models import User
from reforms.models import SourceDocument, Town

pytestmark = pytest.mark.django_db


def town_page(code, username="admin"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client.get(f"/towns/town/{Town.objects.get(code=code).pk}/").content.decode()


def organ_items(html):
    """{organ name: the text of its list item} from the town page's organs list."""
    items = re.findall(r"<li><a href=\"/staffing/organs/\d+/\">(.*?)</a>(.*?)</li>", html, re.S)
    return {name: re.sub(r"<[^>]+>", " ", rest) for name, rest in items}


def test_guangtong_shows_its_5_and_7_organs_and_nameplates_by_the_documents_names(demo):
    organs = organ_items(town_page("532311102000", "yunnan_reviewer"))
    assert len(organs) == 12
    assert "公共资源交易中心" in organs["行政审批局"]
    assert "物流园区服务中心" in organs["投资促进服务中心"]
    assert "消防站" in organs["林业和草原服务中心"]
    assert not any("生成" in text for text in organs.values())


def test_dawang_hosts_the_countys_urban_management_work_safety_and_environment_branches(demo):
    organs = organ_items(town_page("370523101000", "guangrao_editor"))
    assert {"城市管理局大王分局", "安全生产监督管理局大王分局", "环境保护局大王分局"} <= set(organs)


def test_dazhou_mandatory_organs_include_the_approval_office_and_invented_ones_are_marked(demo):
    html = town_page("511722101000", "sichuan_reviewer")
    organs = organ_items(html)
    assert "生成" not in organs["行政审批办"]
    assert "生成" in organs["党政办公室"]
    assert "生成" in organs["文化旅游发展中心"]  # the interview names no culture-tourism organ
    assert "文化旅游型" in html


def test_dazhou_special_organs_carry_the_interviews_names(demo):
    organs = organ_items(town_page("511725101000", "sichuan_reviewer"))  # 渠县: modern agriculture
    assert "生成" not in organs["农产品集中发展中心"]


def test_guangtong_document_is_issued_by_the_town_government(demo):
    assert SourceDocument.objects.get(title__startswith="浅议深入推进广通镇").issuer == "广通镇人民政府"


def test_generated_town_is_marked_on_its_page(demo):
    assert "生成" in re.search(r"<h1>.*?</h1>", town_page("370503101000"), re.S).group(0)
