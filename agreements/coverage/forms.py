from django import forms
from django.conf import settings

from core.forms import UserMultipleChoiceField, active_users
from core.models import MAX_MIN_TECHNICIANS, MAX_WARNING_DAYS


class CoverageSettingsForm(forms.Form):
    """What an admin changes on the settings page: the nightly time, who gets the report, the
    warning window and the default minimum technicians (blank: the environment's)."""

    nightly_time = forms.TimeField(
        label="Nightly coverage check and report at",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Give the time of the nightly check, e.g. 02:00.",
            "invalid": "Give a time of day as hours and minutes, e.g. 02:00.",
        },
    )
    recipients = UserMultipleChoiceField(
        label="Report recipients",
        queryset=active_users(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Who receives the nightly report by email; each of them can stop it on their "
        "Notifications page. People without an email address receive nothing.",
        error_messages={"invalid_choice": "One of the chosen users does not exist (any more)."},
    )
    warning_days = forms.IntegerField(
        label="Warning window (days)",
        required=False,
        min_value=0,
        max_value=MAX_WARNING_DAYS,
        error_messages={
            "invalid": "Give a whole number of days, e.g. 60.",
            "min_value": "The warning window cannot be negative; 0 looks at today only.",
            "max_value": f"The warning window is at most {MAX_WARNING_DAYS} days.",
        },
    )
    min_technicians = forms.IntegerField(
        label="Minimum technicians per requirement",
        required=False,
        min_value=1,
        max_value=MAX_MIN_TECHNICIANS,
        error_messages={
            "invalid": "Give a whole number of technicians, e.g. 2.",
            "min_value": "A requirement needs at least 1 qualified technician.",
            "max_value": f"At most {MAX_MIN_TECHNICIANS} technicians per requirement.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warning_days"].help_text = (
            "A lapse in coverage within this many days makes an agreement at risk. Blank: the "
            f"environment's value, {settings.COVERAGE_WARNING_DAYS} (COVERAGE_WARNING_DAYS)."
        )
        self.fields["min_technicians"].help_text = (
            "Qualified technicians a requirement needs unless its agreement asks for another "
            f"number. Blank: the environment's value, {settings.COVERAGE_MIN_TECHNICIANS} "
            "(COVERAGE_MIN_TECHNICIANS)."
        )
