"""The bulk case-count upsert: idempotent, all or nothing, scoped, with an error per item."""

import pytest

from delegation.models import MonthlyCaseCount
from delegation.services import BatchRejected, case_counts_upsert
from tests.factories import DelegatedPowerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory()


@pytest.fixture
def editor(power):
    return UserFactory(region=power.town.county)


def _row(power, **changes):
    return {
        "town_code": power.town.code,
        "implementation_code": power.item.implementation_code,
        "month": "2025-03",
        "accepted": 7,
        "closed": 6,
        **changes,
    }


def test_same_batch_twice_changes_nothing_the_second_time(power, editor):
    first = case_counts_upsert(user=editor, rows=[_row(power)])
    second = case_counts_upsert(user=editor, rows=[_row(power)])
    assert (first.created, second.created, second.updated, second.unchanged) == (1, 0, 0, 1)
    assert MonthlyCaseCount.objects.get().accepted == 7


def test_changed_count_updates_the_same_row(power, editor):
    case_counts_upsert(user=editor, rows=[_row(power)])
    result = case_counts_upsert(
        user=editor, rows=[{"power": power.pk, "month": "2025-03-01", "accepted": 9, "closed": 9}]
    )
    row = MonthlyCaseCount.objects.get()
    assert (result.updated, row.accepted, row.version) == (1, 9, 2)


def test_one_bad_item_rejects_the_whole_batch_with_its_index_and_field(power, editor):
    with pytest.raises(BatchRejected) as excinfo:
        case_counts_upsert(user=editor, rows=[_row(power), _row(power, month="2025-04", accepted=-1)])
    assert list(excinfo.value.errors) == [1]
    assert "accepted" in excinfo.value.errors[1]
    assert not MonthlyCaseCount.objects.exists()


def test_duplicate_items_in_one_batch_are_refused(power, editor):
    with pytest.raises(BatchRejected) as excinfo:
        case_counts_upsert(user=editor, rows=[_row(power), _row(power)])
    assert "month" in excinfo.value.errors[1]


def test_other_county_power_reads_as_unknown(power):
    stranger = UserFactory(region__code="371522", region__name="莘县")
    with pytest.raises(BatchRejected) as foreign:
        case_counts_upsert(user=stranger, rows=[_row(power)])
    with pytest.raises(BatchRejected) as unknown:
        case_counts_upsert(user=stranger, rows=[{**_row(power), "town_code": "371522199000"}])
    # Reported at the town code, word for word as a town that does not exist.
    assert foreign.value.errors == unknown.value.errors
    assert list(foreign.value.errors[0]) == ["town_code"]


def test_reviewer_cannot_write(power):
    reviewer = UserFactory(role="reviewer", region=power.town.county)
    with pytest.raises(BatchRejected):
        case_counts_upsert(user=reviewer, rows=[_row(power)])


@pytest.mark.parametrize(
    ("field", "value"), [("month", "March"), ("accepted", "seven"), ("closed", 1.5), ("handled_by", "city")]
)
def test_malformed_fields_are_named(power, editor, field, value):
    with pytest.raises(BatchRejected) as excinfo:
        case_counts_upsert(user=editor, rows=[_row(power, **{field: value})])
    assert field in excinfo.value.errors[0]
