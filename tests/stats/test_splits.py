"""Issue 14 item 4: the three-way split with shares, and the splits by power type and delegation mode."""

import re

import pytest
from django.test import Client

from core.models import User

pytestmark = pytest.mark.django_db

DONGYING = "370500"
YANDIAN = "371581109000"


def page(url, username="admin"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client.get(url).content.decode()


def table(html, caption):
    """{first cell: [other cells]} of the table whose caption is ``caption``."""
    body = html.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows
    ]
    return {c[0]: c[1:] for c in cells if c and c[0]}


def test_dongying_shows_the_three_way_split_with_its_shares_of_all_delegated_powers(demo):
    html = page(f"/dashboard/region/{DONGYING}/", "dongying_reviewer")
    split = table(html, "下放事项三分类")
    assert split["正常运行"] == ["179", "44.6%"]
    assert split["暂未使用"] == ["155", "38.7%"]
    assert split["未承接到位"] == ["67", "16.7%"]
    assert "占比 = 该类事项 ÷ 下放事项" in html


def test_yandian_dashboard_splits_its_powers_by_type_and_by_mode(demo):
    html = page(f"/dashboard/town/{YANDIAN}/")
    by_type = table(html, "按权力类型")
    assert by_type["行政许可"][0] == "35"
    assert by_type["行政处罚"][0] == "91"
    assert sum(int(row[0]) for row in table(html, "按下放方式").values()) == 128
    assert "运行率 = 正常运行 ÷ 已承接" in html
