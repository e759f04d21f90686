from functools import cached_property

from django import forms
from django.forms import inlineformset_factory
from django.urls import reverse, reverse_lazy

from core.bounds import id_or_none
from core.forms import (
    ROW_LIMITS,
    AutocompleteSelect,
    DateInput,
    KeptFieldsMixin,
    SharedChoicesFormSet,
    UserChoiceField,
    active_users,
    column_bounded_formfield,
    row_formset,
)
from skills.models import (
    Certification,
    Skill,
    SkillAlias,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)
from skills.selectors import skill_categories

EMPTY_CHOICE = ("", "---------")


MAX_VERSIONS = 500  # versions of one skill offered in a list


def versions_of_skills(skill_ids) -> dict[int, list[tuple[int, str]]]:
    """{skill id: [(version id, label)], oldest first} for `skill_ids`. One query."""
    groups = {}
    rows = SkillVersion.objects.filter(skill_id__in=set(skill_ids)).order_by("skill_id", "rank")
    for pk, skill_id, label in rows.values_list("pk", "skill_id", "label"):
        groups.setdefault(skill_id, []).append((pk, label))
    return groups


def follow_skill(field, *, skill_field_name: str, versions: list, empty_label=EMPTY_CHOICE[1]):
    """Offer `versions` (those of the skill chosen in the same form) in the version `field`,
    and tell static/js/versions.js to fetch the new skill's when the skill changes. The field
    still validates against its whole queryset, so a version of another skill gets the form's
    own message, not "not one of the choices"."""
    field.choices = [("", empty_label), *versions]
    field.widget.attrs.update(
        {
            "data-versions-of": skill_field_name,
            "data-versions-url": reverse("skills:version_options"),
        }
    )


def chosen_skill_id(form, skill_field: str) -> int | None:
    """The skill the form shows: what was posted, or its initial value."""
    value = form[skill_field].value()
    value = getattr(value, "pk", value)
    return id_or_none(value)


def skill_search():
    """A search box for the skill of a row: a catalog of hundreds of skills is not repeated in
    a <select> on every row."""
    return AutocompleteSelect(
        url=reverse_lazy("skills:skill_autocomplete"), placeholder="Type a skill"
    )


class VersionsFollowSkillFormSet(SharedChoicesFormSet):
    """A formset of rows that pair a skill (a search box, `skill_search`) with versions: each
    version field (`version_fields` maps it to its skill field) offers only the versions of the
    skill chosen in the same row. The chosen skills' names and versions are read for all the
    rows in two queries, instead of every version of every skill in every row."""

    version_fields = {}

    @cached_property
    def _skill_names(self) -> dict[int, str]:
        return dict(Skill.objects.filter(pk__in=self._skill_ids).values_list("pk", "name"))

    @cached_property
    def _versions(self):
        return versions_of_skills(self._skill_ids)

    @cached_property
    def _skill_ids(self) -> set[int]:
        skill_fields = set(self.version_fields.values())
        if self.is_bound:
            posted = (
                self.data.get(f"{self.add_prefix(index)}-{name}")
                for index in range(self.total_form_count())
                for name in skill_fields
            )
            ids = set(filter(None, map(id_or_none, posted)))
        else:
            ids = {
                getattr(row, f"{name}_id") for row in self.get_queryset() for name in skill_fields
            }
        return ids - {None}

    def prepare_row(self, form):
        form = super().prepare_row(form)
        for skill_field in set(self.version_fields.values()):
            widget = form.fields[skill_field].widget
            if isinstance(widget, AutocompleteSelect):
                widget.known_labels = self._skill_names
        for version_field, skill_field in self.version_fields.items():
            skill_id = chosen_skill_id(form, skill_field)
            follow_skill(
                form.fields[version_field],
                skill_field_name=form.add_prefix(skill_field),
                versions=self._versions.get(skill_id, []),
            )
        return form


def certification_choices():
    """One query."""
    return [EMPTY_CHOICE, *Certification.objects.order_by("name").values_list("pk", "name")]


# ------------------------------------------------------------------------------ technicians


class TechnicianForm(KeptFieldsMixin, forms.ModelForm):
    user = UserChoiceField(
        queryset=active_users(),
        required=False,
        label="Login",
        help_text="The user account of this technician, if they log in to Covered.",
    )

    class Meta:
        model = Technician
        fields = ["name", "email", "status", "available_until", "time_zone", "user", "notes"]
        widgets = {"available_until": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "email": {"unique": "Another technician already uses this email address."}
        }


class TechnicianSkillForm(KeptFieldsMixin, forms.ModelForm):
    class Meta:
        model = TechnicianSkill
        fields = ["skill", "level", "oldest_version", "newest_version", "last_used"]
        widgets = {"skill": skill_search(), "last_used": DateInput()}
        labels = {"oldest_version": "Oldest version", "newest_version": "Newest version"}
        help_texts = {"oldest_version": "", "newest_version": ""}


class TechnicianSkillFormSet(VersionsFollowSkillFormSet):
    version_fields = {"oldest_version": "skill", "newest_version": "skill"}


class TechnicianCertificationForm(KeptFieldsMixin, forms.ModelForm):
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


# ------------------------------------------------------------------------------ the catalog


class SkillForm(forms.ModelForm):
    """A product of the catalog: its name (as the team says it), category and vendor."""

    class Meta:
        model = Skill
        fields = ["name", "category", "vendor", "description"]
        labels = {"name": "Product"}
        help_texts = {
            "name": "As the team says it, e.g. “Exchange Server”; versions are listed below.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = skill_categories()


class SkillVersionForm(forms.ModelForm):
    class Meta:
        model = SkillVersion
        formfield_callback = column_bounded_formfield
        fields = ["label", "rank", "end_of_support", "end_of_support_unknown", "successor"]
        labels = {
            "label": "Version",
            "end_of_support": "End of support",
            "end_of_support_unknown": "Ended, date unknown",
            "successor": "Moves to",
        }
        widgets = {"end_of_support": DateInput()}
        help_texts = {
            "label": "",
            "rank": "",
            "end_of_support": "",
            "end_of_support_unknown": "",
            "successor": "",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank for a new version: skills.services.skill_save places it after the newest.
        self.fields["rank"].required = self.instance.pk is not None
        self.fields["rank"].widget.attrs.setdefault("placeholder", "after the newest")


class SkillAliasForm(forms.ModelForm):
    class Meta:
        model = SkillAlias
        fields = ["pattern", "version"]
        labels = {"pattern": "Named in files as", "version": "Version"}
        help_texts = {"pattern": "", "version": ""}

    def clean_pattern(self):
        return " ".join(self.cleaned_data["pattern"].split())


class CatalogRowsFormSet(SharedChoicesFormSet):
    """Rows of one product whose version field (`version_field`) offers that product's own
    versions, read once for every row. A version of another product is still refused by the
    model's own check, with its message."""

    version_field = ""

    @cached_property
    def _choices(self):
        versions = []
        if self.instance.pk is not None:
            versions = list(self.instance.versions.order_by("rank").values_list("pk", "label"))
        return {self.version_field: [EMPTY_CHOICE, *versions]}


class SkillVersionFormSet(CatalogRowsFormSet):
    version_field = "successor"


class SkillAliasFormSet(CatalogRowsFormSet):
    version_field = "version"


# Versions are not removed here: clients, technicians and requirements point at them (an admin
# can, in Django admin, once nothing does).
SkillVersionRows = inlineformset_factory(
    Skill,
    SkillVersion,
    form=SkillVersionForm,
    formset=SkillVersionFormSet,
    fk_name="skill",
    extra=1,
    can_delete=False,
    **ROW_LIMITS,
)


def skill_formsets(*, data=None, skill, alias_pattern: str = ""):
    """The versions and aliases formsets of the product form, in that order; `alias_pattern`
    fills the blank alias row (a product name an import or a prospect check did not know)."""
    versions = SkillVersionRows(
        data,
        instance=skill,
        prefix="versions",
        queryset=SkillVersion.objects.order_by("rank"),
    )
    aliases = row_formset(
        skill,
        SkillAlias,
        form=SkillAliasForm,
        formset=SkillAliasFormSet,
        prefix="aliases",
        data=data,
        queryset=SkillAlias.objects.order_by("pattern"),
    )
    if alias_pattern and data is None:
        aliases.extra_forms[0].initial = {"pattern": alias_pattern}
    return versions, aliases


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
