"""Schemathesis, a property-based tester that knows only the OpenAPI schema, calls every
operation of the API in-process (WSGI) with a consultant's and a viewer's token: no answer is a
server error, every answer conforms to the schema, and every write of the viewer is refused."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.agreements.api.conftest import token_for
from tests.clients.factories import ClientFactory

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# POSTs that write nothing: the what-if evaluates the chosen technicians' leaving, as the page.
READS_BY_POST = {"/api/v1/what-if/"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# How many cases each role was sent, for the summary at the end of the run (conftest.py).
CASES = {"consultant": 0, "viewer": 0}


def api_schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Valid and invalid requests alike, about 15 per operation: the fuzzing phase alone (the
    # coverage phase would add some 60 boundary cases per operation).
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(raw)), config=config
    )
    loaded.app = WSGIHandler()
    return loaded


schema = api_schema()


@pytest.fixture
def tokens(db, consultant, viewer):
    ClientFactory(name="Harbor Dental")
    # The in-process requests share the test's database connection and transaction, as those
    # of Django's test client do: neither the start nor the end of a request may close it.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield {"consultant": token_for(consultant), "viewer": token_for(viewer)}
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.parametrize("role", ["consultant", "viewer"])
def test_the_api_holds_against_generated_requests(case, role, tokens):
    CASES[role] += 1
    # A savepoint per call, as a request of its own: a refusal of "run a check now" (which
    # commits its request row before queuing it, so runs outside the request's transaction)
    # marks only this call's work for rollback, not the rest of the test's.
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {tokens[role]}"})

    case.validate_response(response, checks=CHECKS)
    if role == "viewer" and case.method.upper() in WRITES and case.path not in READS_BY_POST:
        assert response.status_code == 403, (case.method, case.path, response.status_code)
