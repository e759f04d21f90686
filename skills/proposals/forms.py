from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.forms import DateInput
from skills.forms import (
    certification_choices,
    chosen_skill_id,
    follow_skill,
    skill_search,
    versions_of_skills,
)
from skills.models import Certification, Level, Skill, SkillVersion

EVIDENCE_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


def evidence_field(help_text: str) -> forms.FileField:
    return forms.FileField(
        required=False,
        label="Evidence",
        help_text=f"{help_text} PDF, PNG or JPEG, at most "
        f"{filesizeformat(settings.EVIDENCE_MAX_BYTES)}.",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class SkillProposalForm(forms.Form):
    """A skill at a level, with the versions the technician can support."""

    skill = forms.ModelChoiceField(Skill.objects.all(), widget=skill_search())
    level = forms.TypedChoiceField(choices=Level.choices, coerce=int, label="Your level")
    oldest_version = forms.ModelChoiceField(
        SkillVersion.objects.select_related("skill"),
        required=False,
        label="Oldest version",
        help_text="Blank: any older one.",
    )
    newest_version = forms.ModelChoiceField(
        SkillVersion.objects.select_related("skill"),
        required=False,
        label="Newest version",
        help_text="Blank: any newer one.",
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the approver should know: a project, a course, an exam.",
    )
    evidence = evidence_field("A certificate or course record, if you have one.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        skill_id = chosen_skill_id(self, "skill")
        versions = versions_of_skills([skill_id]).get(skill_id, []) if skill_id else []
        for name in ("oldest_version", "newest_version"):
            follow_skill(
                self.fields[name], skill_field_name=self.add_prefix("skill"), versions=versions
            )


class CertificationProposalForm(forms.Form):
    certification = forms.ModelChoiceField(Certification.objects.all())
    earned_on = forms.DateField(widget=DateInput(), label="Earned on")
    expires_on = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Expires on",
        help_text="Blank: the certification's usual validity from the day earned.",
    )
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = evidence_field("The certificate.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certification"].choices = certification_choices()

    def clean(self):
        cleaned = super().clean()
        earned, expires = cleaned.get("earned_on"), cleaned.get("expires_on")
        if earned and expires and expires < earned:
            self.add_error("expires_on", "The expiry date cannot come before the day earned.")
        return cleaned
