from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView

from core.permissions import ModelPermissionMixin
from skills import selectors
from skills.filters import SkillFilter, TechnicianFilter
from skills.forms import TechnicianForm, technician_formsets
from skills.models import Skill, Technician
from skills.services import technician_create, technician_update


class TechnicianListView(ModelPermissionMixin, FilterView):
    model = Technician
    filterset_class = TechnicianFilter
    template_name = "skills/technician_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.technician_list(user=self.request.user, day=timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            baseline_named=selectors.baseline_certifications_named(),
            warning_days=settings.COVERAGE_WARNING_DAYS,
            **kwargs,
        )


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


class TechnicianFormView(ModelPermissionMixin, TemplateView):
    """Create or edit a technician with their skills and certifications in one form."""

    model = Technician
    template_name = "skills/technician_form.html"

    def get_technician(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        technician = self.get_technician()
        return self.render_forms(
            technician,
            TechnicianForm(instance=technician),
            technician_formsets(technician=technician),
        )

    def post(self, request, *args, **kwargs):
        technician = self.get_technician()
        title = str(technician) if technician.pk else ""
        form = TechnicianForm(request.POST, instance=technician)
        formsets = technician_formsets(data=request.POST, technician=technician)
        # Validate every part, so that all the errors show at once.
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets)]
        if not all(valid):
            return self.render_forms(technician, form, formsets, title=title)
        technician = self.save(form, *formsets)
        messages.success(request, f"Saved {technician.name}.")
        return redirect("skills:technician_detail", pk=technician.pk)

    @transaction.atomic
    def save(self, form, skills, certifications):
        if form.instance.pk:
            technician = technician_update(technician=form.instance, **form.cleaned_data)
        else:
            technician = technician_create(**form.cleaned_data)
        # Each row was validated by its model form (full_clean, which also fills in a
        # certification's default expiry date); saving the formsets writes exactly those rows.
        skills.instance = certifications.instance = technician
        skills.save()
        certifications.save()
        return technician

    def render_forms(self, technician, form, formsets, title=""):
        skills, certifications = formsets
        context = self.get_context_data(
            technician=technician,
            title=title or str(technician),
            form=form,
            skills=skills,
            certifications=certifications,
        )
        return self.render_to_response(context)


class TechnicianCreateView(TechnicianFormView):
    permission_action = "add"

    def get_technician(self):
        return Technician()


class TechnicianUpdateView(TechnicianFormView):
    permission_action = "change"

    def get_technician(self):
        return selectors.technician_get(
            user=self.request.user, pk=self.kwargs["pk"], day=timezone.localdate()
        )


class SkillCatalogView(ModelPermissionMixin, FilterView):
    model = Skill
    filterset_class = SkillFilter
    template_name = "skills/skill_catalog.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.skill_catalog(user=self.request.user, day=timezone.localdate())
