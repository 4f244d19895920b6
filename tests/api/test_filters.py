"""An API list validates only the filters its query names (``core.api.filters.LedgerFilterBackend``).

That is the same list as django-filter's only if a filter the query leaves out filters nothing: every
filter of every API list, given no value, must clean to an empty one, which django-filter skips.
"""

import pytest
from django.http import QueryDict
from django_filters.constants import EMPTY_VALUES

from config.api_urls import router
from core.api.filters import named
from tests.api.conftest import client_for
from tests.factories import DelegatedPowerFactory, PowerItemFactory

API_FILTER_SETS = [
    (prefix, viewset.filterset_class)
    for prefix, viewset, _basename in router.registry
    if getattr(viewset, "filterset_class", None)
]


@pytest.mark.parametrize(("prefix", "filterset_class"), API_FILTER_SETS, ids=[p for p, _f in API_FILTER_SETS])
def test_a_filter_the_query_leaves_out_filters_nothing(prefix, filterset_class):
    model = filterset_class._meta.model
    filterset = filterset_class(QueryDict(), queryset=model._default_manager.none())
    assert filterset.form.is_valid(), filterset.form.errors
    not_empty = {name: value for name, value in filterset.form.cleaned_data.items() if value not in EMPTY_VALUES}
    assert not not_empty, f"{prefix}: filters that act with no value given: {not_empty}"


def test_a_filter_counts_as_named_by_its_own_key_or_its_widgets_keys():
    params = QueryDict("type_code=02&score_min=1&page_size=100")
    assert named("type_code", params)
    assert named("score", params)  # a range widget's key
    assert not named("mode", params)
    assert not named("code", params)


@pytest.mark.django_db
def test_filters_named_together_narrow_the_list_and_a_bad_one_is_named(users, town_a):
    licence, penalty, other_penalty = (PowerItemFactory(type_code=code) for code in ("01", "02", "02"))
    wanted = DelegatedPowerFactory(town=town_a, item=penalty, take_over_status="taken_over")
    DelegatedPowerFactory(
        town=town_a,
        item=other_penalty,
        take_over_status="not_taken_over",
        take_over_on=None,
        not_taken_over_cause="no_trained_staff",
    )
    DelegatedPowerFactory(town=town_a, item=licence, take_over_status="taken_over")
    client = client_for(users["reviewer"])

    rows = client.get("/api/v1/delegated-powers/", {"type_code": "02", "take_over_status": "taken_over"}).json()
    assert [row["id"] for row in rows["results"]] == [wanted.pk]

    response = client.get("/api/v1/delegated-powers/", {"type_code": "02", "mode": "by-fax"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["mode"]
