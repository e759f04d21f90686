"""Pages of the partner programmes: consultants keep them, viewers read them. Whether the team
meets them is shown by the coverage pages (agreements/coverage), which read the checks."""

from django.views.generic import ListView, TemplateView

from core.permissions import ModelPermissionMixin
from core.views import ExportMixin, ParentWithFormsetsView, export_links
from skills.models import PartnerProgram
from skills.partners import selectors
from skills.partners.forms import PartnerProgramForm, partner_rule_formset
from skills.partners.services import partner_program_save
from skills.resources import PartnerProgramResource, PartnerRuleResource


class PartnerProgramListView(ExportMixin, ModelPermissionMixin, ListView):
    """The programmes, paginated; downloads the programmes and their rules in the columns the
    imports read."""

    model = PartnerProgram
    template_name = "skills/programme_list.html"
    context_object_name = "programmes"
    paginate_by = 25
    exports = {
        "": ("partner-programmes", PartnerProgramResource, "export_programmes"),
        "rules": ("partner-programme-rules", PartnerRuleResource, "export_rules"),
    }

    def get_queryset(self):
        return selectors.partner_program_list(user=self.request.user)

    def export_programmes(self):
        return selectors.partner_programs_for_export(user=self.request.user)

    def export_rules(self):
        return selectors.partner_rules_for_export(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            export_links=export_links(self.request),
            rules_export_links=export_links(self.request, rows="rules"),
            **kwargs,
        )


class PartnerProgramDetailView(ModelPermissionMixin, TemplateView):
    model = PartnerProgram
    template_name = "skills/programme_detail.html"

    def get_context_data(self, **kwargs):
        programme = selectors.partner_program_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            programme=programme,
            history=selectors.partner_program_history(program=programme),
            **kwargs,
        )


class PartnerProgramFormView(ParentWithFormsetsView):
    """Create or edit a programme with its rules in one form."""

    model = PartnerProgram
    template_name = "skills/programme_form.html"
    form_class = PartnerProgramForm
    context_object_name = "programme"
    formset_names = ("rules",)
    success_url = "skills:programme_detail"

    def get_formsets(self, programme, data=None):
        return (partner_rule_formset(programme=programme, data=data),)

    def save(self, programme, form, changes):
        return partner_program_save(program=programme, fields=form.cleaned_data, **changes)

    def success_message(self, programme, *, created):
        return f"{'Added' if created else 'Saved'} {programme}."


class PartnerProgramCreateView(PartnerProgramFormView):
    permission_action = "add"

    def get_object(self):
        return PartnerProgram()


class PartnerProgramUpdateView(PartnerProgramFormView):
    permission_action = "change"

    def get_object(self):
        return selectors.partner_program_get(user=self.request.user, pk=self.kwargs["pk"])
