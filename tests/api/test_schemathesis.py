"""Property-based run over the whole schema: no server error, no response that breaks the schema.

Bounded so that it finishes in a couple of minutes on two cores: a few generated cases per
operation, authenticated as an administrator's token so that scoping lets every path through.
"""

import inspect
import os

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from schemathesis import checks

from core.tokens import token_create
from tests.factories import CaseCountFactory, OrganFactory, SecondmentFactory, TownFactory, UserFactory

# A deeper run on demand: SCHEMATHESIS_EXAMPLES=100 make test PYTEST_ARGS=tests/api/test_schemathesis.py
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def _keep_test_connection():
    """Like Django's test client: a request must not close the connection holding the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token_header(db, county_a, _keep_test_connection):
    """Some rows to find, and a token of a service account with the widest scope."""
    town = TownFactory(county=county_a)
    CaseCountFactory(power__town=town)
    OrganFactory(town=town)
    SecondmentFactory(town=town)
    account = UserFactory(username="fuzzer", role="system_admin", region=None, is_service_account=True)
    _, secret = token_create(user=account, name="schemathesis")
    return {"Authorization": f"Token {secret}"}


@override_settings(API_TOKEN_RATE="100000/minute")
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_conforms_to_schema(operation, token_header):
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers=token_header, checks=CHECKS)

    run()


@override_settings(API_TOKEN_RATE="100000/minute")
def test_sequences_of_calls_conform_to_schema(token_header):
    """Stateful: calls chained on links inferred from the schema (create, then read, change, delete it)."""
    state_machine = schema.as_state_machine()
    # Without inferred links there would be nothing to chain and the run would pass vacuously.
    transitions = [
        name for name, rule in inspect.getmembers(state_machine) if hasattr(rule, "hypothesis_stateful_rule")
    ]
    assert len(transitions) > 100

    class APIWorkflow(state_machine):
        # Every sequence starts from the same rows: what one sequence wrote is rolled back after it, so
        # Hypothesis sees the same preconditions when it replays a sequence.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": token_header}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    APIWorkflow.run(
        settings=hypothesis.settings(
            max_examples=int(os.environ.get("SCHEMATHESIS_SEQUENCES", "25")),
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
