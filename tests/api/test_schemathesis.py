"""Property-based run over the whole schema, every phase: no server error, no answer that breaks the schema.

Phases: the schema's examples, coverage (boundary and invalid values of every parameter and body),
fuzzing (valid and invalid data) and stateful sequences on the links inferred from the schema.
Authenticated as an administrator's token so that scoping lets every path through. Bounded to finish
in a few minutes on two cores: SCHEMATHESIS_EXAMPLES fuzzed cases per operation (coverage is
deterministic and runs whole), SCHEMATHESIS_SEQUENCES stateful sequences of up to 6 calls. With the
defaults: 151 operations, about 10,400 cases (9,200 coverage, 1,200 fuzzing, the schema's examples),
0 failures.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance — no expected failures. Not enabled, and why:
- negative_data_rejection: unknown query parameters and body fields are ignored (DRF and django-filter
  do so by design), so a request made "invalid" only by an extra parameter rightly answers 200;
- positive_data_acceptance: generated bodies name rows that do not exist (foreign keys, towns), which
  the API rightly refuses with 400 or 404.
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
from hypothesis import HealthCheck
from schemathesis import checks

from core.tokens import token_create
from stats.services import recompute_all
from tests.factories import MonthlyCaseCountFactory, OrganFactory, SecondmentFactory, TownFactory, UserFactory

# A deeper run on demand: SCHEMATHESIS_EXAMPLES=100 make test PYTEST_ARGS=tests/api/test_schemathesis.py
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

# Minutes of fuzzing: `make test` runs it, the inner loop `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
# Every phase: the schema's own examples, the coverage phase's boundary and invalid values, fuzzing
# (valid and invalid data) and, below, the stateful sequences. Deterministic, so a failure replays.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none")


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
    MonthlyCaseCountFactory(power__town=town)
    OrganFactory(town=town)
    SecondmentFactory(town=town)
    recompute_all(analyse=False)  # summary rows of town and region scopes (town_code null), and a run
    account = UserFactory(username="fuzzer", role="system_admin", region=None, is_service_account=True)
    _, secret = token_create(user=account, name="schemathesis")
    return {"Authorization": f"Token {secret}"}


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(HealthCheck))
@override_settings(API_TOKEN_RATE="100000/minute")
def test_operation_conforms_to_schema(case, token_header):
    case.call_and_validate(headers=token_header, checks=CHECKS)


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
