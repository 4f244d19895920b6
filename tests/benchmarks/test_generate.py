"""The data generator: every scale's code path, sampled with ``--towns`` so that it runs in seconds."""

import pytest
from django.core.management import call_command

from benchmarks.generate import SCALES
from delegation.models import DelegatedPower, MonthlyCaseCount
from reforms.models import Region, Town
from stats.services import recompute_all


@pytest.mark.django_db(transaction=True)
def test_nation_scale_sample_generates_the_requested_towns_with_all_strands_and_recomputes():
    call_command("generate_data", "--scale", "nation", "--towns", "2", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert Town.objects.count() == 2
    # In force today: the second edition withdrew some powers and delegated as many new ones.
    in_force = DelegatedPower.objects.filter(withdrawn_on__isnull=True)
    assert in_force.count() == 2 * SCALES["nation"].powers_per_town
    assert DelegatedPower.objects.count() > in_force.count()
    assert MonthlyCaseCount.objects.exists()
    town = Town.objects.first()
    assert town.headcount_quotas.count() == 3
    assert Region.objects.filter(level="province").count() == 1
    run = recompute_all()
    assert run.outcome == "success"


def test_nation_and_province_scales_have_the_sizes_of_the_issue():
    towns = {name: s.provinces * s.cities_per_province * s.counties_per_city * s.towns_per_county
             for name, s in SCALES.items()}  # fmt: skip
    assert towns["county"] == 20
    assert 2_000 <= towns["province"] <= 2_100
    assert 36_000 <= towns["nation"] <= 40_000
    assert 10_500_000 <= towns["nation"] * SCALES["nation"].powers_per_town <= 12_000_000
