from functools import cached_property

from django import forms
from django.urls import reverse_lazy

from agreements.models import Agreement, Requirement, Service, default_min_technicians
from core.forms import (
    ROW_LIMITS,
    AutocompleteSelect,
    DateInput,
    KeptFieldsMixin,
    UserChoiceField,
    active_users,
    column_bounded_formfield,
)
from skills.forms import VersionsFollowSkillFormSet, certification_choices, skill_search


class AgreementForm(KeptFieldsMixin, forms.ModelForm):
    """The agreement's terms and its services; the view hands the cleaned data to the services.

    The model's own validation (run by the form) catches a negative annual value and an end date
    before the start date, with messages on those fields.
    """

    owner = UserChoiceField(queryset=active_users(), required=False, label="Owner")
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Included services",
        help_text="The skills these services cover become requirements wherever the client runs "
        "them.",
    )

    class Meta:
        model = Agreement
        formfield_callback = column_bounded_formfield
        fields = [
            "client",
            "title",
            "status",
            "start_date",
            "end_date",
            "auto_renew",
            "renewal_term_months",
            "notice_days",
            "billing_cycle",
            "annual_value",
            "sla_response_hours",
            "support_hours",
            "owner",
            "notes",
        ]
        widgets = {
            "client": AutocompleteSelect(
                url=reverse_lazy("clients:autocomplete"), placeholder="Type the client's name"
            ),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"annual_value": "Annual value ($)"}

    def __init__(self, *args, client_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = client_queryset
        services = Service.objects.filter(is_active=True)
        if self.instance.pk:
            # A service taken off the catalog stays ticked on the agreements that have it.
            services = services | Service.objects.filter(
                agreement_services__agreement=self.instance
            )
            self.initial.setdefault(
                "services",
                list(self.instance.agreement_services.values_list("service_id", flat=True)),
            )
        self.fields["services"].queryset = services.distinct().order_by("name")
        self.fields["annual_value"].widget.attrs.setdefault("step", "0.01")

    def terms(self) -> dict:
        """The cleaned fields of the agreement itself, without its services."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


REQUIREMENT_FIELDS = ("skill", "version", "certification", "min_level", "min_technicians", "notes")


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        formfield_callback = column_bounded_formfield
        fields = REQUIREMENT_FIELDS
        labels = {"min_level": "Minimum level", "min_technicians": "Technicians needed"}
        widgets = {"skill": skill_search()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].widget.attrs["placeholder"] = "e.g. named in the contract"


class ManualRequirementFormSet(VersionsFollowSkillFormSet):
    shared_choices = {"certification": certification_choices}
    version_fields = {"version": "skill"}

    @cached_property
    def _default_min_technicians(self) -> int:
        return default_min_technicians()

    def prepare_row(self, form):
        form = super().prepare_row(form)
        # The model's default is a callable (the number in force, read once for every row); a
        # plain initial value lets an untouched blank row count as unchanged without a hidden
        # "initial-" input.
        form.fields["min_technicians"].show_hidden_initial = False
        form.fields["min_technicians"].initial = self._default_min_technicians
        return form


RequirementFormSet = forms.inlineformset_factory(
    Agreement,
    Requirement,
    form=RequirementForm,
    formset=ManualRequirementFormSet,
    fields=REQUIREMENT_FIELDS,
    extra=1,
    can_delete=True,
    **ROW_LIMITS,
)


def requirement_formset(*, data=None, agreement=None):
    """The agreement's manual requirements; derived ones follow its services and are not edited."""
    return RequirementFormSet(
        data=data,
        instance=agreement,
        queryset=Requirement.objects.filter(source=Requirement.Source.MANUAL).select_related(
            "skill", "version", "certification"
        ),
        prefix="requirements",
    )
