"""The team's time: time zones on the half hour, weekly patterns, the rota's schedule and the
models' guards (DESIGN "Coverage through the support window")."""

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from core.time_zones import time_zone_choices, validate_time_zone
from skills.models import OnCallOverride, OnCallRota, TimeOff, WorkingHours
from skills.rotas import handoff, schedule, turn_at
from skills.weekly_patterns import (
    WeeklyPeriod,
    complement,
    default_rota_hours,
    half_hours,
    parse_pattern,
    pattern_text,
    support_window,
)
from tests.skills.factories import TechnicianFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


@pytest.mark.parametrize("name", ["Europe/London", "America/Chicago", "Asia/Kolkata", "UTC"])
def test_zones_on_the_half_hour_are_accepted(name):
    validate_time_zone(name)
    assert name in dict(time_zone_choices())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Asia/Kathmandu", "quarter hour"),
        ("Australia/Eucla", "quarter hour"),
        ("Mars/Olympus", "not a time zone"),
        ("GMT+5", "IANA"),
        ("", "IANA"),
    ],
)
def test_other_zones_are_refused_with_a_reason(name, message):
    with pytest.raises(ValidationError, match=message):
        validate_time_zone(name)
    assert name not in dict(time_zone_choices())


def test_a_pattern_reads_and_writes_its_text():
    periods = parse_pattern("Mon-Fri 09:00-17:00, Sat 10:00-14:00")
    assert len(periods) == 6
    assert periods[0] == WeeklyPeriod(0, 540, 1020)
    assert pattern_text(periods) == "Mon–Fri 09:00–17:00, Sat 10:00–14:00"
    assert parse_pattern("Sun 22:00-24:00") == (WeeklyPeriod(6, 1320, 1440),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri 09:15-17:00", "half hour"),
        ("Fri-Mon 09:00-17:00", "Monday to Sunday"),
        ("Mon 17:00-09:00", "before the end"),
        ("Mon 09:00-12:00, Mon 11:00-13:00", "overlaps"),
        ("Lun 09:00-17:00", "days are written"),
        ("weekdays", "not a period"),
    ],
)
def test_a_bad_pattern_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_pattern(text)


def test_the_default_rota_covers_every_half_hour_outside_default_working_hours():
    working = half_hours(parse_pattern("Mon-Fri 09:00-17:00"))
    on_call = half_hours(default_rota_hours())
    assert not working & on_call
    assert len(working | on_call) == 7 * 48
    assert complement(default_rota_hours()) == parse_pattern("Mon-Fri 09:00-17:00")


def test_support_windows_come_from_the_settings():
    assert len(half_hours(support_window("8x5"))) == 5 * 16
    assert len(half_hours(support_window("12x5"))) == 5 * 24
    assert len(half_hours(support_window("24x7"))) == 7 * 48
    with override_settings(SUPPORT_WINDOWS={"8x5": "Mon-Thu 08:00-16:00"}):
        assert len(half_hours(support_window("8x5"))) == 4 * 16


def rota(**values):
    defaults = {
        "time_zone": "Europe/London",
        "starts_at": datetime.datetime(2026, 10, 19, 9, tzinfo=LONDON),
        "rotation_days": 7,
    }
    return SimpleNamespace(**{**defaults, **values})


def test_hand_offs_keep_their_local_time_across_a_daylight_saving_change():
    # British Summer Time ends on 25 Oct 2026: 09:00 local is 08:00 UTC before, 09:00 after.
    first = rota()
    assert handoff(zone="Europe/London", starts_at=first.starts_at, rotation_days=7, turn=0) == (
        datetime.datetime(2026, 10, 19, 8, tzinfo=UTC)
    )
    assert handoff(zone="Europe/London", starts_at=first.starts_at, rotation_days=7, turn=1) == (
        datetime.datetime(2026, 10, 26, 9, tzinfo=UTC)
    )


def test_the_turn_changes_at_the_hand_off_and_nobody_is_on_call_before_the_start():
    values = {"zone": "Europe/London", "starts_at": rota().starts_at, "rotation_days": 7}
    assert turn_at(**values, moment=datetime.datetime(2026, 10, 19, 7, 30, tzinfo=UTC)) is None
    assert turn_at(**values, moment=datetime.datetime(2026, 10, 19, 8, tzinfo=UTC)) == 0
    assert turn_at(**values, moment=datetime.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)) == 0
    assert turn_at(**values, moment=datetime.datetime(2026, 10, 26, 9, tzinfo=UTC)) == 1
    assert turn_at(**values, moment=datetime.datetime(2027, 1, 4, 9, tzinfo=UTC)) == 11


def override(pk, technician_id, start, end, created):
    return SimpleNamespace(
        id=pk,
        technician_id=technician_id,
        starts_at=start,
        ends_at=end,
        created_at=datetime.datetime(2026, 10, 1, created, tzinfo=UTC),
    )


def test_the_schedule_takes_members_in_turn_and_the_newest_override_wins():
    start = datetime.datetime(2026, 10, 19, 8, tzinfo=UTC)
    end = start + datetime.timedelta(days=21)
    older = override(
        1, 8, start + datetime.timedelta(days=1), start + datetime.timedelta(days=3), 1
    )
    newer = override(
        2, 9, start + datetime.timedelta(days=2), start + datetime.timedelta(days=4), 2
    )
    segments = schedule(rota=rota(), members=[1, 2], overrides=[newer, older], start=start, end=end)
    assert [(s.technician_id, s.turn, s.override_id) for s in segments] == [
        (1, 0, None),
        (8, 0, 1),
        (9, 0, 2),
        (1, 0, None),
        (2, 1, None),
        (1, 2, None),
    ]
    assert segments[1].starts_at == start + datetime.timedelta(days=1)
    assert segments[2].ends_at == start + datetime.timedelta(days=4)
    assert segments[4].starts_at == datetime.datetime(2026, 10, 26, 9, tzinfo=UTC)
    assert segments[-1].ends_at == end


def test_a_rota_without_members_schedules_nobody_but_its_overrides():
    start = datetime.datetime(2026, 10, 19, 8, tzinfo=UTC)
    cover = override(1, 5, start, start + datetime.timedelta(hours=12), 1)
    segments = schedule(
        rota=rota(),
        members=[],
        overrides=[cover],
        start=start,
        end=start + datetime.timedelta(days=2),
    )
    assert [(s.technician_id, s.is_override) for s in segments] == [(5, True)]


@pytest.mark.django_db
def test_the_database_refuses_hours_ending_before_they_start():
    technician = TechnicianFactory()
    WorkingHours.objects.create(
        technician=technician, weekday=6, start=datetime.time(22), end=datetime.time(0)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(
            technician=technician, weekday=0, start=datetime.time(17), end=datetime.time(9)
        )
    row = WorkingHours(
        technician=technician, weekday=1, start=datetime.time(9, 15), end=datetime.time(17)
    )
    with pytest.raises(ValidationError, match="half hour"):
        row.full_clean()


@pytest.mark.django_db
def test_time_off_and_overrides_cannot_end_before_they_start():
    technician = TechnicianFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeOff.objects.create(
            technician=technician,
            first_day=datetime.date(2026, 12, 24),
            last_day=datetime.date(2026, 12, 23),
        )
    rota_row = OnCallRota.objects.create(
        name="After-hours", starts_at=datetime.datetime(2026, 10, 19, 9, tzinfo=LONDON)
    )
    assert rota_row.time_zone == "America/New_York"  # the firm's TIME_ZONE by default
    moment = datetime.datetime(2026, 12, 1, 9, tzinfo=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        OnCallOverride.objects.create(
            rota=rota_row, technician=technician, starts_at=moment, ends_at=moment
        )


@pytest.mark.django_db
def test_a_technician_and_a_client_default_to_the_firms_zone_and_refuse_a_quarter_hour_zone():
    technician = TechnicianFactory()
    assert technician.time_zone == "America/New_York"
    technician.time_zone = "Asia/Kathmandu"
    with pytest.raises(ValidationError) as raised:
        technician.full_clean()
    assert "time_zone" in raised.value.message_dict
