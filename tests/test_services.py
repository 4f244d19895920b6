"""Shared write paths: scope, validation, optimistic locking, history, recompute signal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.services import VersionConflict, record_create, record_delete, record_update
from core.signals import town_touched
from staffing.models import Secondment
from tests.factories import SecondmentFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secondment():
    return SecondmentFactory()


@pytest.fixture
def editor(secondment):
    return UserFactory(region=secondment.town.county)


def test_update_with_current_version_saves_and_bumps_it(secondment, editor):
    saved = record_update(secondment, user=editor, data={"borrowing_unit": "县委办"}, expected_version=1)
    assert (saved.version, Secondment.objects.get().borrowing_unit) == (2, "县委办")


def test_stale_version_is_refused_and_nothing_is_written(secondment, editor):
    record_update(secondment, user=editor, data={"borrowing_unit": "县委办"}, expected_version=1)
    with pytest.raises(VersionConflict) as excinfo:
        record_update(secondment, user=editor, data={"borrowing_unit": "县政府办"}, expected_version=1)
    assert excinfo.value.current.borrowing_unit == "县委办"
    assert Secondment.objects.get().borrowing_unit == "县委办"


def test_history_records_who_changed_what(secondment, editor):
    record_update(secondment, user=editor, data={"borrowing_unit": "县委办"})
    latest = Secondment.objects.get().history.first()
    assert (latest.history_user, latest.borrowing_unit, latest.prev_record.borrowing_unit) == (
        editor,
        "县委办",
        "县发改局",
    )


def test_editor_cannot_move_a_row_into_another_county(secondment, editor):
    elsewhere = TownFactory(county__code="371522", county__name="莘县")
    with pytest.raises(PermissionDenied):
        record_update(secondment, user=editor, data={"town": elsewhere})


def test_reviewer_cannot_create(secondment):
    reviewer = UserFactory(role="reviewer", region=secondment.town.county)
    with pytest.raises(PermissionDenied):
        record_create(Secondment, user=reviewer, data={"town": secondment.town})


def test_invalid_data_is_refused_by_validation(secondment, editor):
    with pytest.raises(ValidationError):
        record_update(secondment, user=editor, data={"ends_on": secondment.starts_on})


def test_commit_signals_the_touched_town(secondment, editor, django_capture_on_commit_callbacks):
    received = []
    town_touched.connect(lambda **kw: received.append(kw["town_ids"]), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record_delete(secondment, user=editor, expected_version=1)
    finally:
        town_touched.disconnect(dispatch_uid="t")
    assert received == [{secondment.town_id}]
    assert not Secondment.objects.exists()
