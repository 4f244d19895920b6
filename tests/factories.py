"""factory_boy factories for every model, valid by default, each named after its model (``<Model>Factory``).

Every ledger model of ``core.registry`` has one: the generated tests (tests/test_ledger_models.py) find
it by that name and fail when it is missing. Province, city and county are regions at their levels.
"""

import datetime as dt
from decimal import Decimal

import factory

from core.models import User
from delegation import models as delegation
from finance import models as finance
from reforms import models as reforms
from staffing import models as staffing
from territory import models as territory


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.Region
        django_get_or_create = ["code"]

    code = "370000"
    name = "山东省"
    level = "province"
    parent = None


class CityFactory(ProvinceFactory):
    code = "371500"
    name = "聊城市"
    level = "city"
    parent = factory.SubFactory(ProvinceFactory)


class CountyFactory(ProvinceFactory):
    code = "371581"
    name = "临清市"
    level = "county"
    parent = factory.SubFactory(CityFactory)


class RegionFactory(CountyFactory):
    """A region of the ledger: by default the county 临清市, the level that keeps most rows."""


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.Town

    county = factory.SubFactory(CountyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code}{100 + n % 100:03d}000")
    name = factory.Sequence(lambda n: f"测试镇{n}")


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.SourceDocument

    title = factory.Sequence(lambda n: f"文件{n}")
    issuer = "县委编办"
    issued_on = dt.date(2019, 4, 9)
    region = factory.SubFactory(CountyFactory)


class AssessmentSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.AssessmentScheme

    region = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"考核方案{n}")
    subject = "dispatched_agency"
    county_weight = Decimal(30)
    town_weight = Decimal(70)
    min_town_weight = Decimal(60)
    valid_from = dt.date(2021, 1, 1)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.Department

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class PowerItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.PowerItem

    name = factory.Sequence(lambda n: f"事项{n}")
    type_code = "01"
    implementation_code = factory.Sequence(lambda n: f"IMP{n:08d}")
    source_department = factory.SubFactory(DepartmentFactory)


class DelegationCatalogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.DelegationCatalogue

    county = factory.SubFactory(CountyFactory)
    title = factory.Sequence(lambda n: f"放权目录{n}")
    issued_on = dt.date(2019, 4, 9)
    edition = factory.Sequence(lambda n: n + 1)
    declared_total = 2
    count_licence = 1
    count_penalty = 1


class DelegatedPowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.DelegatedPower

    town = factory.SubFactory(TownFactory)
    catalogue = factory.SubFactory(DelegationCatalogueFactory, county=factory.SelfAttribute("..town.county"))
    item = factory.SubFactory(PowerItemFactory, source_department__county=factory.SelfAttribute("...town.county"))
    mode = "direct"
    delegated_on = dt.date(2019, 5, 1)
    take_over_status = "taken_over"
    take_over_on = dt.date(2019, 6, 1)
    # A power taken over names the town organ that took it over.
    receiving_organ = factory.Maybe(
        factory.LazyAttribute(lambda power: power.take_over_status == "taken_over"),
        yes_declaration=factory.SubFactory("tests.factories.OrganFactory", town=factory.SelfAttribute("..town")),
        no_declaration=None,
    )


class MonthlyCaseCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.MonthlyCaseCount

    power = factory.SubFactory(DelegatedPowerFactory)
    month = dt.date(2025, 1, 1)
    accepted = 5
    closed = 4


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.Training

    town = factory.SubFactory(TownFactory)
    department = factory.SubFactory(DepartmentFactory, county=factory.SelfAttribute("..town.county"))
    held_on = dt.date(2024, 1, 15)
    topic = factory.Sequence(lambda n: f"承接业务培训{n}")
    attendees = 8


class TrainingCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.TrainingCoverage

    training = factory.SubFactory(TrainingFactory)
    power = factory.SubFactory(
        DelegatedPowerFactory,
        town=factory.SelfAttribute("..training.town"),
        take_over_status="pending",
        take_over_on=None,
    )


class InspectionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.InspectionRound

    region = factory.SubFactory(CountyFactory)
    title = factory.Sequence(lambda n: f"督导检查{n}")
    kind = "composite"
    held_on = dt.date(2025, 3, 1)


class ScoreItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.ScoreItem

    inspection = factory.SubFactory(InspectionRoundFactory)
    name = factory.Sequence(lambda n: f"评分项目{n}")
    max_points = 25


class InspectionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.InspectionScore

    town = factory.SubFactory(TownFactory)
    inspection = factory.SubFactory(InspectionRoundFactory, region=factory.SelfAttribute("..town.county"))
    score = 85


class ItemPointsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.ItemPoints

    score = factory.SubFactory(InspectionScoreFactory)
    item = factory.SubFactory(ScoreItemFactory, inspection=factory.SelfAttribute("..score.inspection"))
    points = 20


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = delegation.Finding

    town = factory.SubFactory(TownFactory)
    inspection = factory.SubFactory(InspectionRoundFactory, region=factory.SelfAttribute("..town.county"))
    description = factory.Sequence(lambda n: f"检查发现问题{n}")
    deadline = dt.date(2025, 6, 30)


class OrganFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.Organ

    town = factory.SubFactory(TownFactory)
    kind = "work_organ"
    name = factory.Sequence(lambda n: f"机构{n}")


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.Secondment

    town = factory.SubFactory(TownFactory)
    staff_reference = factory.Sequence(lambda n: f"S-{n:04d}")
    borrowing_unit = "县发改局"
    joined_town_on = dt.date(2015, 1, 1)
    starts_on = dt.date(2025, 1, 1)
    ends_on = dt.date(2025, 6, 30)


class FiscalArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = finance.FiscalArrangement

    town = factory.SubFactory(TownFactory)
    kind = "tax_rebate"
    title = factory.Sequence(lambda n: f"超收返还{n}")
    base_rule = "fixed_year"
    base_year = 2015
    base_amount = Decimal("1000000.00")
    share_percent = Decimal(100)
    from_year = 2019


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "county_editor"
    region = factory.SubFactory(CountyFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ReportedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.ReportedFigure

    document = factory.SubFactory(SourceDocumentFactory)
    region = factory.SubFactory(CountyFactory)
    label = factory.Sequence(lambda n: f"指标{n}")
    value = Decimal(21)
    unit = "名"


class PilotProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.PilotProgramme

    name = factory.Sequence(lambda n: f"试点批次{n}")
    region = factory.SubFactory(CountyFactory)
    started_on = dt.date(2019, 1, 1)


class ProgrammeMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.ProgrammeMembership

    town = factory.SubFactory(TownFactory)
    programme = factory.SubFactory(PilotProgrammeFactory, region=factory.SelfAttribute("..town.county"))
    joined_on = dt.date(2019, 1, 1)


class ReformPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.ReformPlan

    town = factory.SubFactory(TownFactory)
    title = factory.Sequence(lambda n: f"改革方案{n}")
    adopted_on = dt.date(2019, 4, 9)


class ReformTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.ReformTask

    plan = factory.SubFactory(ReformPlanFactory)
    title = factory.Sequence(lambda n: f"任务{n}")
    lead_unit = "县委编办"
    deadline = dt.date(2030, 6, 30)


class AssessmentScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.AssessmentScore

    town = factory.SubFactory(TownFactory)
    scheme = factory.SubFactory(AssessmentSchemeFactory, region=factory.SelfAttribute("..town.county"))
    assessed_unit = factory.Sequence(lambda n: f"派驻单位{n}")
    year = 2024
    county_score = Decimal(80)
    town_score = Decimal(90)


class TownAnnualAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reforms.TownAnnualAssessment

    town = factory.SubFactory(TownFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    grade = "pass"


class NameplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.Nameplate

    organ = factory.SubFactory(OrganFactory)
    name = factory.Sequence(lambda n: f"牌子{n}")


class HeadcountQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.HeadcountQuota

    town = factory.SubFactory(TownFactory)
    post_type = "administrative"
    approved = 50
    effective_on = factory.Sequence(lambda n: dt.date(2019, 1, 1) + dt.timedelta(days=n))


class FilledPostsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.FilledPosts

    town = factory.SubFactory(TownFactory)
    post_type = "administrative"
    filled = 40
    as_of = factory.Sequence(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n))


class StaffingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = staffing.StaffingPolicy

    town = factory.SubFactory(TownFactory)
    effective_on = factory.Sequence(lambda n: dt.date(2019, 4, 9) + dt.timedelta(days=n))
    excellent_share_percent = Decimal(20)


class FiscalYearRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = finance.FiscalYearRecord

    arrangement = factory.SubFactory(FiscalArrangementFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    promised = Decimal("1000000.00")
    paid = Decimal("500000.00")


class ResponsibilityListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = territory.ResponsibilityList

    county = factory.SubFactory(CountyFactory)
    title = factory.Sequence(lambda n: f"属地管理事项清单(第{n + 1}批)")
    batch = factory.Sequence(lambda n: n + 1)
    issued_on = dt.date(2021, 6, 1)
    in_force_from = dt.date(2021, 7, 1)


class ResponsibilityItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = territory.ResponsibilityItem

    responsibility_list = factory.SubFactory(ResponsibilityListFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"属地事项{n}")
    category = "environment"
    main_unit = "department"
    main_department = factory.SubFactory(
        DepartmentFactory, county=factory.SelfAttribute("..responsibility_list.county")
    )
    main_duty = "负责查处"
    cooperating_units = "乡镇(街道)"
    cooperating_duty = "发现报告,配合执法"


class CallPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = territory.CallPolicy

    county = factory.SubFactory(CountyFactory)


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = territory.Call

    town = factory.SubFactory(TownFactory)
    department = factory.SubFactory(DepartmentFactory, county=factory.SelfAttribute("..town.county"))
    subject = factory.Sequence(lambda n: f"呼叫事由{n}")
    raised_at = factory.LazyFunction(lambda: dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    accept_due = factory.LazyAttribute(lambda o: o.raised_at + dt.timedelta(hours=24))
    close_due = factory.LazyAttribute(lambda o: o.raised_at + dt.timedelta(hours=120))
    raised_by = factory.SubFactory(UserFactory, region=factory.SelfAttribute("..town.county"))
