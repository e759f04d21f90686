"""Export every kind from the demo, import the files into a database holding only the starter
catalog, export again: the CSV files are byte-equal and the XLSX files cell-equal."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from agreements.coverage.models import CoverageCheck, CoverageRun
from agreements.imports.flow import import_batch_confirm_start, import_batch_create
from agreements.imports.kinds import IMPORT_ORDER
from agreements.imports.models import ImportBatch
from agreements.imports.selectors import kind_export
from agreements.models import Agreement
from clients.models import Client
from demo.portfolio import demo_remove, seed_demo
from skills.models import Technician, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db


def cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def import_all(user, files: dict, file_format: str) -> None:
    for kind in IMPORT_ORDER:
        batch = import_batch_create(
            user=user, kind=kind, filename=f"{kind}.{file_format}", data=files[kind]
        )
        assert batch.preview["counts"]["error"] == 0, batch.preview["rows"][:3]
        batch = import_batch_confirm_start(batch=batch, user=user)
        assert batch.state == ImportBatch.State.IMPORTED, (kind, batch.message)


def empty_but_the_catalog() -> None:
    CoverageRun.objects.all().delete()
    CoverageCheck.objects.all().delete()
    demo_remove()
    assert not Client.objects.exists() and not Technician.objects.exists()
    assert not Agreement.objects.exists()


def with_the_teams_time() -> None:
    """Time off and working hours for some of the demo's technicians, unless it has its own."""
    technicians = list(Technician.objects.order_by("email")[:3])
    if not TimeOff.objects.exists():
        for number, technician in enumerate(technicians):
            first_day = datetime.date(2026, 12, 21 + number)
            TimeOff.objects.create(
                technician=technician,
                first_day=first_day,
                last_day=first_day + datetime.timedelta(days=number),
                kind=TimeOff.Kind.VACATION,
                note="Winter break",
            )
    if not WorkingHours.objects.exists():
        for technician in technicians:
            for weekday in range(5):
                WorkingHours.objects.create(
                    technician=technician,
                    weekday=weekday,
                    start=datetime.time(8),
                    end=datetime.time(16, 30),
                )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_import_export_round_trips(consultant, file_format):
    seed_demo()
    with_the_teams_time()
    first = {kind: kind_export(kind, file_format) for kind in IMPORT_ORDER}
    assert all(len(data) > 200 for data in first.values())
    empty_but_the_catalog()

    import_all(consultant, first, file_format)

    second = {kind: kind_export(kind, file_format) for kind in IMPORT_ORDER}
    for kind in IMPORT_ORDER:
        if file_format == "csv":
            assert second[kind] == first[kind], kind
        else:
            assert cells(second[kind]) == cells(first[kind]), kind
