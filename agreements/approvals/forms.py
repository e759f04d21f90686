from django import forms

MAX_DECIDED_AT_ONCE = 200  # proposals one post may decide


class DecisionForm(forms.Form):
    """Approve or reject the proposals ticked on the queue, with one comment for them all."""

    APPROVE, REJECT = "approve", "reject"

    proposals = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Tick at least one proposal to decide.",
            "invalid_choice": "A proposal you ticked is no longer waiting: it was decided or "
            "withdrawn meanwhile. Look at the queue again.",
            "invalid_pk_value": "A proposal you ticked is not one of the queue's.",
        },
    )
    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (REJECT, "Reject")],
        error_messages={"required": "Choose approve or reject."},
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent to the technicians with the decision.",
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = pending

    def clean_proposals(self):
        chosen = self.cleaned_data["proposals"]
        if len(chosen) > MAX_DECIDED_AT_ONCE:
            raise forms.ValidationError(f"Decide at most {MAX_DECIDED_AT_ONCE} proposals at once.")
        return chosen

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say why you reject: the technician receives it.")
        return cleaned
