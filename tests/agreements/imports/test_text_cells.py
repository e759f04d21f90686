"""Text read from a file is held to the rule of every text that comes in (core.validators): a
cell with a control character, NUL included and wherever it is in the file, or notes longer
than 10,000 characters make their row an error with a message, the preview is kept, and
confirming imports the other rows and leaves that one out."""

import pytest

from agreements.imports.models import ImportBatch
from clients.models import Client
from skills.models import Technician
from tests.agreements.imports.conftest import csv_bytes, statuses

pytestmark = pytest.mark.django_db

CONTROL_CHARACTER = "only tabs and line breaks may be used."


def row_errors(batch) -> list[str]:
    return [error for row in batch.preview["rows"] for error in row["errors"]]


def test_a_control_character_in_a_cell_is_a_row_error_left_out_of_the_import(
    upload, confirm, catalog
):
    lines = [
        "Name,Email,Notes",
        "Dana Whitfield,dana@msp.example,Evenings",
        "Lee Chen,lee@msp.example,On call\x07 weekends",
    ]

    batch = upload("technicians", csv_bytes(lines))

    assert batch.state == ImportBatch.State.READY
    assert list(statuses(batch).values()) == ["new", "error"]
    assert row_errors(batch) == [
        f"Row 3, notes: Remove the control character U+0007 (character 8): {CONTROL_CHARACTER}"
    ]
    assert confirm(batch).preview["left_out"] == [3]
    assert list(Technician.objects.values_list("name", flat=True)) == ["Dana Whitfield"]


def test_a_nul_far_into_a_file_is_a_row_error_and_the_preview_is_kept(upload, confirm, catalog):
    # Far past the start of the file, where a NUL says it holds binary data rather than text.
    lines = ["Name,Notes", *(f"Client {number:03},{'x' * 100}" for number in range(100))]
    lines.append("Harbor\x00Dental,Two sites")

    batch = upload("clients", csv_bytes(lines))

    assert batch.state == ImportBatch.State.READY
    assert statuses(batch)["HarborDental"] == "error"
    assert row_errors(batch) == [
        f"Row 102, name: Remove the control character U+0000 (character 7): {CONTROL_CHARACTER}"
    ]
    assert confirm(batch).preview["left_out"] == [102]
    assert Client.objects.count() == 100
    assert not Client.objects.filter(name__icontains="dental").exists()


def test_notes_longer_than_ten_thousand_characters_are_a_row_error(upload, confirm, catalog):
    lines = ["Name,Notes", f"Harbor Dental,{'x' * 10_001}", "Birch Law,Two sites"]

    batch = upload("clients", csv_bytes(lines))

    assert statuses(batch) == {"Harbor Dental": "error", "Birch Law": "new"}
    assert row_errors(batch) == [
        "Row 2, notes: Ensure this value has at most 10000 characters (it has 10001)."
    ]
    assert confirm(batch).preview["left_out"] == [2]
    assert list(Client.objects.values_list("name", flat=True)) == ["Birch Law"]
