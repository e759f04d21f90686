from django import forms
from django.core.exceptions import ValidationError

from clients.models import Client, ClientTechnology, Contact
from core.forms import (
    KeptFieldsMixin,
    SharedChoicesFormSet,
    UserChoiceField,
    active_users,
    column_bounded_formfield,
    row_formset,
)
from skills.forms import VersionsFollowSkillFormSet, skill_search


class ClientForm(KeptFieldsMixin, forms.ModelForm):
    account_manager = UserChoiceField(
        queryset=active_users(),
        required=False,
    )

    class Meta:
        model = Client
        formfield_callback = column_bounded_formfield
        fields = [
            "name",
            "status",
            "industry",
            "seats",
            "account_manager",
            "time_zone",
            "email",
            "phone",
            "website",
            "address",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ContactForm(KeptFieldsMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "is_primary"]
        labels = {"is_primary": "Primary"}


class ContactFormSet(SharedChoicesFormSet):
    def clean(self):
        super().clean()
        primaries = [
            form.cleaned_data.get("name", "")
            for form in self.forms
            if form.cleaned_data.get("is_primary") and not self._should_delete_form(form)
        ]
        if len(primaries) > 1:
            raise ValidationError(
                f"Only one contact can be the primary one; {', '.join(primaries)} are all marked."
            )


class ClientTechnologyForm(KeptFieldsMixin, forms.ModelForm):
    quantity = column_bounded_formfield(
        ClientTechnology._meta.get_field("quantity"),
        min_value=1,
        initial=1,
        error_messages={"min_value": "Quantity must be at least 1."},
    )

    class Meta:
        model = ClientTechnology
        fields = ["skill", "version", "quantity", "notes"]
        widgets = {"skill": skill_search()}


class EnvironmentFormSet(VersionsFollowSkillFormSet):
    version_fields = {"version": "skill"}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            skill, version = form.cleaned_data.get("skill"), form.cleaned_data.get("version")
            if skill is None:
                continue
            if (skill, version) in seen:
                what = f"{skill.name} {version.label}" if version else f"{skill.name}"
                form.add_error("skill", f"{what} is listed twice; keep one row and set quantity.")
            seen.add((skill, version))


def client_formsets(*, data=None, client):
    """The contacts and environment formsets of the client form, in that order."""
    return (
        row_formset(
            client,
            Contact,
            form=ContactForm,
            formset=ContactFormSet,
            prefix="contacts",
            data=data,
        ),
        row_formset(
            client,
            ClientTechnology,
            form=ClientTechnologyForm,
            formset=EnvironmentFormSet,
            prefix="environment",
            data=data,
            queryset=ClientTechnology.objects.select_related("skill", "version").order_by(
                "skill__name", "version__rank"
            ),
        ),
    )
