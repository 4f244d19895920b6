"""The overview reads the summary tables only: its query count does not grow with the number of towns."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.generate import Generator, Scale
from core.models import User
from reforms.models import Region, Town
from stats.services import recompute_all

# Transactional: on PostgreSQL the generator and the recompute manage their own transactions.
pytestmark = pytest.mark.django_db(transaction=True)

FEW = Scale(1, 1, 1, 2, 6)  # one province, 2 towns
MANY = Scale(1, 3, 3, 4, 6)  # one province, 36 towns


def queries(region, url):
    reviewer = User.objects.create_user(f"reviewer-{region.code}", role="reviewer", region=region)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert "经济发达镇改革统计看板" in response.content.decode()
    return len(ctx.captured_queries)


def test_overview_query_count_is_the_same_for_few_and_many_towns():
    Generator(FEW, seed=7).run()
    Generator(MANY, seed=7).run()
    recompute_all()
    small, large = Region.objects.filter(level="province").order_by("-code")  # generated first: 800000
    assert Town.objects.filter(county__parent__parent=small).count() == 2
    assert Town.objects.filter(county__parent__parent=large).count() == 36
    counts = {}
    for province in (small, large):
        city = province.children.order_by("code").first()
        counts[province.code] = (
            queries(province, f"/dashboard/region/{province.code}/"),
            queries(city, f"/dashboard/region/{city.code}/"),
        )
    assert counts[small.code] == counts[large.code], counts
    # 24 for the four strands and the region-level alerts (a scheme's, with no town, counted in each
    # scope's figures), four more for the call-and-respond section (its department ranking, times and items),
    # two for the towns' inspection grades and their open rectifications; a city's page reads 31 in all.
    assert max(counts[small.code]) <= 31, counts
