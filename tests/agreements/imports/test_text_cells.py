"""Text read from a file is held to the rule of every text that comes in (core.validators): a
cell with a control character, NUL included and wherever it is in the file, refuses the file
with the cell named (agreements/imports/tables.py); notes longer than 10,000 characters in a
file that may hold longer cells make their row an error, left out when the rest is imported."""

import pytest
from django.core.exceptions import ValidationError

from agreements.imports.models import ImportBatch
from clients.models import Client
from tests.agreements.imports.conftest import csv_bytes, saved_state, statuses

pytestmark = pytest.mark.django_db


def row_errors(batch) -> list[str]:
    return [error for row in batch.preview["rows"] for error in row["errors"]]


def test_a_control_character_in_a_cell_refuses_the_file_naming_its_cell(upload, catalog):
    before = saved_state()
    lines = [
        "Name,Email,Notes",
        "Dana Whitfield,dana@msp.example,Evenings",
        "Lee Chen,lee@msp.example,On call\x07 weekends",
    ]

    with pytest.raises(ValidationError) as refused:
        upload("technicians", csv_bytes(lines))

    assert "Row 3, column 3 (Notes) holds a control character (U+0007)" in str(refused.value)
    assert saved_state() == before
    assert not ImportBatch.objects.exists()


def test_a_nul_far_into_a_file_refuses_the_file(upload, catalog):
    before = saved_state()
    # Far past the start of the file, where a NUL says it holds binary data rather than text.
    lines = ["Name,Notes", *(f"Client {number:03},{'x' * 100}" for number in range(100))]
    lines.append("Harbor\x00Dental,Two sites")

    with pytest.raises(ValidationError):
        upload("clients", csv_bytes(lines))

    assert saved_state() == before
    assert not ImportBatch.objects.exists()


def test_notes_longer_than_ten_thousand_characters_are_a_row_error(
    upload, confirm, catalog, settings
):
    # Files may hold longer cells than notes may: the model's limit then makes the row an error,
    # and confirming imports the other rows and leaves that one out.
    settings.IMPORT_MAX_CELL_CHARACTERS = 20_000
    lines = ["Name,Notes", f"Harbor Dental,{'x' * 10_001}", "Birch Law,Two sites"]

    batch = upload("clients", csv_bytes(lines))

    assert statuses(batch) == {"Harbor Dental": "error", "Birch Law": "new"}
    assert row_errors(batch) == [
        "Row 2, notes: Ensure this value has at most 10000 characters (it has 10001)."
    ]
    assert confirm(batch).preview["left_out"] == [2]
    assert list(Client.objects.values_list("name", flat=True)) == ["Birch Law"]
