"""Forms of the team's time: a week of hours (presets or each day's periods), time off, a rota,
its members, and the swap and cover of turns. Times are local: the technician's or the rota's
zone."""

import datetime
import re
import zoneinfo

from django import forms
from django.urls import reverse_lazy

from core.forms import AutocompleteSelect, DateInput, column_bounded_formfield
from core.validators import date_in_range
from skills.models import OnCallRota, Technician, TimeOff
from skills.weekly_patterns import (
    PRESETS,
    SLOT_MINUTES,
    WeeklyPeriod,
    clock,
    first_overlap,
    parse_pattern,
    pattern_text,
)

DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_TEXT_LENGTH = 200
PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
HALF_HOURS = [clock(minutes) for minutes in range(0, 24 * 60, SLOT_MINUTES)]
DEFAULT = "default"
CUSTOM = "custom"


def day_periods(weekday: int, text: str) -> tuple[WeeklyPeriod, ...]:
    """The periods of one day written "09:00-12:00, 13:00-17:30"; blank is a day off. An end
    of 00:00 or 24:00 is midnight at the end of the day. ValueError says what to fix."""
    periods = []
    for part in filter(None, (part.strip() for part in re.split(r"[,;]", text))):
        found = PERIOD.match(part)
        if found is None:
            raise ValueError(f"“{part}” is not a period: write it as 09:00-17:00.")
        start_hour, start_minute, end_hour, end_minute = (int(piece) for piece in found.groups())
        start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
        end = end or 24 * 60
        if {start_minute, end_minute} - {0, 30} or start >= 24 * 60 or end > 24 * 60:
            raise ValueError(
                f"“{part}”: times are on the half hour (09:00, 17:30), from 00:00 to 24:00."
            )
        if start >= end:
            raise ValueError(f"“{part}”: the start must come before the end.")
        periods.append(WeeklyPeriod(weekday, start, end))
    overlap = first_overlap(periods)
    if overlap:
        raise ValueError(f"{overlap} Join them or move one.")
    return tuple(sorted(periods))


class WeekForm(forms.Form):
    """A week of hours: the default (no rows), a preset, or each day's periods. `periods` in
    cleaned_data is what to store: () for the default."""

    default_label = "Use the firm's default hours"
    presets = {}  # key: (label, pattern text)
    custom_help = "Each day: blank for a day off, else periods such as 09:00-12:00, 13:00-17:30."

    choice = forms.ChoiceField(label="Hours", widget=forms.RadioSelect)

    def __init__(self, *args, periods=(), default_periods=(), **kwargs):
        """`periods`: the stored rows' (none for the default); `default_periods`: the week the
        default stands for, named beside it and offered as the custom week's start."""
        super().__init__(*args, **kwargs)
        default_label = self.default_label
        if default_periods:
            default_label = f"{default_label} ({pattern_text(default_periods)})"
        self.fields["choice"].choices = [
            (DEFAULT, default_label),
            *((key, label) for key, (label, _) in self.presets.items()),
            (CUSTOM, "Custom"),
        ]
        for name, label in zip(DAY_FIELDS, DAY_LABELS, strict=True):
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=DAY_TEXT_LENGTH,
                widget=forms.TextInput(attrs={"placeholder": "off"}),
            )
        self.initial.update(self._initial(tuple(sorted(periods)), tuple(default_periods)))

    def _initial(self, periods, default_periods) -> dict:
        by_day = {name: [] for name in DAY_FIELDS}
        for period in sorted(periods or default_periods):
            by_day[DAY_FIELDS[period.weekday]].append(f"{clock(period.start)}-{clock(period.end)}")
        initial = {name: ", ".join(texts) for name, texts in by_day.items()}
        choice = CUSTOM if periods else DEFAULT
        for key, (_, text) in self.presets.items():
            if periods and parse_pattern(text) == periods:
                choice = key
        return {"choice": choice, **initial}

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice")
        if choice == DEFAULT:
            cleaned["periods"] = ()
        elif choice in self.presets:
            cleaned["periods"] = parse_pattern(self.presets[choice][1])
        elif choice == CUSTOM:
            periods = []
            for weekday, name in enumerate(DAY_FIELDS):
                try:
                    periods.extend(day_periods(weekday, cleaned.get(name) or ""))
                except ValueError as error:
                    self.add_error(name, str(error))
            if not periods and not self.errors:
                raise forms.ValidationError(
                    "A custom week needs some hours. For none of its own, choose "
                    f"“{self.default_label}”."
                )
            cleaned["periods"] = tuple(sorted(periods))
        return cleaned


class WorkingHoursForm(WeekForm):
    presets = PRESETS


class RotaHoursForm(WeekForm):
    default_label = "Outside default working hours"
    presets = {"all_week": ("Around the clock", "Mon-Sun 00:00-24:00")}
    custom_help = "Each day: blank when nobody is on call, else periods such as 00:00-09:00."


# ------------------------------------------------------------------------------ time off


class TimeOffForm(forms.ModelForm):
    class Meta:
        model = TimeOff
        fields = ["first_day", "last_day", "kind", "note"]
        widgets = {"first_day": DateInput(), "last_day": DateInput()}
        help_texts = {"last_day": "The last day away; the same as the first for one day."}

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day cannot come before the first.")
        return cleaned


def technician_search():
    return AutocompleteSelect(
        url=reverse_lazy("skills:technician_autocomplete"), placeholder="Type a name"
    )


class TeamCalendarFilterForm(forms.Form):
    """The team calendar's month (YYYY-MM) and the technician it may show alone."""

    month = forms.DateField(
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control"}, format="%Y-%m"),
        error_messages={"invalid": "Give a month as YYYY-MM. Showing this month."},
    )
    technician = forms.ModelChoiceField(
        queryset=Technician.objects.all(),
        required=False,
        widget=technician_search(),
        error_messages={"invalid_choice": "That technician does not exist. Showing everyone."},
    )

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month is not None and not 2000 <= month.year <= 2100:
            raise forms.ValidationError("Give a month between 2000 and 2100.")
        return month


# ------------------------------------------------------------------------------ rotas


def local_moment(day: datetime.date, time_text: str, zone_name: str) -> datetime.datetime:
    """The aware moment of a local date and "HH:MM" in the zone; ValueError when that local
    time does not exist that day (the clocks go forward over it)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    hours, minutes = (int(piece) for piece in time_text.split(":"))
    wall = datetime.datetime.combine(day, datetime.time(hours, minutes), tzinfo=zone)
    moment = wall.astimezone(datetime.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise ValueError(
            f"{time_text} does not exist on that day in {zone_name}: the clocks go forward."
        )
    return moment


def time_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[(text, text) for text in HALF_HOURS])


def date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), validators=[date_in_range])


class RotaForm(forms.ModelForm):
    """A rota's name, zone, first hand-off (a local date and time in its zone), days per turn
    and notes."""

    first_day = date_field("First hand-off")
    first_time = time_field("At")

    class Meta:
        model = OnCallRota
        formfield_callback = column_bounded_formfield
        fields = ["name", "time_zone", "rotation_days", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_day"].help_text = (
            "When the first member's turn begins, in the rota's zone; later turns begin at the "
            "same local time."
        )
        if self.instance.pk is not None:
            local = self.instance.starts_at.astimezone(zoneinfo.ZoneInfo(self.instance.time_zone))
            self.initial.setdefault("first_day", local.date())
            self.initial.setdefault("first_time", f"{local:%H:%M}")
        else:
            self.initial.setdefault("first_time", "09:00")

    def clean(self):
        cleaned = super().clean()
        day, time_text, zone = (
            cleaned.get("first_day"),
            cleaned.get("first_time"),
            cleaned.get("time_zone"),
        )
        if day and time_text and zone:
            try:
                cleaned["starts_at"] = local_moment(day, time_text, zone)
            except ValueError as error:
                self.add_error("first_time", str(error))
        return cleaned


class RotaMemberAddForm(forms.Form):
    technician = forms.ModelChoiceField(
        queryset=Technician.objects.on_team(),
        widget=technician_search(),
        label="Add a member",
        error_messages={"invalid_choice": "Choose a technician who is on the team."},
    )


class RotaMemberForm(forms.Form):
    """Which member to move or remove, and how."""

    ACTIONS = {"up": -1, "down": 1, "remove": 0}

    member = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])


class TurnChoiceField(forms.TypedChoiceField):
    def __init__(self, *, turns, **kwargs):
        super().__init__(
            choices=[(turn.turn, turn.label) for turn in turns],
            coerce=int,
            **kwargs,
        )


class RotaSwapForm(forms.Form):
    """Two turns exchange technicians (two overrides)."""

    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, turns, **kwargs):
        super().__init__(*args, **kwargs)
        self.turns = {turn.turn: turn for turn in turns}
        self.fields["first"] = TurnChoiceField(turns=turns, label="This turn")
        self.fields["second"] = TurnChoiceField(turns=turns, label="Swaps with")
        self.order_fields(["first", "second", "note"])

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first"), cleaned.get("second")
        if first is None or second is None:
            return cleaned
        cleaned["first_turn"], cleaned["second_turn"] = self.turns[first], self.turns[second]
        if first == second:
            self.add_error("second", "Choose another turn than the first.")
        elif self.turns[first].technician_id == self.turns[second].technician_id:
            self.add_error("second", "Both turns are the same person's: choose another's turn.")
        return cleaned


class RotaCoverForm(forms.Form):
    """Someone covers part of a turn (one override): local dates and times in the rota's
    zone."""

    technician = forms.ModelChoiceField(
        queryset=Technician.objects.on_team(),
        widget=technician_search(),
        label="Covered by",
        error_messages={"invalid_choice": "Choose a technician who is on the team."},
    )
    from_day = date_field("From")
    from_time = time_field("At")
    until_day = date_field("Until")
    until_time = time_field("At")
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, turns, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.turns = {turn.turn: turn for turn in turns}
        self.zone = zone
        self.fields["turn"] = TurnChoiceField(turns=turns, label="Turn")
        self.order_fields(["turn", "technician"])

    def clean(self):
        cleaned = super().clean()
        turn = self.turns.get(cleaned.get("turn"))
        moments = {}
        for prefix in ("from", "until"):
            day, time_text = cleaned.get(f"{prefix}_day"), cleaned.get(f"{prefix}_time")
            if day and time_text:
                try:
                    moments[prefix] = local_moment(day, time_text, self.zone)
                except ValueError as error:
                    self.add_error(f"{prefix}_time", str(error))
        if turn is None or len(moments) < 2:
            return cleaned
        starts_at, ends_at = moments["from"], moments["until"]
        if ends_at <= starts_at:
            self.add_error("until_day", "The cover must end after it starts.")
        elif starts_at < turn.starts_at or ends_at > turn.ends_at:
            self.add_error(None, f"The cover must fall inside the turn: {turn.text}.")
        technician = cleaned.get("technician")
        if technician is not None and technician.pk == turn.technician_id and not self.errors:
            self.add_error("technician", f"{technician.name} already holds this turn.")
        cleaned.update(turn_row=turn, starts_at=starts_at, ends_at=ends_at)
        return cleaned
