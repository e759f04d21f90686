"""Every text that comes in is bounded and clean (forms, the API, imports: see
tests/agreements/imports/test_text_cells.py): control characters other than tab and line
breaks are refused with a field message, notes hold at most 10,000 characters, and exports never
fail on text saved before: XLSX leaves out what it cannot hold, formulas stay neutralised."""

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agreements.api.tokens import ApiTokenForm
from agreements.imports.forms import PresetForm
from clients.models import Client
from core.models import EmailAddressField, LongTextField, TextLineField, WebsiteField
from core.validators import NOTES_MAX_LENGTH, refuse_control_characters
from tests.agreements.api.conftest import token_for
from tests.clients.factories import ClientFactory
from tests.clients.test_views import client_post_data

# Text the system writes itself (results of checks, delivery logs, generated keys), which no
# person or file supplies; every other text field of the domain is bounded and clean.
SYSTEM_WRITTEN = {
    "core.WorkerHeartbeat.worker",
    "agreements.Agreement.reference",
    "agreements.CoverageFlag.requirement_label",
    "agreements.CoverageFlag.reason",
    "agreements.CoverageRun.last_error",
    "agreements.CoverageRun.run_last_error",
    "agreements.CoverageRun.claim_token",
    "agreements.CoverageCheckRequest.error",
    "agreements.CoverageDataChange.kind",
    # A test of the report goes to the requesting user's own address.
    "agreements.ReportTestEmail.recipient",
    "agreements.ReportTestEmail.last_error",
    "agreements.CheckedRequirement.label",
    "agreements.CheckedRequirement.reason",
    "agreements.CheckedEndOfSupport.client_name",
    "agreements.CheckedEndOfSupport.label",
    "agreements.CheckedEndOfSupport.successor_label",
    "agreements.CheckedEndOfSupport.reason",
    "agreements.CheckedProgramme.label",
    "agreements.CheckedProgramme.reason",
    "agreements.Reminder.recipient",
    "agreements.Reminder.subject",
    "agreements.Reminder.last_error",
    "agreements.CalendarFeed.token_hash",
    # The name of the uploaded file, from which Django removes what is not printable.
    "agreements.ImportBatch.filename",
    "agreements.ImportBatch.message",
    "agreements.WebhookDelivery.event_key",
    "agreements.WebhookDelivery.payload",
    "agreements.WebhookDelivery.last_error",
    "agreements.ApiToken.digest",
    "agreements.ApiToken.token_key",
    # A sync's error and a synced object's id in the vendor come from the connector, which
    # bounds them: never typed by a person nor read from an uploaded file.
    "agreements.SyncRun.error",
    "agreements.ExternalRef.external_id",
}
CLEAN_TEXT_FIELDS = (TextLineField, LongTextField, EmailAddressField, WebsiteField)


def supplied_text_fields():
    for app_label in ("core", "skills", "clients", "agreements"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.model_name.startswith("historical"):
                continue  # a copy of its model's fields
            for field in model._meta.concrete_fields:
                name = f"{model._meta.label}.{field.name}"
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not field.choices
                    and name not in SYSTEM_WRITTEN
                ):
                    yield name, field


def test_every_text_field_a_person_or_a_file_fills_is_bounded_and_clean():
    loose = [
        name
        for name, field in supplied_text_fields()
        if not isinstance(field, CLEAN_TEXT_FIELDS) or field.max_length is None
    ]
    assert loose == []


def test_every_notes_field_holds_at_most_ten_thousand_characters():
    notes = {
        name: field.max_length
        for name, field in supplied_text_fields()
        if isinstance(field, models.TextField) and name.endswith(".notes")
    }
    assert {"clients.Client.notes", "agreements.Agreement.notes"} <= notes.keys()
    assert set(notes.values()) == {NOTES_MAX_LENGTH}


# ------------------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    "text",
    ["Harbor Dental", "Line one\r\nline two\nthree", "Name\twith a tab", "Tomás 🙂 مرحبا", ""],
)
def test_tabs_line_breaks_and_any_language_are_text(text):
    refuse_control_characters(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Harbor\x00Dental", "U+0000"),
        ("Harbor\x07Dental", "U+0007"),
        ("Harbor\x1bDental", "U+001B"),
        ("Harbor\x0bDental", "U+000B"),
        ("Harbor\x7fDental", "U+007F"),
        ("Harbor\x85Dental", "U+0085"),
    ],
)
def test_every_other_control_character_is_refused_with_where_it_is(text, code):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(text)

    assert refused.value.messages == [
        f"Remove the control character {code} (character 7): only tabs and line breaks may be used."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", '"a\x07b"@harbor.example'),
        ("website", "https://harbor.example/a\x07b"),
    ],
)
def test_addresses_refuse_the_control_characters_their_own_validators_let_through(field, value):
    client = ClientFactory.build(**{field: value})

    with pytest.raises(ValidationError) as refused:
        client.full_clean(validate_unique=False, validate_constraints=False)

    assert list(refused.value.message_dict) == [field]


# ------------------------------------------------------------------------------ forms


@pytest.mark.django_db
def test_a_control_character_typed_in_a_form_is_refused_on_its_field(consultant_client):
    response = consultant_client.post(
        reverse("clients:create"), client_post_data(name="Harbor\x07Dental")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Remove the control character U+0007 (character 7): only tabs and line breaks may be used."
    ]
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_a_text_area_keeps_the_line_breaks_a_browser_sends(consultant_client):
    consultant_client.post(
        reverse("clients:create"), client_post_data(notes="Two sites:\r\n\tmain\r\n\tannex")
    )

    assert Client.objects.get().notes == "Two sites:\r\n\tmain\r\n\tannex"


@pytest.mark.django_db
def test_notes_longer_than_ten_thousand_characters_are_refused_by_a_form(consultant_client):
    response = consultant_client.post(
        reverse("clients:create"), client_post_data(notes="x" * (NOTES_MAX_LENGTH + 1))
    )

    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == [
        "Ensure this value has at most 10000 characters (it has 10001)."
    ]
    assert not Client.objects.exists()


@pytest.mark.parametrize("form_class", [ApiTokenForm, PresetForm])
def test_forms_that_name_a_token_or_a_preset_refuse_a_control_character(form_class):
    form = form_class({"name": "PSA\x07sync"})

    assert not form.is_valid()
    assert form.errors["name"] == [
        "Remove the control character U+0007 (character 4): only tabs and line breaks may be used."
    ]


# ------------------------------------------------------------------------------ the API


@pytest.fixture
def api(consultant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant)}")
    return client


CLIENTS_URL = "/api/v1/clients/"


@pytest.mark.django_db
def test_a_control_character_sent_to_the_api_is_refused_on_its_field(api):
    response = api.post(CLIENTS_URL, {"name": "Harbor\x07Dental"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "name": [
            "Remove the control character U+0007 (character 7): only tabs and line breaks "
            "may be used."
        ]
    }
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_a_nul_sent_to_the_api_is_refused_on_its_field(api):
    response = api.post(CLIENTS_URL, {"name": "Harbor\x00Dental"}, format="json")

    assert response.status_code == 400
    assert (
        "Remove the control character U+0000 (character 7): only tabs and line breaks may be used."
    ) in response.json()["name"]
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_a_control_character_in_a_nested_row_is_refused_on_the_row(api):
    response = api.post(
        CLIENTS_URL,
        {"name": "Harbor Dental", "contacts": [{"name": "Ruth", "role": "Office\x1bmanager"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "contacts": {
            "0": {
                "role": [
                    "Remove the control character U+001B (character 7): only tabs and line "
                    "breaks may be used."
                ]
            }
        }
    }
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_notes_longer_than_ten_thousand_characters_are_refused_by_the_api(api):
    client = ClientFactory(notes="Two sites")

    response = api.patch(
        f"{CLIENTS_URL}{client.pk}/", {"notes": "x" * (NOTES_MAX_LENGTH + 1)}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"notes": ["Ensure this field has no more than 10000 characters."]}
    client.refresh_from_db()
    assert client.notes == "Two sites"


# ------------------------------------------------------------------------------ exports


def xlsx_rows(response) -> list:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_a_client_saved_with_a_control_character_exports_as_xlsx_without_it(consultant_client):
    # Saved before the rule, or written without validation: no form or API would take it.
    ClientFactory(name="Harbor\x07Dental", notes="Two\x0bsites\nand\ta\x1bbranch")

    response = consultant_client.get(reverse("clients:list"), {"export": "xlsx"})

    row = xlsx_rows(response)[1]
    assert row[0] == "HarborDental"
    assert row[-1] == "Twosites\nand\tabranch"


@pytest.mark.django_db
def test_a_formula_behind_a_control_character_stays_neutralised_in_xlsx(consultant_client):
    ClientFactory(name="\x07=HYPERLINK(evil)")

    response = consultant_client.get(reverse("clients:list"), {"export": "xlsx"})

    assert xlsx_rows(response)[1][0] == "'=HYPERLINK(evil)"


@pytest.mark.django_db
def test_csv_exports_text_saved_with_a_control_character_as_it_is(consultant_client):
    ClientFactory(name="Harbor\x07Dental")

    response = consultant_client.get(reverse("clients:list"), {"export": "csv"})

    assert response.status_code == 200
    assert "Harbor\x07Dental" in b"".join(response.streaming_content).decode()
