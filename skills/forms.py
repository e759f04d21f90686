from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.forms import BaseInlineFormSet, inlineformset_factory

from skills.models import (
    Certification,
    Skill,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)

EMPTY_CHOICE = ("", "---------")


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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


class SharedChoicesFormSet(BaseInlineFormSet):
    """Builds the choices of its select fields once for the whole formset.

    Without this every form of the formset would run its own query per select. Validation still
    goes through each field's queryset, so a posted id that does not exist is refused.
    `shared_choices` maps a field name to a function returning the choices.
    """

    shared_choices = {}

    @cached_property
    def _choices(self):
        return {name: build() for name, build in self.shared_choices.items()}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, choices in self._choices.items():
            form.fields[name].choices = choices
        # Rows show no labels, only the table's header: name each input for screen readers.
        for name, field in form.fields.items():
            label = "Remove this row" if name == "DELETE" else field.label or name
            field.widget.attrs.setdefault("aria-label", label)
        return form


# ------------------------------------------------------------------------------ technicians


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class TechnicianForm(forms.ModelForm):
    user = UserChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
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
    extra = 1 if technician.pk else 3
    skills = inlineformset_factory(
        Technician,
        TechnicianSkill,
        form=TechnicianSkillForm,
        formset=TechnicianSkillFormSet,
        extra=extra,
        can_delete=True,
    )
    certifications = inlineformset_factory(
        Technician,
        TechnicianCertification,
        form=TechnicianCertificationForm,
        formset=TechnicianCertificationFormSet,
        extra=extra,
        can_delete=True,
    )
    return (
        skills(
            data,
            instance=technician,
            prefix="skills",
            queryset=TechnicianSkill.objects.select_related("skill").order_by("skill__name"),
        ),
        certifications(
            data,
            instance=technician,
            prefix="certifications",
            queryset=TechnicianCertification.objects.order_by("certification__name"),
        ),
    )


# ------------------------------------------------------------------------------ filters


class MatrixFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=SkillCategory.objects.order_by("name"),
        required=False,
        empty_label="All categories",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
