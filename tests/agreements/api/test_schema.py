"""The OpenAPI schema: complete, valid, and listing the refusals of every operation."""

import pytest
import yaml
from django.core.management import call_command

from agreements.coverage.models import CoverageStatus

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_a_warning(tmp_path):
    # --fail-on-warn makes any warning of drf-spectacular an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")

    schema = yaml.safe_load((tmp_path / "s.yml").read_text())
    assert schema["openapi"].startswith("3.")


def test_every_operation_lists_its_refusals(api, viewer):
    schema = api(viewer).get("/api/schema/", {"format": "json"}).json()

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 50
    for path, method, operation in operations:
        assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (path, method)
        assert "token" in {name for entry in operation["security"] for name in entry}


def test_the_schema_is_for_signed_in_callers(client):
    assert client.get("/api/schema/").status_code == 401


def test_a_lists_coverage_has_its_own_enum_beside_the_checks_statuses(api, viewer):
    components = api(viewer).get("/api/schema/", {"format": "json"}).json()["components"]
    schemas = components["schemas"]
    agreement_status = schemas["Agreement"]["properties"]["coverage_status"]

    assert schemas["CoverageStatusEnum"]["enum"] == list(CoverageStatus.values)
    assert schemas["CheckedCoverageStatusEnum"]["enum"] == [*CoverageStatus.values, "not_checked"]
    assert {"$ref": "#/components/schemas/CheckedCoverageStatusEnum"} in agreement_status["oneOf"]
