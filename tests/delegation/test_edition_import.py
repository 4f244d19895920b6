"""Importing a whole new edition: the preview shows what the town's listing gains and loses, then writes it."""

import datetime as dt

import pytest

from delegation import importing
from delegation.models import DelegatedPower
from tests.factories import (
    DelegatedPowerFactory,
    DelegationCatalogueFactory,
    DepartmentFactory,
    OrganFactory,
    TownFactory,
    UserFactory,
)
from tests.ui.test_import import xlsx

pytestmark = pytest.mark.django_db
ISSUED = dt.date(2024, 1, 1)


@pytest.fixture
def town():
    town = TownFactory()
    OrganFactory(town=town, name="便民服务中心")
    return town


@pytest.fixture
def editor(town):
    return UserFactory(region=town.county)


@pytest.fixture
def second(town):
    """The town's first edition with three powers, and the second edition to import."""
    first = DelegationCatalogueFactory(county=town.county, town=town, edition=1)
    department = DepartmentFactory(county=town.county, name="县市场监管局")
    for name, mode in (("食品经营许可", "direct"), ("广告违法处罚", "direct"), ("燃气经营许可", "direct")):
        DelegatedPowerFactory(
            town=town, catalogue=first, item__name=name, item__source_department=department, mode=mode
        )
    return DelegationCatalogueFactory(county=town.county, town=town, edition=2, issued_on=ISSUED, title="2024年调整")


NEW_EDITION = [
    ["县市场监管局", "食品经营许可", "行政许可", "", "委托"],
    ["县市场监管局", "燃气经营许可", "行政许可", "", "直接下放"],
    ["县市场监管局", "药品零售许可", "行政许可", "", "直接下放"],
]


def run(editor, second, town, dry_run):
    rows = importing.read_table(xlsx(NEW_EDITION, headers=importing_headers()), importing.CATALOGUE_COLUMNS)
    return importing.catalogue_import(
        user=editor, catalogue=second, town=town, rows=rows, dry_run=dry_run, new_edition=True
    )


def importing_headers():
    return ["放权部门", "事项名称", "权力类型", "实施编码", "下放方式"]


def test_preview_shows_the_difference_and_writes_nothing(editor, second, town):
    result = run(editor, second, town, dry_run=True)
    assert result.ok, result.problems
    assert [p.item.name for p in result.diff.added] == ["药品零售许可"]
    assert [p.item.name for p in result.diff.withdrawn] == ["广告违法处罚"]
    assert [(old.mode, new.mode) for old, new in result.diff.changed] == [("direct", "entrusted")]
    assert DelegatedPower.objects.filter(town=town).count() == 3
    assert not DelegatedPower.objects.filter(withdrawn_on__isnull=False).exists()


def test_confirming_withdraws_relists_and_adds(editor, second, town):
    result = run(editor, second, town, dry_run=False)
    assert result.ok, result.problems
    withdrawn = DelegatedPower.objects.get(item__name="广告违法处罚")
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_in, withdrawn.withdrawal_reason) == (
        ISSUED,
        second,
        "新版目录未列入",
    )
    licence = DelegatedPower.objects.filter(item__name="食品经营许可").order_by("pk")
    assert [(p.mode, p.withdrawn_on) for p in licence] == [("direct", ISSUED), ("entrusted", None)]
    assert licence[1].take_over_status == "taken_over"  # what the town had done carries over
    assert DelegatedPower.objects.get(item__name="燃气经营许可").withdrawn_on is None
    assert DelegatedPower.objects.filter(town=town, withdrawn_on__isnull=True).count() == 3
