"""The team's time in files: time off and working hours import with a preview, write all their
rows or none of a refused row, and round-trip through their exports; the technician and client
files carry a time zone."""

import datetime

import pytest

from agreements.imports.models import ImportBatch
from agreements.imports.selectors import kind_export
from clients.models import Client
from skills.models import Technician, TimeOff, WorkingHours
from tests.agreements.imports.conftest import csv_bytes, saved_state, statuses
from tests.clients.factories import ClientFactory
from tests.skills.factories import TechnicianFactory

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time


@pytest.fixture
def dana(catalog):
    return TechnicianFactory(name="Dana Whitfield", email="dana@msp.example")


@pytest.fixture
def lee(catalog):
    return TechnicianFactory(name="Lee Chen", email="lee@msp.example")


def hours_of(technician) -> list[tuple]:
    return list(
        WorkingHours.objects.filter(technician=technician)
        .order_by("weekday", "start")
        .values_list("weekday", "start", "end")
    )


def errors_of(batch) -> list[str]:
    return [error for row in batch.preview["rows"] for error in row["errors"]]


# ------------------------------------------------------------------------------ time off


def test_time_off_previews_new_changed_unchanged_and_imports_them(dana, lee, upload, confirm):
    TimeOff.objects.create(technician=dana, first_day=D(2026, 12, 24), last_day=D(2026, 12, 26))
    TimeOff.objects.create(
        technician=lee, first_day=D(2027, 1, 4), last_day=D(2027, 1, 8), kind="training"
    )
    lines = [
        "Technician email,First day,Last day,Kind,Note",
        "dana@msp.example,2026-12-24,2026-12-26,vacation,",
        "LEE@msp.example,2027-01-04,2027-01-09,Training,Azure course",
        "lee@msp.example,2027-02-15,,Sick leave,",
    ]

    batch = upload("time_off", csv_bytes(lines))

    assert list(statuses(batch).values()) == ["unchanged", "changed", "new"]
    assert batch.preview["rows"][1]["changes"] == [
        ["Last day", "2027-01-08", "2027-01-09"],
        ["Note", "—", "Azure course"],
    ]
    assert confirm(batch).state == ImportBatch.State.IMPORTED
    assert list(
        TimeOff.objects.order_by("first_day").values_list(
            "technician__email", "first_day", "last_day", "kind", "note"
        )
    ) == [
        ("dana@msp.example", D(2026, 12, 24), D(2026, 12, 26), "vacation", ""),
        ("lee@msp.example", D(2027, 1, 4), D(2027, 1, 9), "training", "Azure course"),
        ("lee@msp.example", D(2027, 2, 15), D(2027, 2, 15), "sick", ""),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            "nobody@msp.example,2026-12-24,2026-12-26,vacation,",
            "Row 2, technician email: no technician has the email address 'nobody@msp.example'",
        ),
        (
            "dana@msp.example,2026-12-24,2026-12-20,vacation,",
            "Row 2, last day: The last day cannot come before the first.",
        ),
        (
            "dana@msp.example,2026-02-30,,vacation,",
            "Row 2, first day: '2026-02-30' is not a date (write it as YYYY-MM-DD, e.g. "
            "2026-04-03)",
        ),
        (
            "dana@msp.example,2026-12-24,,holiday,",
            "Row 2, kind: 'holiday' is not one of vacation, sick, training, other",
        ),
        (
            "dana@msp.example,2027-01-02,2027-01-05,vacation,",
            "Row 2: overlaps the time off saved for 1 Jan 2027 – 3 Jan 2027; a technician's "
            "spans of time off may not overlap (change that span instead)",
        ),
    ],
)
def test_a_bad_time_off_row_is_refused_by_its_row_and_writes_nothing(
    dana, upload, confirm, line, error
):
    TimeOff.objects.create(technician=dana, first_day=D(2027, 1, 1), last_day=D(2027, 1, 3))
    before = saved_state()

    batch = upload("time_off", csv_bytes(["Technician email,First day,Last day,Kind,Note", line]))

    assert errors_of(batch) == [error]
    confirm(batch)
    assert saved_state() == before


def test_overlapping_spans_in_one_file_refuse_the_later_row(dana, upload):
    lines = [
        "Technician email,First day,Last day",
        "dana@msp.example,2026-12-24,2026-12-31",
        "dana@msp.example,2026-12-30,2027-01-02",
    ]

    batch = upload("time_off", csv_bytes(lines))

    assert list(statuses(batch).values()) == ["new", "error"]
    assert errors_of(batch)[0].startswith("Row 3: overlaps row 2;")


def test_a_span_moved_in_the_file_may_take_the_days_of_its_old_self(dana, upload, confirm):
    TimeOff.objects.create(technician=dana, first_day=D(2026, 12, 24), last_day=D(2026, 12, 26))

    batch = upload(
        "time_off",
        csv_bytes(
            ["Technician email,First day,Last day", "dana@msp.example,2026-12-24,2027-01-02"]
        ),
    )

    assert list(statuses(batch).values()) == ["changed"]
    confirm(batch)
    assert TimeOff.objects.get().last_day == D(2027, 1, 2)


# ------------------------------------------------------------------------------ working hours


def test_a_technicians_rows_replace_their_week(dana, lee, upload, confirm):
    for weekday in range(5):
        WorkingHours.objects.create(technician=dana, weekday=weekday, start=T(9), end=T(17))
    WorkingHours.objects.create(technician=lee, weekday=0, start=T(8), end=T(16))
    lines = [
        "Technician email,Weekday,Start,End",
        "dana@msp.example,Monday,09:00,17:00",
        "dana@msp.example,Tue,09:00,18:30",
        "dana@msp.example,saturday,22:00,24:00",
    ]

    batch = upload("working_hours", csv_bytes(lines))

    assert [(row["status"], row["key"]) for row in batch.preview["rows"]] == [
        ("unchanged", "dana@msp.example: Monday 09:00–17:00"),
        ("changed", "dana@msp.example: Tuesday 09:00–18:30"),
        ("new", "dana@msp.example: Saturday 22:00–24:00"),
        ("removed", "dana@msp.example: Wednesday 09:00–17:00"),
        ("removed", "dana@msp.example: Thursday 09:00–17:00"),
        ("removed", "dana@msp.example: Friday 09:00–17:00"),
    ]
    assert batch.preview["rows"][1]["changes"] == [["End", "17:00", "18:30"]]
    assert confirm(batch).state == ImportBatch.State.IMPORTED
    assert hours_of(dana) == [(0, T(9), T(17)), (1, T(9), T(18, 30)), (5, T(22), T(0))]
    assert hours_of(lee) == [(0, T(8), T(16))]  # not in the file: kept
    removed = WorkingHours.history.filter(history_type="-", technician_id=dana.pk)
    assert removed.count() == 3


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("dana@msp.example,Funday,09:00,17:00", "Row 3, weekday: 'Funday' is not a weekday"),
        ("dana@msp.example,Tuesday,09:15,17:00", "Row 3, start: Times are on the half hour"),
        ("dana@msp.example,Tuesday,17:00,09:00", "Row 3, end: The end must come after the start"),
        ("dana@msp.example,Tuesday,25:00,26:00", "Row 3, start: '25:00' is not a time of day"),
        ("dana@msp.example,Monday,12:00,18:00", "Row 3: overlaps row 2 (Monday 09:00–17:00)"),
        ("dana@msp.example,Monday,09:00,12:00", "Row 3: the same weekday and start as row 2"),
    ],
)
def test_a_bad_row_keeps_the_technicians_whole_week(dana, upload, confirm, line, error):
    WorkingHours.objects.create(technician=dana, weekday=4, start=T(8), end=T(12))
    before = saved_state()
    lines = ["Technician email,Weekday,Start,End", "dana@msp.example,Monday,09:00,17:00", line]

    batch = upload("working_hours", csv_bytes(lines))

    assert set(statuses(batch).values()) == {"error"}
    row_2, row_3 = (row["errors"] for row in batch.preview["rows"])
    assert row_3[0].startswith(error), row_3
    assert row_2 == [
        "Row 2: not imported, since row 3 of dana@msp.example cannot be; a technician's rows "
        "replace their week together"
    ]
    confirm(batch)
    assert saved_state() == before


def test_an_unknown_technicians_rows_leave_the_others_to_import(dana, upload, confirm):
    lines = [
        "Technician email,Weekday,Start,End",
        "nobody@msp.example,Monday,09:00,17:00",
        "dana@msp.example,Monday,07:00,15:00",
    ]

    batch = confirm(upload("working_hours", csv_bytes(lines)))

    assert batch.preview["left_out"] == [2]
    assert hours_of(dana) == [(0, T(7), T(15))]


# ------------------------------------------------------------------------------ time zones


def test_time_zones_of_technicians_and_clients_are_read_and_a_blank_keeps_them(
    catalog, upload, confirm
):
    TechnicianFactory(name="Dana Whitfield", email="dana@msp.example", time_zone="Europe/London")
    ClientFactory(name="Harbor Dental", time_zone="America/Chicago")
    technicians = [
        "Name,Email,Time zone",
        "Dana Whitfield,dana@msp.example,",
        "Omar Haddad,omar@msp.example,america/new york",
        "Bad Zone,bad@msp.example,Asia/Kathmandu",
        "No Zone,none@msp.example,Mars/Olympus",
    ]
    clients = ["Name,Time zone", "Harbor Dental,", "Birch Law,Europe/Berlin"]

    batch = upload("technicians", csv_bytes(technicians))

    assert list(statuses(batch).values()) == ["unchanged", "new", "error", "error"]
    assert errors_of(batch)[0].startswith("Row 4, time zone: Asia/Kathmandu is offset")
    assert errors_of(batch)[1].startswith("Row 5, time zone: “Mars/Olympus” is not a time zone")
    confirm(batch)
    confirm(upload("clients", csv_bytes(clients)))
    assert dict(Technician.objects.values_list("email", "time_zone")) == {
        "dana@msp.example": "Europe/London",
        "omar@msp.example": "America/New_York",
    }
    assert dict(Client.objects.values_list("name", "time_zone")) == {
        "Harbor Dental": "America/Chicago",
        "Birch Law": "Europe/Berlin",
    }


# ------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(dana, lee, upload, confirm, file_format):
    dana.time_zone = "Europe/London"
    dana.save()
    TimeOff.objects.create(
        technician=dana, first_day=D(2026, 12, 24), last_day=D(2026, 12, 26), note="=family"
    )
    TimeOff.objects.create(technician=lee, first_day=D(2027, 3, 1), last_day=D(2027, 3, 1))
    WorkingHours.objects.create(technician=dana, weekday=0, start=T(9), end=T(17))
    WorkingHours.objects.create(technician=dana, weekday=6, start=T(20), end=T(0))
    WorkingHours.objects.create(technician=lee, weekday=2, start=T(7, 30), end=T(12))
    before = saved_state()

    for kind in ("technicians", "time_off", "working_hours"):
        data = kind_export(kind, file_format)
        batch = upload(kind, data, filename=f"{kind}.{file_format}")
        assert set(statuses(batch).values()) == {"unchanged"}, (kind, batch.preview["rows"])
        confirm(batch)
        assert kind_export(kind, file_format) == data or file_format == "xlsx"

    assert saved_state() == before
