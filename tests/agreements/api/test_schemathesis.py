"""Schemathesis, a property-based tester that knows only the OpenAPI schema, calls every
operation of the API in-process (WSGI) with a consultant's and a viewer's token: no answer is a
server error, every answer conforms to the schema, and every write of the viewer is refused.
Besides the generated requests, each query and path parameter of each operation is sent at and
past the limits of the database, and as text that is no number."""

import base64
import datetime
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

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from core.bounds import ID_MAX
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


# ------------------------------------------------------------------------------ numbers at limits
# Besides the generated requests: each query and path parameter of each operation, one at a time,
# at and past what the database holds (every id is a bigint) and as text that is no number.
PAST_THE_DATABASE = [
    str(ID_MAX + 1),
    str(10**30),
    "-37428854648149008384",  # a stranger's fuzzer found it on the flags' resolved_by_check
]
AT_THE_LIMITS = ["-1", "0", str(ID_MAX)]
NOT_WHOLE_NUMBERS = ["1.5", "1e999999999", "9" * 5000, "²"]
OVERLONG_TEXT = ["x" * 10_000, "a\x00b"]


def cursor(position_and_offset: str) -> str:
    """A page cursor made by hand, in the shape DRF's cursor pagination reads."""
    return base64.b64encode(position_and_offset.encode()).decode()


FORGED_CURSORS = [cursor("p=abc"), cursor(f"p={10**30}"), cursor(f"o={10**30}&p=1"), cursor("p=-1")]
# A page size past the largest is the largest (DRF's cursor pagination), not a refusal.
CLAMPED = {"page_size"}


def parameters_at_their_limits():
    """(method, path, location, name, value, past the database?) for each parameter."""
    for path, item in schema.raw_schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                location, name = parameter["in"], parameter["name"]
                if location not in ("query", "path"):
                    continue
                numeric = parameter["schema"].get("type") in ("integer", "number")
                if name == "cursor":
                    values = [(value, False) for value in FORGED_CURSORS + OVERLONG_TEXT]
                elif numeric or location == "path":  # a path's {id} is a row id, however typed
                    values = [(value, True) for value in PAST_THE_DATABASE] + [
                        (value, False) for value in AT_THE_LIMITS + NOT_WHOLE_NUMBERS
                    ]
                else:
                    values = [(value, False) for value in [*OVERLONG_TEXT, str(10**30)]]
                for value, past in values:
                    yield method.upper(), path, location, name, value, past


LIMIT_CASES = list(parameters_at_their_limits())
OPERATIONS_WITH_PARAMETERS = sorted({(method, path) for method, path, *_ in LIMIT_CASES})


@pytest.fixture
def recorded_check(db):
    """A recorded check, so that the filters of a check's rows are reached."""
    return coverage_check_run(day=datetime.date(2026, 6, 1), trigger=CoverageCheck.Trigger.MANUAL)


def refused_as_past_the_database(location: str, name: str, response) -> bool:
    """An id in a path past what a table holds is no such row (404), unless the role may not do
    this to any row (403: deleting is for admins); a number in a query is refused by name (400)."""
    if location == "path":
        return response.status_code in (403, 404)
    return response.status_code == 400 and name in response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    OPERATIONS_WITH_PARAMETERS,
    ids=[" ".join(operation) for operation in OPERATIONS_WITH_PARAMETERS],
)
def test_each_parameter_at_and_past_the_database_limits_is_answered_without_a_server_error(
    method, path, tokens, recorded_check
):
    operation = schema[path][method]
    wrongly_answered = []
    for _, _, location, name, value, past in (
        case for case in LIMIT_CASES if case[:2] == (method, path)
    ):
        path_parameters = {"id": recorded_check.pk} if "{id}" in path else {}
        query = {}
        (path_parameters if location == "path" else query)[name] = value
        case = operation.Case(path_parameters=path_parameters, query=query)
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Token {tokens['consultant']}"})

        case.validate_response(response, checks=CHECKS)
        if (
            past
            and name not in CLAMPED
            and not refused_as_past_the_database(location, name, response)
        ):
            wrongly_answered.append((location, name, value, response.status_code))
    assert wrongly_answered == []


def test_a_check_id_past_the_database_in_the_flags_filter_is_refused_with_a_message(
    api, consultant
):
    response = api(consultant).get("/api/v1/flags/", {"resolved_by_check": "-37428854648149008384"})

    assert response.status_code == 400
    assert response.json() == {
        "resolved_by_check": ["Ensure this value is greater than or equal to 1."]
    }
