"""Every hard rule is refused twice: by validation with its message, and by the database itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from core.constraints import fields_read
from core.services import _checked_before
from delegation.models import (
    DelegationCatalogue,
    Finding,
    InspectionRound,
    InspectionScore,
    ScoreItem,
    Training,
    TrainingCoverage,
)
from finance.models import FiscalYearRecord
from reforms.models import (
    AssessmentScore,
    ProgrammeMembership,
    ReformTask,
    Region,
    ReportedFigure,
    TownAnnualAssessment,
)
from staffing.models import FilledPosts, HeadcountQuota, Nameplate, StaffingPolicy
from territory.models import DepartmentYearCalls, ItemYearCalls, RegionCallTimes
from tests import factories as f

D = dt.date


def _copy(instance, **changes):
    """An unsaved row equal to ``instance`` on every concrete field but the primary key."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return type(instance)(**values)


def _broken(instance, **changes):
    """A saved row with ``changes`` applied in memory only: saving it again must fail."""
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


# constraint name → builder of an unsaved row that breaks only that constraint.
CASES = {
    "user_region_required_unless_admin": lambda: f.UserFactory.build(role="reviewer", region=None),
    "user_town_staff_has_town": lambda: f.UserFactory.build(role="town_staff", region=f.CountyFactory(), town=None),
    "user_department_staff_has_department": lambda: f.UserFactory.build(
        role="department_staff", region=f.CountyFactory(), department=None
    ),
    "responsibility_list_batch_unique": lambda: _copy(f.ResponsibilityListFactory()),
    "responsibility_list_in_force_order": lambda: f.ResponsibilityListFactory.build(
        county=f.CountyFactory(), in_force_until=D(2021, 1, 1)
    ),
    "responsibility_item_number_unique": lambda: _copy(f.ResponsibilityItemFactory()),
    "responsibility_item_main_department_iff_department": lambda: _broken(
        f.ResponsibilityItemFactory(), main_unit="town"
    ),
    "call_policy_threshold_percent": lambda: f.CallPolicyFactory.build(county=f.CountyFactory(), on_time_threshold=101),
    "call_policy_limits_positive": lambda: f.CallPolicyFactory.build(county=f.CountyFactory(), accept_hours_normal=0),
    "call_external_id_unique_per_account": lambda: _copy(_call()),
    "call_step_external_id_unique": lambda: _copy(_call(step="s-1").steps.get(action="accept")),
    "region_code_six_digits": lambda: Region(code="37150", name="x", level="province"),
    "region_parent_matches_level": lambda: Region(code="379900", name="x", level="city"),
    "town_code_twelve_digits": lambda: _broken(f.TownFactory(), code="371581101001"),
    "town_area_not_negative": lambda: _broken(f.TownFactory(), area_km2=Decimal(-1)),
    "document_number_unique": lambda: _copy(f.SourceDocumentFactory(number="鲁厅字〔2018〕33号"), title="另一标题"),
    "figure_unique_per_document": lambda: _copy(
        ReportedFigure.objects.create(
            document=f.SourceDocumentFactory(), region=f.CountyFactory(), label="下沉编制", value=1, unit="名"
        )
    ),
    "membership_unique": lambda: _copy(_membership()),
    "membership_left_after_joined": lambda: _membership(save=False, left_on=D(2018, 1, 1), status="completed"),
    "task_completed_on_iff_done": lambda: ReformTask(
        plan=_plan(), title="t", lead_unit="u", status="done", completed_on=None
    ),
    "scheme_weights_in_range": lambda: _broken(
        f.AssessmentSchemeFactory(), county_weight=Decimal(-10), town_weight=Decimal(110)
    ),
    "scheme_weights_sum_100": lambda: _broken(f.AssessmentSchemeFactory(), county_weight=Decimal(40)),
    "scheme_period_ordered": lambda: _broken(f.AssessmentSchemeFactory(), valid_until=D(2020, 1, 1)),
    "score_unique": lambda: _copy(_score()),
    "score_in_range": lambda: _score(save=False, town_score=Decimal(101)),
    "annual_assessment_unique": lambda: _copy(
        TownAnnualAssessment.objects.create(town=f.TownFactory(), year=2024, grade="pass")
    ),
    "annual_score_in_range": lambda: TownAnnualAssessment(
        town=f.TownFactory(), year=2024, grade="pass", score=Decimal(-1)
    ),
    "annual_rank_positive": lambda: TownAnnualAssessment(
        town=f.TownFactory(), year=2024, grade="pass", rank_in_county=0
    ),
    "department_unique_in_county": lambda: _copy(f.DepartmentFactory()),
    "item_implementation_code_unique_in_county": lambda: _copy(f.PowerItemFactory(), name="另一事项"),
    "item_unique_per_department": lambda: _copy(f.PowerItemFactory(), implementation_code="OTHER"),
    "catalogue_edition_unique": lambda: _copy(f.DelegationCatalogueFactory(town=f.TownFactory())),
    "county_catalogue_edition_unique": lambda: _copy(f.DelegationCatalogueFactory()),
    "catalogue_type_counts_add_up": lambda: _broken(f.DelegationCatalogueFactory(), declared_total=3),
    "power_once_per_town_in_force": lambda: _copy(f.DelegatedPowerFactory()),
    "power_withdrawn_after_delegation": lambda: _broken(
        f.DelegatedPowerFactory(), withdrawn_on=D(2019, 5, 1), withdrawal_reason="调整"
    ),
    "power_withdrawal_has_reason": lambda: _broken(f.DelegatedPowerFactory(), withdrawn_on=D(2024, 1, 1)),
    "power_take_over_after_delegation": lambda: _broken(f.DelegatedPowerFactory(), take_over_on=D(2019, 4, 30)),
    "power_taken_over_has_date": lambda: _broken(f.DelegatedPowerFactory(), take_over_on=None),
    "power_not_taken_over_has_cause": lambda: _broken(
        f.DelegatedPowerFactory(), take_over_status="not_taken_over", take_over_on=None
    ),
    "power_other_cause_explained": lambda: _broken(
        f.DelegatedPowerFactory(take_over_status="pending", take_over_on=None), not_taken_over_cause="other"
    ),
    "case_count_once_per_month": lambda: _copy(f.MonthlyCaseCountFactory()),
    "training_covers_power_once": lambda: _copy(_coverage()),
    "inspection_grade_bands_ordered": lambda: _inspection(save=False, good_from=Decimal(95)),
    "score_item_unique_in_round": lambda: _copy(
        ScoreItem.objects.create(inspection=_inspection(), name="运行", max_points=20)
    ),
    "inspection_town_scored_once": lambda: _copy(_inspection_score()),
    "inspection_power_scored_once": lambda: _copy(_inspection_score(power=True)),
    "item_points_once_per_score": lambda: _copy(f.ItemPointsFactory()),
    "inspection_score_in_range": lambda: _inspection_score(save=False, score=Decimal(101)),
    "finding_rectified_on_iff_rectified": lambda: Finding(
        inspection=_inspection(), town=f.TownFactory(), description="问题", deadline=D(2025, 6, 30), status="rectified"
    ),
    "organ_unique_in_town": lambda: _copy(f.OrganFactory()),
    "organ_parent_only_for_dispatched": lambda: f.OrganFactory.build(
        town=f.TownFactory(), parent_department=f.DepartmentFactory()
    ),
    "nameplate_unique": lambda: _copy(Nameplate.objects.create(organ=f.OrganFactory(), name="牌子")),
    "quota_unique": lambda: _copy(
        HeadcountQuota.objects.create(
            town=f.TownFactory(), post_type="administrative", approved=50, effective_on=D(2019, 4, 9)
        )
    ),
    "filled_unique": lambda: _copy(
        FilledPosts.objects.create(town=f.TownFactory(), post_type="administrative", filled=40, as_of=D(2025, 1, 1))
    ),
    "secondment_ends_after_start": lambda: f.SecondmentFactory.build(town=f.TownFactory(), ends_on=D(2024, 12, 31)),
    "staffing_policy_unique": lambda: _copy(_policy()),
    "excellent_share_in_range": lambda: _policy(save=False, excellent_share_percent=Decimal(120)),
    "arrangement_amounts_not_negative": lambda: f.FiscalArrangementFactory.build(
        town=f.TownFactory(), base_amount=Decimal(-5)
    ),
    "arrangement_share_in_range": lambda: f.FiscalArrangementFactory.build(
        town=f.TownFactory(), share_percent=Decimal(101)
    ),
    "arrangement_years_ordered": lambda: f.FiscalArrangementFactory.build(town=f.TownFactory(), until_year=2018),
    "fiscal_year_unique": lambda: _copy(_year_record()),
    "fiscal_amounts_not_negative": lambda: _year_record(save=False, paid=Decimal("-0.01")),
    "region_call_times_once_a_year": lambda: _copy(
        RegionCallTimes.objects.create(region=f.CountyFactory().parent, year=2025, calls=1)
    ),
    "item_year_calls_once": lambda: _copy(_item_year_calls()),
    "department_year_calls_once": lambda: _copy(_department_year_calls()),
}


def _department_year_calls():
    department = f.DepartmentFactory()
    return DepartmentYearCalls.objects.create(department=department, county=department.county, year=2025, calls=1)


def _item_year_calls():
    item = f.ResponsibilityItemFactory()
    return ItemYearCalls.objects.create(item=item, county=item.responsibility_list.county, year=2025, calls=1)


def _coverage():
    power = f.DelegatedPowerFactory()
    training = Training.objects.create(
        town=power.town, department=power.item.source_department, held_on=D(2024, 1, 1), topic="培训", attendees=5
    )
    return TrainingCoverage.objects.create(training=training, power=power)


def _inspection(save=True, **fields):
    row = InspectionRound(region=f.CountyFactory(), title="督导", kind="self_check", held_on=D(2025, 3, 1), **fields)
    if save:
        row.save()
    return row


def _inspection_score(save=True, power=False, **fields):
    town_power = f.DelegatedPowerFactory() if power else None
    town = town_power.town if power else f.TownFactory()
    row = InspectionScore(inspection=_inspection(), town=town, power=town_power, **{"score": Decimal(88), **fields})
    if save:
        row.save()
    return row


def _membership(save=True, **fields):
    from reforms.models import PilotProgramme

    programme = PilotProgramme.objects.create(
        name=f"试点{PilotProgramme.objects.count()}", region=f.ProvinceFactory(), started_on=D(2019, 1, 1)
    )
    row = ProgrammeMembership(programme=programme, town=f.TownFactory(), joined_on=D(2019, 1, 1), **fields)
    if save:
        row.save()
    return row


def _plan():
    from reforms.models import ReformPlan

    return ReformPlan.objects.create(town=f.TownFactory(), title="方案", adopted_on=D(2019, 4, 9))


def _score(save=True, **fields):
    values = {"county_score": Decimal(80), "town_score": Decimal(90), **fields}
    row = AssessmentScore(
        scheme=f.AssessmentSchemeFactory(), town=f.TownFactory(), assessed_unit="市场监管所", year=2024, **values
    )
    if save:
        row.save()
    return row


def _policy(save=True, **fields):
    row = StaffingPolicy(
        town=f.TownFactory(), effective_on=D(2019, 4, 9), **{"excellent_share_percent": Decimal(20), **fields}
    )
    if save:
        row.save()
    return row


def _call(step=None):
    """A call raised by a service account with its own id; with ``step``, accepted under that id too."""
    from territory.services import call_accept, call_raise

    county = f.CountyFactory()
    platform = f.UserFactory(region=county, is_service_account=True)
    town, department = f.TownFactory(county=county), f.DepartmentFactory(county=county)
    call, _created = call_raise(user=platform, town=town, department=department, subject="x", external_id="e-1")
    if step:
        call_accept(user=platform, call=call, external_id=step)
    return call


def _year_record(save=True, **fields):
    row = FiscalYearRecord(
        arrangement=f.FiscalArrangementFactory(), year=2024, **{"promised": Decimal(100), "paid": Decimal(50), **fields}
    )
    if save:
        row.save()
    return row


def _constraints_of(model):
    return {c.name: c for c in model._meta.constraints}


def _all_constraints():
    found = {}
    for label in ("core", "reforms", "delegation", "staffing", "finance", "territory"):
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                found.update(dict.fromkeys(_constraints_of(model), model))
    return found


def test_every_constraint_has_a_case():
    """A new constraint without a case here fails the suite."""
    assert set(_all_constraints()) == set(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_reports_the_constraint_message(name):
    row = CASES[name]()
    constraint = _constraints_of(type(row))[name]
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert str(constraint.violation_error_message) in str(excinfo.value.messages)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_an_update_of_any_field_a_rule_reads_still_meets_the_rule(name):
    """An update re-checks only what it changes (core.services): changing any one of the fields a
    constraint reads checks the constraint whole, with the fields left as they were."""
    row = CASES[name]()
    constraint = _constraints_of(type(row))[name]
    read = fields_read(type(row), constraint)
    assert read <= {field.name for field in type(row)._meta.concrete_fields}
    for field in read:
        with pytest.raises(ValidationError) as excinfo:
            row.full_clean(exclude=_checked_before(type(row), {field}))
        assert str(constraint.violation_error_message) in str(excinfo.value.messages), field


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("name", sorted(CASES))
def test_database_refuses_the_row(name):
    row = CASES[name]()
    with pytest.raises(IntegrityError), transaction.atomic():
        # Saved without full_clean(): only the database stands in the way.
        models.Model.save(row)


@pytest.mark.django_db
def test_constraint_messages_translate_to_english():
    from django.utils import translation

    row = CASES["scheme_weights_sum_100"]()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "must add up to 100" in " ".join(excinfo.value.messages)


@pytest.mark.django_db
def test_valid_catalogue_counts_are_accepted():
    catalogue = f.DelegationCatalogueFactory.build(
        county=f.CountyFactory(),
        declared_total=128,
        count_licence=35,
        count_penalty=91,
        count_confirmation=1,
        count_payment=1,
    )
    catalogue.full_clean()
    catalogue.save()
    assert DelegationCatalogue.objects.get(pk=catalogue.pk).declared_total == 128


@pytest.mark.django_db
def test_case_count_month_must_be_first_day():
    row = f.MonthlyCaseCountFactory.build(power=f.DelegatedPowerFactory(), month=D(2025, 1, 15))
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert excinfo.value.message_dict["month"] == ["月份必须是该月第一天。"]
    # The same row on the first of the month passes: the 15th alone was refused.
    row.month = D(2025, 1, 1)
    row.full_clean()
