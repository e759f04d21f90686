from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from core.bounds import id_or_none
from core.groups import MANAGE_CATALOG
from core.permissions import ModelPermissionMixin
from core.selectors import coverage_defaults
from core.views import (
    AutocompleteView,
    ExportMixin,
    FilterRefusalMixin,
    ParentWithFormsetsView,
    export_links,
    local_path,
)
from skills import selectors
from skills.filters import SkillFilter, TechnicianFilter
from skills.forms import (
    MAX_VERSIONS,
    SkillForm,
    TechnicianForm,
    skill_formsets,
    technician_formsets,
)
from skills.models import Skill, SkillAlias, SkillVersion, Technician, TechnicianSkill
from skills.resources import (
    TechnicianCertificationResource,
    TechnicianResource,
    TechnicianSkillResource,
)
from skills.services import skill_save, technician_save, technician_skill_confirm
from skills.team_time.selectors import technician_time_off, technician_week, time_off_writable


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

    @cached_property
    def warning_days(self) -> int:
        return coverage_defaults().warning_days

    def get_queryset(self):
        return selectors.technician_list(
            user=self.request.user, day=timezone.localdate(), warning_days=self.warning_days
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            baseline_named=selectors.baseline_certifications_named(),
            export_links=export_links(self.request),
            skills_export_links=export_links(self.request, rows="skills"),
            certifications_export_links=export_links(self.request, rows="certifications"),
            warning_days=self.warning_days,
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
        warning_days = coverage_defaults().warning_days
        skills = list(selectors.technician_skills(technician=technician))
        user = self.request.user
        writable = time_off_writable(user=user, technician=technician)
        return super().get_context_data(
            technician=technician,
            may_add_time_off=writable and user.has_perm("skills.add_timeoff"),
            may_change_time_off=writable and user.has_perm("skills.change_timeoff"),
            skills=skills,
            # From the rows already read: the page's queries stay the same.
            skills_due=[held for held in skills if held.is_due_for_review(day)],
            review_months=settings.SKILL_REVIEW_MONTHS,
            certifications=selectors.technician_certifications(
                technician=technician, day=day, warning_days=warning_days
            ),
            training_goals=selectors.technician_training_goals(technician=technician),
            baseline_named=selectors.baseline_certifications_named(),
            warning_days=warning_days,
            week=technician_week(technician=technician),
            time_off=technician_time_off(technician=technician, day=day),
            **kwargs,
        )


class TechnicianSkillConfirmView(ModelPermissionMixin, TemplateView):
    """ "Still accurate": a consultant confirms a technician's skill as it stands, which starts
    a new review period (GET asks, POST confirms)."""

    model = TechnicianSkill
    permission_action = "change"
    template_name = "skills/technician_skill_confirm.html"

    def get_object(self) -> TechnicianSkill:
        return get_object_or_404(
            self.get_queryset().select_related("technician", "skill"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(held=self.get_object()))

    def post(self, request, *args, **kwargs):
        held = technician_skill_confirm(technician_skill=self.get_object(), user=request.user)
        messages.success(
            request,
            f"Confirmed {held.technician.name}'s {held.skill.name} at level {held.level} as "
            "still accurate.",
        )
        return redirect("skills:technician_detail", pk=held.technician_id)


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


class SkillDetailView(ModelPermissionMixin, TemplateView):
    """A product of the catalog: its versions with their end of support and successor, the
    names files give it (aliases), and the history of its changes."""

    model = Skill
    template_name = "skills/skill_detail.html"
    history_limit = 50

    def get_context_data(self, **kwargs):
        skill = selectors.skill_get(
            user=self.request.user, pk=self.kwargs["pk"], day=timezone.localdate()
        )
        return super().get_context_data(
            skill=skill,
            lifecycle=selectors.lifecycle_snapshot_of(skill),
            history=selectors.skill_history(skill=skill, limit=self.history_limit),
            history_limit=self.history_limit,
            **kwargs,
        )


# The longest text a product name from a file may bring into the new product's form.
PRODUCT_NAME_LENGTH = SkillAlias._meta.get_field("pattern").max_length


class SkillFormView(ParentWithFormsetsView):
    """Add or change a product with its versions and aliases, in one form: for those who keep
    the catalog (a permission of its own, given to consultants)."""

    model = Skill
    template_name = "skills/skill_form.html"
    form_class = SkillForm
    context_object_name = "skill"
    formset_names = ("versions", "aliases")
    success_url = "skills:skill_detail"

    def get_permission_required(self):
        return (".".join(MANAGE_CATALOG),)

    def next_path(self) -> str | None:
        """Where the page was opened from (an import's preview), to go back after saving."""
        request = self.request
        return local_path(request, request.POST.get("next") or request.GET.get("next"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.next_path() or "", **kwargs)

    def get_formsets(self, skill, data=None):
        return skill_formsets(data=data, skill=skill)

    def save(self, skill, form, changes):
        return skill_save(skill=skill, fields=form.cleaned_data, **changes)

    def success_message(self, skill, *, created):
        if created:
            return f"Added {skill.name} to the catalog."
        return f"Saved {skill.name}."

    def get_success_url(self, skill) -> str:
        return self.next_path() or super().get_success_url(skill)


class SkillCreateView(SkillFormView):
    """A new product; `?name=` (an unknown product of an import or a prospect check) fills in
    its name and an alias, so that the next file names it the same way."""

    def get_object(self):
        return Skill()

    def product_name(self) -> str:
        name = self.request.GET.get("name", "")
        # Control characters cannot be part of a name (PostgreSQL refuses a NUL in text).
        name = "".join(character for character in name if character.isprintable())
        return " ".join(name.split())[:PRODUCT_NAME_LENGTH]

    def get_form_kwargs(self):
        name = self.product_name()
        if self.request.method != "GET" or not name:
            return {}
        return {"initial": {"name": name[: Skill._meta.get_field("name").max_length]}}

    def get_formsets(self, skill, data=None):
        return skill_formsets(data=data, skill=skill, alias_pattern=self.product_name())


class SkillUpdateView(SkillFormView):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
