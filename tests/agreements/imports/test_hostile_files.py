"""Hostile files are refused with a message and bounded memory: workbooks that unzip to
hundreds of megabytes (many cells, one huge cell, many shared strings, a wide header, a tag of a
million attributes), that declare XML entities, lie about their sizes or hide what openpyxl
builds whole, CSV files with a NUL past the first 8 KB, binary garbage, a 200,000-character cell
or control characters. The reader refuses each in a process of its own whose peak memory is
measured, and the upload page answers each with the message, writes nothing and keeps no file.
A refused file is never kept, and a daily job deletes the stored uploads that no batch names."""

import datetime
import functools
import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from defusedxml import EntitiesForbidden
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from openpyxl import load_workbook

from agreements.coverage.schedule import coverage_schedule_setup
from agreements.imports import tables
from agreements.imports.flow import import_batch_options_set
from agreements.imports.models import ImportBatch
from agreements.imports.services import orphan_uploads_delete
from agreements.imports.tables import FileRefused, read_table
from agreements.imports.tasks import delete_orphan_uploads
from config.celery import app
from tests.agreements.imports.conftest import csv_bytes, saved_state
from tests.agreements.imports.hostile_files import (
    HOSTILE,
    MAIN,
    a_fine_workbook,
    an_external_entity,
    row,
    shared_string_row,
    sheet,
    workbook,
)

MEGABYTE = 1024 * 1024
READ_AND_MEASURE = """
import json, resource, sys
import django
django.setup()
# Imported before the measure starts: loading a library is not reading a file.
import openpyxl
from agreements.imports.tables import FileRefused, read_table
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_table(data, filename=sys.argv[2])
    refusal = ""
except FileRefused as refused:
    refusal = str(refused)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"refusal": refusal, "peak_growth_kb": after - before}))
"""


@functools.cache
def built(label: str) -> bytes:
    _filename, build, _says = HOSTILE[label]
    return build()


def media_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_workbook_written_by_hand_reads():
    # The hostile workbooks are refused for what they hold, not for how they are built.
    table = read_table(a_fine_workbook(), filename="fine.xlsx")

    assert (table.header, table.rows) == (["Name", "Seats"], [["Acme Dental", "12"]])


@pytest.mark.parametrize("label", HOSTILE)
def test_the_reader_refuses_a_hostile_file_in_less_than_100_mb(label, tmp_path):
    filename, _build, says = HOSTILE[label]
    path = tmp_path / filename
    path.write_bytes(built(label))

    completed = subprocess.run(
        [sys.executable, "-c", READ_AND_MEASURE, str(path), filename],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    outcome = json.loads(completed.stdout)

    assert says in outcome["refusal"]
    assert outcome["peak_growth_kb"] * 1024 < 100 * MEGABYTE, outcome


@pytest.mark.django_db
@pytest.mark.parametrize("label", HOSTILE)
def test_the_upload_page_refuses_a_hostile_file_and_keeps_nothing(label, consultant_client):
    filename, _build, says = HOSTILE[label]
    before = saved_state()

    response = consultant_client.post(
        reverse("imports:start"),
        {
            "kind": "clients",
            "date_order": "mdy",
            "file": SimpleUploadedFile(filename, built(label)),
        },
    )

    assert response.status_code == 200
    assert says in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert saved_state() == before
    assert media_files() == []


def test_openpyxl_reads_workbooks_through_defusedxml():
    with pytest.raises(ValueError) as refused:
        load_workbook(io.BytesIO(an_external_entity()), read_only=True)

    assert isinstance(refused.value.__cause__, EntitiesForbidden)


# ------------------------------------------------------------------------------ each limit


def wide(columns: int) -> list[str]:
    return [",".join(f"Column {n}" for n in range(columns)), ",".join(["x"] * columns)]


def test_200_columns_are_read_and_201_are_refused():
    assert len(read_table(csv_bytes(wide(200)), filename="f.csv").header) == 200
    with pytest.raises(FileRefused, match="value in column 201; at most 200 columns"):
        read_table(csv_bytes(wide(201)), filename="f.csv")
    cells = [f"Column {n}" for n in range(201)]
    with pytest.raises(FileRefused, match="value in column 201; at most 200 columns"):
        read_table(workbook(sheet([row(1, *cells), row(2, "x")])), filename="f.xlsx")


@override_settings(IMPORT_MAX_CELL_CHARACTERS=20)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_cell_of_the_longest_length_is_read_and_one_longer_is_refused(file_format):
    def table(notes):
        if file_format == "csv":
            return read_table(csv_bytes(["Name,Notes", f"Acme,{notes}"]), filename="f.csv")
        return read_table(
            workbook(sheet([row(1, "Name", "Notes"), row(2, "Acme", notes)])), filename="f.xlsx"
        )

    assert table("n" * 20).rows == [["Acme", "n" * 20]]
    with pytest.raises(FileRefused, match="holds more than 20 characters"):
        table("n" * 21)


def test_a_workbook_that_unzips_past_the_setting_is_refused():
    # About 1.5 MB of XML.
    data = workbook(sheet(row(number, f"Client {number}") for number in range(1, 25_001)))
    assert read_table(data, filename="f.xlsx").rows

    with (
        override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=MEGABYTE),
        pytest.raises(FileRefused, match="MB when unzipped; at most 1 MB can be imported"),
    ):
        read_table(data, filename="f.xlsx")


def test_a_part_compressed_more_than_100_times_is_refused():
    # 200 KB of one letter, well within the unzipped limit.
    data = workbook(sheet([row(1, "Name", "Notes"), row(2, "Acme", "x" * 200_000)]))

    with pytest.raises(FileRefused, match="parts expand at most 100 times"):
        read_table(data, filename="f.xlsx")


def test_a_workbook_of_more_than_1000_files_is_refused():
    parts = {f"xl/media/note{n}.txt": "note" for n in range(1_000)}

    with pytest.raises(FileRefused, match="holds more than 1,000 files"):
        read_table(
            workbook(sheet([row(1, "Name"), row(2, "Acme")]), parts=parts), filename="f.xlsx"
        )


def test_a_part_in_utf_16_is_refused():
    data = workbook(sheet([row(1, "Name"), row(2, "Acme")]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                text = content.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
                content = text.encode("utf-16")
            archive.writestr(name, content)

    with pytest.raises(FileRefused, match="not an Excel workbook that can be read"):
        read_table(buffer.getvalue(), filename="f.xlsx")


def test_a_text_of_more_than_50_000_elements_is_refused():
    # Rich text of 15,000 empty runs of four elements each, their font sizes at random so that
    # the part does not compress more than text does.
    generator = random.Random(26)
    runs = "".join(
        f'<r><rPr><sz val="{generator.randrange(1, 400)}"/></rPr><t/></r>' for _ in range(15_000)
    )
    data = workbook(
        sheet([shared_string_row(1, 0), shared_string_row(2, 0)]),
        shared_strings=[
            f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si>{runs}</si></sst>',
        ],
    )

    with pytest.raises(FileRefused, match="made of more than 50,000 XML elements"):
        read_table(data, filename="f.xlsx")


# The styles part holds a number format and nothing else: openpyxl says so.
@pytest.mark.filterwarnings("ignore:Workbook contains no stylesheet")
def test_characters_in_parts_read_whole_are_bounded(monkeypatch):
    number_format = f'<numFmt numFmtId="164" formatCode="{"0" * 500}"/>'
    styles = f'<styleSheet xmlns="{MAIN}"><numFmts>{number_format}</numFmts></styleSheet>'
    data = workbook(sheet([row(1, "Name"), row(2, "Acme")]), parts={"xl/styles.xml": styles})
    assert read_table(data, filename="f.xlsx").rows == [["Acme"]]

    monkeypatch.setattr(tables, "MAX_CHARACTERS_READ_WHOLE", 400)
    with pytest.raises(FileRefused, match="characters besides its cells"):
        read_table(data, filename="f.xlsx")


def test_rows_a_sheet_skips_are_not_rows():
    data = workbook(sheet([row(1, "Name"), row(5, "Acme Dental"), row(90_000, "Birch Law")]))

    assert read_table(data, filename="f.xlsx").rows == [["Acme Dental"], ["Birch Law"]]


def test_a_csv_of_windows_1252_with_a_stray_control_character_says_where_it_is():
    data = csv_bytes(["Name,Notes", "Café Legal,ok", "Zoë Vet,bad \x81 byte"], encoding="latin-1")

    with pytest.raises(FileRefused, match=r"Row 3, column 2 \(Notes\) holds a control character"):
        read_table(data, filename="f.csv")


# ------------------------------------------------------------------------------ stored files


@pytest.mark.django_db
def test_a_file_refused_at_its_preview_is_no_longer_kept(upload):
    batch = upload("clients", csv_bytes(["Name", "Acme Dental", "Birch Law"]))
    stored = batch.file.name
    assert default_storage.exists(stored)

    with override_settings(IMPORT_MAX_ROWS=1):
        batch = import_batch_options_set(batch=batch, date_order="dmy")

    assert batch.state == ImportBatch.State.FAILED
    assert "at most 1 can be imported" in batch.message
    assert not default_storage.exists(stored)
    assert ImportBatch.objects.get().file.name == ""


@pytest.mark.django_db
def test_a_batch_the_database_refuses_leaves_no_file(upload):
    with pytest.raises(DataError), transaction.atomic():
        upload("clients", csv_bytes(["Name", "Acme Dental"]), filename="acme\x00.csv")

    assert media_files() == []


@pytest.mark.django_db
def test_an_upload_refused_for_its_columns_leaves_no_file(upload):
    with pytest.raises(ValidationError, match="names no column Covered knows"):
        upload("clients", csv_bytes(["Colour,Flavour", "red,sweet"]))

    assert media_files() == []


def age(name: str, days: int) -> None:
    moment = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(name), (moment, moment))


@pytest.mark.django_db
def test_the_daily_cleanup_deletes_only_old_uploads_no_batch_names(upload):
    batch = upload("clients", csv_bytes(["Name", "Acme Dental"]))
    age(batch.file.name, days=30)
    old_orphan = default_storage.save("imports/2025/01/left.csv", io.BytesIO(b"x"))
    age(old_orphan, days=2)
    young_orphan = default_storage.save("imports/2026/04/now.csv", io.BytesIO(b"x"))

    delete_orphan_uploads()

    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan)
    assert default_storage.exists(batch.file.name)


@pytest.mark.django_db
def test_the_cleanup_with_no_upload_yet_deletes_nothing():
    assert orphan_uploads_delete() == []


@pytest.mark.django_db
def test_the_cleanup_is_scheduled_every_day():
    coverage_schedule_setup()

    entry = PeriodicTask.objects.get(task="imports.delete_orphan_uploads")
    assert (entry.interval.every, entry.interval.period) == (1, IntervalSchedule.DAYS)
    assert entry.enabled
    assert entry.task in app.tasks
