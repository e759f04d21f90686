from functools import cached_property

from django import forms
from django.forms import inlineformset_factory

from core.forms import SharedChoicesFormSet, column_bounded_formfield
from skills.forms import certification_choices, skill_search
from skills.models import MAX_RULES, Level, PartnerProgram, PartnerRule


class PartnerProgramForm(forms.ModelForm):
    class Meta:
        model = PartnerProgram
        formfield_callback = column_bounded_formfield
        fields = ["vendor", "tier", "renewal_date", "yearly_benefit", "notes"]
        widgets = {
            "renewal_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class PartnerRuleForm(forms.ModelForm):
    class Meta:
        model = PartnerRule
        formfield_callback = column_bounded_formfield
        fields = ["certification", "skill", "min_level", "min_technicians"]
        widgets = {"skill": skill_search()}
        labels = {"min_level": "At level", "min_technicians": "Technicians"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_level"].widget = forms.Select(choices=[("", "—"), *Level.choices])
        self.fields["certification"].help_text = "Or a skill at a level:"

    def clean(self):
        cleaned = super().clean()
        certification, skill = cleaned.get("certification"), cleaned.get("skill")
        if certification and skill:
            self.add_error("skill", "Choose a certification or a skill, not both.")
        elif not certification and not skill and not self.errors:
            self.add_error("certification", "Choose a certification, or a skill with a level.")
        elif skill and cleaned.get("min_level") is None:
            self.add_error("min_level", "Say the level the tier asks for.")
        elif certification and cleaned.get("min_level") is not None:
            self.add_error("min_level", "A level goes with a skill, not a certification.")
        return cleaned


class PartnerRuleFormSet(SharedChoicesFormSet):
    shared_choices = {"certification": certification_choices}
    default_error_messages = {
        **SharedChoicesFormSet.default_error_messages,
        "too_many_forms": f"A programme has at most {MAX_RULES} rules.",
    }

    def prepare_row(self, form):
        form = super().prepare_row(form)
        if self.is_bound:
            return form
        # The chosen skills' names for the search boxes, read once for every row.
        widget = form.fields["skill"].widget
        widget.known_labels = self._skill_names
        return form

    @cached_property
    def _skill_names(self) -> dict[int, str]:
        return {rule.skill_id: rule.skill.name for rule in self.get_queryset() if rule.skill_id}


PartnerRuleRows = inlineformset_factory(
    PartnerProgram,
    PartnerRule,
    form=PartnerRuleForm,
    formset=PartnerRuleFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_RULES,
    absolute_max=MAX_RULES,
    validate_max=True,
)


def partner_rule_formset(*, programme: PartnerProgram, data=None):
    return PartnerRuleRows(
        data,
        instance=programme,
        prefix="rules",
        queryset=PartnerRule.objects.select_related("skill").order_by("pk"),
    )
