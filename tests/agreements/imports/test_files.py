"""The same data read from every spelling of a file (encodings, separators, XLSX) previews the
same; bad files are refused with a plain message and nothing is kept; ambiguous dates follow
the order the user picks; a saved mapping preset is used for the next file with its columns."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from openpyxl import Workbook

from agreements.imports.flow import import_batch_options_set
from agreements.imports.models import ImportBatch
from agreements.imports.services import import_preset_save
from agreements.imports.tables import unprotected
from clients.models import Client
from core.exports import spreadsheet_safe
from tests.agreements.imports.conftest import csv_bytes, saved_state
from tests.clients.factories import ClientFactory
from tests.skills.factories import TechnicianFactory

pytestmark = pytest.mark.django_db

LINES = [
    "Company Name,Seats,Phone,Notes",
    'Tomás Ortega Dental,12,555-0100,"Back office, 2nd floor"',
    "Zoë Vet Clinic,4,,=SUM(A1)",
    "Café Legal,7,555-0101,'=HYPERLINK(x)",
]


def xlsx(lines) -> bytes:
    import csv

    workbook = Workbook()
    sheet = workbook.active
    for row in csv.reader(lines):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SPELLINGS = {
    "utf-8": csv_bytes(LINES),
    "utf-8 with BOM": b"\xef\xbb\xbf" + csv_bytes(LINES),
    "windows-1252": csv_bytes(LINES, encoding="cp1252"),
    "semicolons": "\r\n".join(
        line.replace(",", ";").replace('"Back office; 2nd floor"', '"Back office, 2nd floor"')
        for line in LINES
    ).encode(),
    "xlsx": xlsx(LINES),
}


def test_every_spelling_previews_the_same(catalog, upload):
    previews = {
        name: upload("clients", data, filename="f.xlsx" if name == "xlsx" else "f.csv").preview
        for name, data in SPELLINGS.items()
    }
    rows = {name: preview["rows"] for name, preview in previews.items()}
    assert all(found == rows["utf-8"] for found in rows.values()), rows
    assert [row["key"] for row in rows["utf-8"]] == [
        "Tomás Ortega Dental",
        "Zoë Vet Clinic",
        "Café Legal",
    ]
    assert previews["semicolons"]["format"] == "CSV (UTF-8, semicolon)"
    assert previews["windows-1252"]["format"] == "CSV (Windows-1252, comma)"


def test_the_export_prefix_is_stripped_and_only_it():
    assert unprotected(spreadsheet_safe("=SUM(A1)")) == "=SUM(A1)"
    assert unprotected("'quoted'") == "'quoted'"
    assert unprotected("'-5") == "-5"


def test_a_saved_cell_keeps_its_text_without_the_export_prefix(catalog, upload, confirm):
    confirm(upload("clients", csv_bytes(LINES)))
    from clients.models import Client

    assert Client.objects.get(name="Café Legal").notes == "=HYPERLINK(x)"
    assert Client.objects.get(name="Zoë Vet Clinic").notes == "=SUM(A1)"


REFUSED = [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "data.csv", "it looks like a PDF document"),
    (b"", "data.csv", "The file is empty."),
    (b"\xef\xbb\xbf\r\n\r\n", "data.csv", "The file is empty."),
    (b"Name\r\n", "data.csv", "a header but no rows"),
    (b"Colour,Flavour\r\nred,sweet\r\n", "data.csv", "names no column Covered knows"),
    (b"Name,Seats\r\nA,1\r\n", "data.xlsx", "is not an Excel workbook"),
    (b"PK\x03\x04garbage", "data.xlsx", "not an Excel workbook that can be read"),
]


@pytest.mark.parametrize(("data", "filename", "says"), REFUSED)
def test_bad_files_are_refused_and_nothing_is_kept(catalog, upload, data, filename, says):
    before = saved_state()
    with pytest.raises(ValidationError) as refused:
        upload("clients", data, filename=filename)
    assert says in " ".join(refused.value.messages)
    assert saved_state() == before
    assert not ImportBatch.objects.exists()


@override_settings(IMPORT_MAX_ROWS=3)
def test_too_many_rows_are_refused(catalog, upload):
    data = csv_bytes(["Name"] + [f"Client {n}" for n in range(4)])
    with pytest.raises(ValidationError, match="at most 3 can be imported"):
        upload("clients", data)


@override_settings(IMPORT_MAX_BYTES=100)
def test_too_big_a_file_is_refused(catalog, upload):
    with pytest.raises(ValidationError, match="files of at most"):
        upload("clients", csv_bytes(["Name"] + ["x" * 50] * 3))


def test_duplicate_rows_are_errors(catalog, upload, confirm):
    batch = upload("clients", csv_bytes(["Name,Seats", "Acme,1", "ACME,2"]))
    assert batch.preview["rows"][1]["errors"] == [
        "Row 3: the same client name as row 2; each may appear once in a file"
    ]
    assert confirm(batch).preview["left_out"] == [3]
    assert list(Client.objects.values_list("name", "seats")) == [("Acme", 1)]


def test_ambiguous_dates_follow_the_chosen_order(catalog, upload):
    TechnicianFactory(name="Dana Whitfield", email="dana@msp.example")
    data = csv_bytes(["Name,Email,Last working day", "Dana Whitfield,dana@msp.example,03/04/2026"])
    batch = upload("technicians", data, date_order="mdy")
    assert batch.preview["ambiguous_dates"] is True
    assert batch.preview["rows"][0]["changes"] == [["Last working day", "—", "2026-03-04"]]
    batch = import_batch_options_set(batch=batch, date_order="dmy")
    assert batch.preview["rows"][0]["changes"] == [["Last working day", "—", "2026-04-03"]]


def test_a_date_impossible_in_the_chosen_order_is_an_error(catalog, upload):
    TechnicianFactory(email="dana@msp.example")
    data = csv_bytes(["Name,Email,Last working day", "Dana,dana@msp.example,13/04/2026"])
    batch = upload("technicians", data, date_order="mdy")
    assert batch.preview["rows"][0]["errors"] == [
        "Row 2, last working day: '13/04/2026' is not a date in month/day/year order "
        "(write it as YYYY-MM-DD, e.g. 2026-04-03)"
    ]


def test_an_unknown_client_is_listed_to_be_mapped_not_a_row_error(catalog, upload):
    batch = upload("environment", csv_bytes(["Client,Product", "Ghost Co,Windows 11"]))
    assert batch.preview["counts"]["error"] == 0
    assert batch.preview["unknown_clients"] == [{"name": "Ghost Co", "rows": 1}]


def test_a_saved_preset_is_applied_to_the_next_file_with_its_columns(catalog, upload):
    ClientFactory(name="Acme Dental")
    lines = ["Kunde,Software,Anzahl", "Acme Dental,Windows 11,3"]
    batch = upload("environment", csv_bytes(lines))
    assert batch.preview["missing"] == ["Client"]
    batch = import_batch_options_set(batch=batch, mapping=["client", "product", "quantity"])
    assert batch.preview["counts"]["new"] == 1
    import_preset_save(batch=batch, name="Our RMM")

    following = upload("environment", csv_bytes([lines[0], "Acme Dental,Windows 10,4"]))
    assert following.options["mapping"] == ["client", "product", "quantity"]
    assert following.options["preset"] == "Our RMM"
    assert following.preview["rows"][0]["key"] == "Acme Dental: Windows 10"
