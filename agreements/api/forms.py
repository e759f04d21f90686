from django import forms

from core.forms import DateInput


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="What is it for?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. PSA sync"}),
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a token that works until you revoke it.",
        widget=DateInput(),
    )
