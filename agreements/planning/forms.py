import datetime

from django import forms
from django.forms import inlineformset_factory
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from agreements.models import Agreement, Requirement, Service
from agreements.planning.models import Competitor, CompetitorOffering
from agreements.planning.prospect_check import ProspectInput
from agreements.planning.selectors import PlanChoices
from core.bounds import id_or_none
from core.formatting import day_text
from core.forms import ROW_LIMITS, AutocompleteSelectMultiple, DateInput, SharedChoicesFormSet
from core.permissions import visible_to
from core.validators import date_in_range
from skills.forms import chosen_skill_id, follow_skill
from skills.models import Certification, Level, Skill, SkillVersion, Technician, TrainingGoal
from skills.selectors import technicians_available_to

# The technicians who count for coverage today, searched by name.
AVAILABLE_TECHNICIANS_URL = format_lazy(
    "{}?available=1", reverse_lazy("skills:technician_autocomplete")
)

# ------------------------------------------------------------------------------ competitors


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


OFFERING_FIELDS = ("service", "name", "price", "notes")


class OfferingForm(forms.ModelForm):
    class Meta:
        model = CompetitorOffering
        fields = list(OFFERING_FIELDS)
        labels = {
            "service": "Our matching service",
            "name": "Or their name for it",
            "price": "Price per month",
        }
        help_texts = {"service": "", "name": "", "price": ""}
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services
        self.fields["service"].empty_label = "— none of ours —"


OfferingFormSet = inlineformset_factory(
    Competitor,
    CompetitorOffering,
    form=OfferingForm,
    formset=SharedChoicesFormSet,
    extra=1,
    can_delete=True,
    **ROW_LIMITS,
)


def offering_formset(user, *args, **kwargs):
    return OfferingFormSet(
        *args, form_kwargs={"services": visible_to(user, Service).order_by("name")}, **kwargs
    )


# ------------------------------------------------------------------------------ add to plan


class AddToPlanForm(forms.Form):
    """Training goals for one or more technicians: a skill to reach and/or a certification."""

    gap = forms.CharField(required=False, max_length=150, widget=forms.HiddenInput)
    # Set by "Add to plan" on a flag: the goals are kept linked to the requirement.
    requirement = forms.ModelChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "The requirement this goal was for no longer exists; "
            "reload the page from the agreement."
        },
    )
    technicians = forms.ModelMultipleChoiceField(
        queryset=Technician.objects.none(),
        widget=AutocompleteSelectMultiple(
            url=AVAILABLE_TECHNICIANS_URL, placeholder="Add a technician by name"
        ),
        error_messages={"required": "Choose at least one technician."},
    )
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.none(), required=False, empty_label="— no skill —"
    )
    target_level = forms.TypedChoiceField(
        choices=[("", "—"), *Level.choices], coerce=int, required=False, empty_value=None
    )
    target_version = forms.ModelChoiceField(
        queryset=SkillVersion.objects.none(),
        required=False,
        label="Version",
        empty_label="Any version",
    )
    certification = forms.ModelChoiceField(
        queryset=Certification.objects.none(), required=False, empty_label="— no certification —"
    )
    due_date = forms.DateField(widget=DateInput())
    reason = forms.CharField(required=False, max_length=255)
    cost = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=2, label="Cost per technician"
    )

    def __init__(self, *args, user, day: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technicians"].queryset = technicians_available_to(user, day=day)
        self.fields["requirement"].queryset = visible_to(user, Requirement)
        self.fields["skill"].queryset = visible_to(user, Skill).order_by("name")
        self.fields["target_version"].queryset = visible_to(user, SkillVersion).select_related(
            "skill"
        )
        self.fields["certification"].queryset = visible_to(user, Certification).order_by("name")
        self.fields["target_version"].label_from_instance = str

    def use_choices(self, choices: PlanChoices, skill_ids=None) -> None:
        """Render from lists read once for the page (no query per row); `skill_ids` narrows
        the skill options to the gap's skills. The versions are those of the chosen skill."""
        skills = choices.skills
        if skill_ids:
            wanted = set(skill_ids)
            skills = [(pk, name) for pk, name in skills if pk in wanted]
        self.fields["skill"].choices = [("", "— no skill —"), *skills]
        follow_skill(
            self.fields["target_version"],
            skill_field_name=self.add_prefix("skill"),
            versions=choices.versions.get(chosen_skill_id(self, "skill"), []),
            empty_label="Any version",
        )
        self.fields["certification"].choices = [
            ("", "— no certification —"),
            *choices.certifications,
        ]

    def clean(self):
        cleaned = super().clean()
        skill, certification = cleaned.get("skill"), cleaned.get("certification")
        if not skill and not certification and not self.has_error("skill"):
            self.add_error("skill", "Choose a skill to learn, a certification to earn, or both.")
        if skill and cleaned.get("target_level") is None:
            self.add_error("target_level", "Choose the level to reach in this skill.")
        version = cleaned.get("target_version")
        if version and not skill:
            self.add_error("target_version", "A version needs a skill.")
        elif version and skill and version.skill_id != skill.pk:
            self.add_error(
                "target_version",
                f"Version {version.label} belongs to {version.skill.name}, not {skill.name}.",
            )
        return cleaned

    def goal_fields(self) -> dict:
        """Keyword arguments for `training_goal_create`, without the technician."""
        data = self.cleaned_data
        return {
            "skill": data["skill"],
            "target_level": data["target_level"] if data["skill"] else None,
            "target_version": data["target_version"],
            "certification": data["certification"],
            "due_date": data["due_date"],
            "reason": data["reason"],
            "cost": data["cost"],
        }


# ------------------------------------------------------------------------------ edit a goal


class GoalEditForm(forms.ModelForm):
    """An open goal's target level and version (of its skill), due date, reason and cost."""

    class Meta:
        model = TrainingGoal
        fields = ["target_level", "target_version", "due_date", "reason", "cost"]
        widgets = {"due_date": DateInput()}
        labels = {"target_version": "Version", "cost": "Cost"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        goal = self.instance
        if goal.skill_id:
            self.fields["target_version"].queryset = (
                visible_to(user, SkillVersion).filter(skill_id=goal.skill_id).order_by("rank")
            )
            self.fields["target_version"].empty_label = "Any version"
            self.fields["target_level"].required = True
            self.fields["target_level"].widget = forms.Select(choices=[("", "—"), *Level.choices])
        else:
            del self.fields["target_level"]
            del self.fields["target_version"]


# ------------------------------------------------------------------------------ mark done


class GoalCompleteForm(forms.Form):
    """What the technician achieved; only the fields the goal needs are kept."""

    level = forms.TypedChoiceField(choices=Level.choices, coerce=int, label="New level")
    oldest_version = forms.ModelChoiceField(
        queryset=SkillVersion.objects.none(),
        required=False,
        empty_label="— any older —",
        help_text="The oldest version the technician can now support.",
    )
    newest_version = forms.ModelChoiceField(
        queryset=SkillVersion.objects.none(),
        required=False,
        empty_label="— any newer —",
        help_text="The newest version the technician can now support.",
    )
    earned_on = forms.DateField(widget=DateInput(), label="Certification earned on")
    expires_on = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Expires on",
        help_text="Leave blank to use the certification's usual validity.",
    )

    def __init__(self, *args, goal: TrainingGoal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal.skill_id:
            versions = visible_to(user, SkillVersion).filter(skill_id=goal.skill_id)
            self.fields["oldest_version"].queryset = versions.order_by("rank")
            self.fields["newest_version"].queryset = versions.order_by("rank")
            self.fields["level"].label = f"New level in {goal.skill.name}"
            for name in ("oldest_version", "newest_version"):
                self.fields[name].label_from_instance = lambda version: version.label
        else:
            for name in ("level", "oldest_version", "newest_version"):
                del self.fields[name]
        if goal.certification_id:
            self.fields["earned_on"].label = f"{goal.certification.name} earned on"
        else:
            del self.fields["earned_on"], self.fields["expires_on"]

    def clean(self):
        cleaned = super().clean()
        oldest, newest = cleaned.get("oldest_version"), cleaned.get("newest_version")
        if oldest and newest and newest.rank < oldest.rank:
            self.add_error(
                "newest_version",
                f"Newest version ({newest.label}) is older than oldest version ({oldest.label}).",
            )
        earned_on, expires_on = cleaned.get("earned_on"), cleaned.get("expires_on")
        if earned_on and expires_on and expires_on < earned_on:
            self.add_error(
                "expires_on",
                f"Expiry date ({day_text(expires_on)}) is before the date earned "
                f"({day_text(earned_on)}).",
            )
        return cleaned


# ------------------------------------------------------------------------------ what-if


class WhatIfForm(forms.Form):
    """The technicians to imagine gone, among `technicians`: ticked in a list when there are
    CHECKBOXES_UP_TO or fewer, else searched by name. A value that is not one of them (another
    person's id, a stale link, garbage) is left out rather than refused; more than MAX_CHOSEN
    is refused."""

    MAX_CHOSEN = 50
    CHECKBOXES_UP_TO = 30

    technician = forms.ModelMultipleChoiceField(
        queryset=Technician.objects.none(),
        required=False,
        label="Technicians who leave",
        widget=AutocompleteSelectMultiple(
            url=AVAILABLE_TECHNICIANS_URL, placeholder="Add a technician by name"
        ),
    )

    def __init__(self, data=None, *, technicians):
        super().__init__(data)
        field = self.fields["technician"]
        field.queryset = technicians
        # One query: the first CHECKBOXES_UP_TO + 1 tell whether a list fits, and are the list.
        few = list(technicians.values_list("pk", "name")[: self.CHECKBOXES_UP_TO + 1])
        if len(few) <= self.CHECKBOXES_UP_TO:
            field.widget = forms.CheckboxSelectMultiple()
            field.choices = few

    def chosen(self) -> list[tuple[int, str]]:
        """(id, name) of the technicians picked, in the order given, each once. One query."""
        values = self.data.getlist("technician") if self.data else []
        ids = list(dict.fromkeys(filter(None, map(id_or_none, values))))
        if len(ids) > self.MAX_CHOSEN:
            self.add_error("technician", f"Pick at most {self.MAX_CHOSEN} technicians at a time.")
            return []
        names = dict(
            self.fields["technician"].queryset.filter(pk__in=ids).values_list("pk", "name")
        )
        return [(pk, names[pk]) for pk in ids if pk in names]


# ------------------------------------------------------------------------------ pre-sale check


class ProspectCheckForm(forms.Form):
    """A prospect described for the pre-sale check: what we would sell it and what it runs."""

    name = forms.CharField(
        required=False,
        max_length=200,
        label="Prospect's name",
        help_text="Needed only to create the client from this check.",
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one service."},
    )
    technologies = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "Exchange 2016, Windows Server 2019\nSonicOS 7"}
        ),
        help_text="What the prospect runs, one per line or separated by commas, as its "
        "inventory spells it.",
    )
    start_date = forms.DateField(widget=DateInput(), validators=[date_in_range])
    annual_value = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="Annual value ($)"
    )
    support_hours = forms.ChoiceField(choices=Agreement.SupportHours.choices)
    sla_response_hours = forms.IntegerField(
        min_value=1, max_value=720, initial=4, label="SLA response (hours)"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = visible_to(user, Service).filter(is_active=True)

    def prospect(self) -> ProspectInput:
        data = self.cleaned_data
        return ProspectInput(
            services=list(data["services"]),
            technologies=data["technologies"],
            start_date=data["start_date"],
            annual_value=data["annual_value"],
            support_hours=data["support_hours"],
            sla_response_hours=data["sla_response_hours"],
            name=data["name"].strip(),
        )
