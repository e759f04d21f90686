from django import forms

from core.forms import (
    DateInput,
    SharedChoicesFormSet,
    UserChoiceField,
    active_users,
    row_formset,
)
from skills.models import (
    Certification,
    Skill,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)
from skills.selectors import skill_categories

EMPTY_CHOICE = ("", "---------")


def skill_choices():
    """Skills grouped by category, for a select. One query."""
    groups = {}
    for skill in Skill.objects.select_related("category").order_by("category__name", "name"):
        groups.setdefault(skill.category.name, []).append((skill.pk, skill.name))
    return [EMPTY_CHOICE, *groups.items()]


def version_choices():
    """Versions grouped by skill, oldest first, for a select. One query."""
    groups = {}
    for version in SkillVersion.objects.select_related("skill").order_by("skill__name", "rank"):
        groups.setdefault(version.skill.name, []).append((version.pk, version.label))
    return [EMPTY_CHOICE, *groups.items()]


def certification_choices():
    """One query."""
    return [EMPTY_CHOICE, *Certification.objects.order_by("name").values_list("pk", "name")]


# ------------------------------------------------------------------------------ technicians


class TechnicianForm(forms.ModelForm):
    user = UserChoiceField(
        queryset=active_users(),
        required=False,
        label="Login",
        help_text="The user account of this technician, if they log in to Covered.",
    )

    class Meta:
        model = Technician
        fields = ["name", "email", "status", "available_until", "user", "notes"]
        widgets = {"available_until": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "email": {"unique": "Another technician already uses this email address."}
        }


class TechnicianSkillForm(forms.ModelForm):
    class Meta:
        model = TechnicianSkill
        fields = ["skill", "level", "oldest_version", "newest_version", "last_used"]
        widgets = {"last_used": DateInput()}
        labels = {"oldest_version": "Oldest version", "newest_version": "Newest version"}
        help_texts = {"oldest_version": "", "newest_version": ""}


class TechnicianSkillFormSet(SharedChoicesFormSet):
    shared_choices = {
        "skill": skill_choices,
        "oldest_version": version_choices,
        "newest_version": version_choices,
    }


class TechnicianCertificationForm(forms.ModelForm):
    class Meta:
        model = TechnicianCertification
        fields = ["certification", "earned_on", "expires_on", "credential_id"]
        widgets = {"earned_on": DateInput(), "expires_on": DateInput()}
        help_texts = {"expires_on": ""}


class TechnicianCertificationFormSet(SharedChoicesFormSet):
    shared_choices = {"certification": certification_choices}


def technician_formsets(*, data=None, technician):
    """The skills and certifications formsets of the technician form, in that order."""
    return (
        row_formset(
            technician,
            TechnicianSkill,
            form=TechnicianSkillForm,
            formset=TechnicianSkillFormSet,
            prefix="skills",
            data=data,
            queryset=TechnicianSkill.objects.select_related("skill").order_by("skill__name"),
        ),
        row_formset(
            technician,
            TechnicianCertification,
            form=TechnicianCertificationForm,
            formset=TechnicianCertificationFormSet,
            prefix="certifications",
            data=data,
            queryset=TechnicianCertification.objects.order_by("certification__name"),
        ),
    )


# ------------------------------------------------------------------------------ filters


class MatrixFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=skill_categories(),
        required=False,
        empty_label="All categories",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "invalid_choice": "That category does not exist (any more). Showing every category."
        },
    )
