import datetime

import pytest

from skills.forms import TechnicianForm
from skills.team_time.forms import (
    RotaForm,
    RotaHoursForm,
    TimeOffForm,
    WorkingHoursForm,
    day_periods,
)
from skills.weekly_patterns import WeeklyPeriod, parse_pattern

pytestmark = pytest.mark.django_db

OFF_WEEK = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "")


def week_form(choice, form_class=WorkingHoursForm, **days):
    return form_class({"choice": choice, **OFF_WEEK, **days})


def test_the_default_stores_no_rows():
    form = week_form("default")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["periods"] == ()


@pytest.mark.parametrize(
    ("preset", "pattern"),
    [("mon_fri_9_5", "Mon-Fri 09:00-17:00"), ("mon_fri_8_6", "Mon-Fri 08:00-18:00")],
)
def test_a_preset_stores_its_week(preset, pattern):
    form = week_form(preset, mon="ignored when a preset is chosen")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["periods"] == parse_pattern(pattern)


def test_custom_reads_each_days_periods():
    form = week_form("custom", mon="09:00-12:00, 13:00-17:30", sat="22:00-24:00", sun="20:00-00:00")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["periods"] == (
        WeeklyPeriod(0, 540, 720),
        WeeklyPeriod(0, 780, 1050),
        WeeklyPeriod(5, 1320, 1440),
        WeeklyPeriod(6, 1200, 1440),
    )


def test_overlapping_periods_are_refused_on_their_day():
    form = week_form("custom", tue="09:00-13:00, 12:00-17:00")

    assert not form.is_valid()
    assert form.errors["tue"] == ["Tue 09:00–13:00 overlaps 12:00–17:00. Join them or move one."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("09:15-17:00", "times are on the half hour"),
        ("09:00-25:00", "times are on the half hour"),
        ("17:00-09:00", "the start must come before the end"),
        ("nine to five", "is not a period"),
    ],
)
def test_bad_times_are_refused_with_a_field_error(text, message):
    form = week_form("custom", wed=text)

    assert not form.is_valid()
    assert message in form.errors["wed"][0]


def test_a_custom_week_without_hours_is_refused_pointing_at_the_default():
    form = week_form("custom")

    assert not form.is_valid()
    assert "Use the firm's default hours" in form.non_field_errors()[0]


def test_the_form_starts_from_the_stored_rows():
    assert WorkingHoursForm().initial["choice"] == "default"
    preset = WorkingHoursForm(periods=parse_pattern("Mon-Fri 08:00-18:00"))
    assert preset.initial["choice"] == "mon_fri_8_6"
    custom = WorkingHoursForm(periods=parse_pattern("Mon 09:00-12:00, Mon 13:00-17:00"))
    assert custom.initial["choice"] == "custom"
    assert custom.initial["mon"] == "09:00-12:00, 13:00-17:00"


def test_the_rota_hours_default_is_outside_working_hours():
    form = RotaHoursForm(default_periods=parse_pattern("Sat-Sun 00:00-24:00"))

    assert form.fields["choice"].choices[0] == (
        "default",
        "Outside default working hours (Sat–Sun 00:00–24:00)",
    )


def test_the_custom_week_starts_from_the_default_when_there_are_no_rows():
    form = WorkingHoursForm(default_periods=parse_pattern("Mon-Fri 09:00-17:00"))

    assert form.initial["choice"] == "default"
    assert form.initial["fri"] == "09:00-17:00"
    assert form.initial["sat"] == ""


def test_day_periods_reads_a_blank_day_as_off():
    assert day_periods(3, " ") == ()


def test_time_off_ending_before_it_starts_is_refused():
    form = TimeOffForm(
        {"first_day": "2026-06-10", "last_day": "2026-06-09", "kind": "vacation", "note": ""}
    )

    assert not form.is_valid()
    assert form.errors["last_day"] == ["The last day cannot come before the first."]


def rota_data(**fields):
    return {
        "name": "Out of hours",
        "time_zone": "Europe/London",
        "first_day": "2027-03-22",
        "first_time": "09:00",
        "rotation_days": "7",
        "notes": "",
        **fields,
    }


def test_the_rota_form_reads_the_first_hand_off_in_the_rotas_zone():
    form = RotaForm(rota_data())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"] == datetime.datetime(2027, 3, 22, 9, tzinfo=datetime.UTC)


def test_a_first_hand_off_the_clocks_skip_is_refused():
    form = RotaForm(rota_data(first_day="2027-03-28", first_time="01:30"))

    assert not form.is_valid()
    assert "does not exist" in form.errors["first_time"][0]


@pytest.mark.parametrize("form_class", [RotaForm, TechnicianForm])
def test_a_zone_on_the_quarter_hour_is_refused(form_class):
    data = rota_data(time_zone="Asia/Kathmandu")
    if form_class is TechnicianForm:
        data = {"name": "Dana Ortiz", "email": "dana@msp.example", "status": "active"}
        data["time_zone"] = "Asia/Kathmandu"

    form = form_class(data)

    assert not form.is_valid()
    assert "time_zone" in form.errors


def test_rota_days_per_turn_are_bounded():
    form = RotaForm(rota_data(rotation_days="400"))

    assert not form.is_valid()
    assert "rotation_days" in form.errors
