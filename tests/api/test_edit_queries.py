"""An edit by id over the API reads what its checks need once, and no more."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reforms.models import ProgrammeMembership, ReformTask
from stats.models import Alert, AlertRule
from tests.factories import PilotProgrammeFactory, ProgrammeMembershipFactory, ReformPlanFactory, ReformTaskFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def patch(client, task, data, collection="tasks", status=200):
    read = client.get(f"/api/v1/{collection}/{task.pk}/")
    assert read.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.patch(f"/api/v1/{collection}/{task.pk}/", data, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == status, response.content
    return response, [query["sql"] for query in queries]


def selects_from(sqls, table):
    """The SELECTs whose own table (not a joined one) is ``table``."""
    own = (re.match(r'SELECT .* FROM "(\w+)" WHERE', sql) for sql in sqls if " JOIN " not in sql)
    return [match.string for match in own if match and match.group(1) == table]


def test_an_edit_reads_the_rows_its_scope_checks_follow_with_the_row_itself(users, town_a):
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a))
    response, sqls = patch(client_for(users["editor_a"]), task, {"cooperating_units": "县财政局"})
    assert response.json()["cooperating_units"] == "县财政局"
    # The permission before the change and the service's checks under the lock read the plan and
    # its town in the row's own query, not one query each, twice.
    assert selects_from(sqls, "reforms_town") == []
    assert [sql for sql in selects_from(sqls, "reforms_reformplan") if 'SELECT "reforms_reformplan"."id"' in sql] == []


def test_an_edit_checks_again_only_what_it_changes(users, town_a):
    """The row as saved passed every check: an edit of a free-text field asks the database neither
    whether its plan exists nor whether the done / completed-on rule holds (a SELECT in a savepoint)."""
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a))
    _response, sqls = patch(client_for(users["editor_a"]), task, {"cooperating_units": "县财政局"})
    assert [sql for sql in sqls if sql.startswith('SELECT 1 AS "a" FROM "reforms_reformplan"')] == []
    assert [sql for sql in sqls if '"_check"' in sql] == []


def test_a_rule_over_a_changed_field_is_checked_with_the_fields_left_as_they_were(users, town_a):
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a), status=ReformTask.Status.IN_PROGRESS)
    response, _sqls = patch(client_for(users["editor_a"]), task, {"status": "done"}, status=400)
    assert "已完成的任务必须填写完成日期" in str(response.json())
    task.refresh_from_db()
    assert (task.status, task.version) == (ReformTask.Status.IN_PROGRESS, 1)

    membership = ProgrammeMembershipFactory(town=town_a, joined_on=dt.date(2020, 3, 1))
    patch(client_for(users["editor_a"]), membership, {"left_on": "2020-01-31"}, "programme-memberships", 400)
    other = ProgrammeMembershipFactory(town=town_a, programme=PilotProgrammeFactory(region=town_a.county))
    response, _sqls = patch(
        client_for(users["editor_a"]), other, {"programme": membership.programme_id}, "programme-memberships", 400
    )
    assert "该镇已在此试点批次中" in str(response.json())
    assert ProgrammeMembership.objects.get(pk=other.pk).programme_id == other.programme_id
    assert ProgrammeMembership.objects.get(pk=membership.pk).left_on is None


def test_an_edit_writes_its_audit_entry_in_the_edits_own_transaction(users, town_a):
    """The entry commits or rolls back with the change: no savepoint of its own around it."""
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a))
    _response, sqls = patch(client_for(users["editor_a"]), task, {"cooperating_units": "县财政局"})
    insert = next(i for i, sql in enumerate(sqls) if sql.startswith('INSERT INTO "audit_auditentry"'))
    # Before the insert: the chain lock and the last entry's hash, and no savepoint opened for them.
    assert not any(sql.startswith("SAVEPOINT") for sql in sqls[insert - 3 : insert]), sqls[insert - 3 : insert]


def test_an_edit_of_a_field_no_alert_reads_leaves_the_alerts_alone(users, town_a):
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a), deadline=dt.date(2020, 1, 31))
    client = client_for(users["editor_a"])
    _response, sqls = patch(client, task, {"status": "in_progress"})
    assert Alert.objects.filter(rule=AlertRule.TASK_OVERDUE, subject_id=task.pk, is_open=True).count() == 1
    assert any('"stats_alert"' in sql for sql in sqls)

    _response, sqls = patch(client, task, {"cooperating_units": "县财政局"})
    assert not any('"stats_alert"' in sql for sql in sqls)
    assert Alert.objects.filter(rule=AlertRule.TASK_OVERDUE, subject_id=task.pk, is_open=True).count() == 1


def test_a_lookup_with_a_filter_still_filters(users, town_a):
    task = ReformTaskFactory(plan=ReformPlanFactory(town=town_a), status=ReformTask.Status.NOT_STARTED)
    client = client_for(users["reviewer"])
    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/api/v1/tasks/{task.pk}/", {"status": "done"}).status_code == 404
