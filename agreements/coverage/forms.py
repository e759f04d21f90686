from django import forms

from core.forms import UserMultipleChoiceField, active_users


class CoverageSettingsForm(forms.Form):
    """What an admin changes on the settings page: the nightly time and who gets the report."""

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
