from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from core.bounds import id_or_none
from core.permissions import ModelPermissionMixin
from core.views import (
    AutocompleteView,
    ExportMixin,
    FilterRefusalMixin,
    ParentWithFormsetsView,
    export_links,
)
from skills import selectors
from skills.filters import SkillFilter, TechnicianFilter
from skills.forms import MAX_VERSIONS, TechnicianForm, technician_formsets
from skills.models import Skill, SkillVersion, Technician
from skills.resources import (
    TechnicianCertificationResource,
    TechnicianResource,
    TechnicianSkillResource,
)
from skills.services import technician_save


class TechnicianListView(FilterRefusalMixin, ExportMixin, ModelPermissionMixin, FilterView):
    model = Technician
    filterset_class = TechnicianFilter
    template_name = "skills/technician_list.html"
    paginate_by = 25
    exports = {
        "": ("technicians", TechnicianResource, "export_technicians"),
        "skills": ("technician-skills", TechnicianSkillResource, "export_skills"),
        "certifications": (
            "certifications",
            TechnicianCertificationResource,
            "export_certifications",
        ),
    }

    def export_technicians(self):
        return selectors.technicians_for_export(self.filtered_rows())

    def export_skills(self):
        return selectors.technician_skills_for_export(self.filtered_rows())

    def export_certifications(self):
        return selectors.technician_certifications_for_export(self.filtered_rows())

    def get_queryset(self):
        return selectors.technician_list(user=self.request.user, day=timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            baseline_named=selectors.baseline_certifications_named(),
            export_links=export_links(self.request),
            skills_export_links=export_links(self.request, rows="skills"),
            certifications_export_links=export_links(self.request, rows="certifications"),
            warning_days=settings.COVERAGE_WARNING_DAYS,
            **kwargs,
        )


class TechnicianAutocompleteView(AutocompleteView):
    """Technicians still on the team, by name or email, for the search boxes that pick one."""

    model = Technician
    search_fields = ("name", "email")

    def get_queryset(self):
        technicians = super().get_queryset().on_team()
        if self.request.GET.get("available"):
            technicians = technicians.available_on(timezone.localdate())
        return technicians

    def label(self, technician):
        return technician.name


class SkillAutocompleteView(AutocompleteView):
    """Skills of the catalog by name or vendor, for the rows that pair a skill with versions."""

    model = Skill
    search_fields = ("name", "vendor")

    def label(self, skill):
        return skill.name


class VersionOptionsView(ModelPermissionMixin, View):
    """JSON for a version list that follows the chosen skill: {"results": [{id, text}]}, the
    versions of ?skill= oldest first; none without a skill."""

    model = SkillVersion
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        skill_id = id_or_none(request.GET.get("skill"))
        versions = self.get_queryset().none()
        if skill_id is not None:
            versions = self.get_queryset().filter(skill_id=skill_id).order_by("rank")
        rows = versions.values_list("pk", "label")[:MAX_VERSIONS]
        return JsonResponse({"results": [{"id": pk, "text": label} for pk, label in rows]})


class TechnicianDetailView(ModelPermissionMixin, TemplateView):
    model = Technician
    template_name = "skills/technician_detail.html"

    def get_context_data(self, **kwargs):
        day = timezone.localdate()
        technician = selectors.technician_get(user=self.request.user, pk=self.kwargs["pk"], day=day)
        return super().get_context_data(
            technician=technician,
            skills=selectors.technician_skills(technician=technician),
            certifications=selectors.technician_certifications(technician=technician, day=day),
            training_goals=selectors.technician_training_goals(technician=technician),
            baseline_named=selectors.baseline_certifications_named(),
            warning_days=settings.COVERAGE_WARNING_DAYS,
            **kwargs,
        )


class TechnicianFormView(ParentWithFormsetsView):
    """Create or edit a technician with their skills and certifications in one form.

    Saving a certification row through its model form (full_clean) also fills in its default
    expiry date.
    """

    model = Technician
    template_name = "skills/technician_form.html"
    form_class = TechnicianForm
    context_object_name = "technician"
    formset_names = ("skills", "certifications")
    success_url = "skills:technician_detail"

    def get_formsets(self, technician, data=None):
        return technician_formsets(data=data, technician=technician)

    def save(self, technician, form, changes):
        return technician_save(technician=technician, fields=form.cleaned_data, **changes)

    def success_message(self, technician, *, created):
        return f"Saved {technician.name}."


class TechnicianCreateView(TechnicianFormView):
    permission_action = "add"

    def get_object(self):
        return Technician()


class TechnicianUpdateView(TechnicianFormView):
    permission_action = "change"

    def get_object(self):
        return selectors.technician_get(
            user=self.request.user, pk=self.kwargs["pk"], day=timezone.localdate()
        )


class SkillCatalogView(FilterRefusalMixin, ModelPermissionMixin, FilterView):
    model = Skill
    filterset_class = SkillFilter
    template_name = "skills/skill_catalog.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.skill_catalog(user=self.request.user, day=timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(lifecycle=selectors.lifecycle_snapshot_newest(), **kwargs)
