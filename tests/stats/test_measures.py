"""A figure is declared once, in ``stats.measures``; the engine, the pages, the exports and the API read it."""

import io
import re

import openpyxl
import pytest
from django.db.models import Count, Q
from django.test import Client
from rest_framework.test import APIClient

from core.models import User
from reforms.models import ReformTask, Town
from stats import figures, measures, services
from stats.models import Figure

pytestmark = pytest.mark.django_db

DONGYING = "370500"


def _client(cls=Client):
    client = cls(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="admin"))
    return client


def test_every_declared_figure_shown_is_a_row_of_the_region_page_and_its_export(demo):
    html = _client().get(f"/dashboard/region/{DONGYING}/").content.decode()
    table = html.split('class="table compact details"', 1)[1].split("</table>", 1)[0]
    page_rows = [
        re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r'<th scope="row">(.*?)</th>', table, re.S)
    ]
    export = _client().get(f"/dashboard/region/{DONGYING}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    exported = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    for figure in measures.SHOWN:
        label = str(figure.row_label if isinstance(figure, measures.Stored) else figure.label)
        assert label in page_rows, label
        assert label in exported, label


def test_every_declared_metric_is_a_value_the_api_filters_by(demo):
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/stats/figures/"]["get"]["parameters"]
    metric = next(p for p in parameters if p["name"] == "metric")
    assert set(metric["schema"]["enum"]) == {f.code for f in measures.METRICS}


def test_a_figure_declared_in_one_place_is_computed_for_each_town_and_summed_above(demo, monkeypatch):
    """No other file is edited: the engine takes the new declaration from ``stats.measures``."""
    in_progress = measures.Stored(
        "tasks_in_progress",
        "推进中任务",
        measures.ASSESSMENT,
        name="TASKS_IN_PROGRESS",
        per_town={"tasks": Count("pk", filter=Q(status=ReformTask.Status.IN_PROGRESS))},
    )
    monkeypatch.setattr(figures, "_COMPILED", {})
    measures.METRICS.append(in_progress)
    try:
        town = Town.objects.filter(plans__tasks__status=ReformTask.Status.IN_PROGRESS).first()
        services.recompute_town(town.pk)
    finally:
        measures.METRICS.remove(in_progress)
    expected = ReformTask.objects.filter(plan__town=town, status=ReformTask.Status.IN_PROGRESS).count()
    stored = Figure.objects.filter(metric="tasks_in_progress")
    assert expected > 0
    assert stored.get(scope_kind="town", scope_id=town.pk).value == expected
    assert stored.get(scope_kind="county", scope_id=town.county_id).value == expected
