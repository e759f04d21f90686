"""My skills (a technician's own page) and the proposals made from it. Each page finds the
technician through the login (404 without one) and each proposal through a selector scoped to
who asks, so no id in a URL reaches someone else's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.forms import apply_validation_error
from core.permissions import ModelPermissionMixin, perm_name
from core.selectors import coverage_defaults
from skills import selectors as skill_selectors
from skills.models import SkillProposal, TechnicianSkill
from skills.proposals import selectors, services
from skills.proposals.forms import CertificationProposalForm, SkillProposalForm
from skills.services import technician_skill_confirm
from skills.team_time.selectors import technician_time_off, technician_week

NO_TECHNICIAN = "No technician is linked to your login: ask a consultant to link it."


class OwnTechnicianMixin:
    def get_technician(self):
        technician = selectors.own_technician(self.request.user)
        if technician is None:
            raise Http404(NO_TECHNICIAN)
        return technician


class MySkillsView(OwnTechnicianMixin, TemplateView):
    """What is recorded of the technician who logs in (skills, certifications, working hours,
    time off, on-call turns, training goals) and their proposals."""

    template_name = "skills/my_skills.html"

    def get_context_data(self, **kwargs):
        technician = self.get_technician()
        day = timezone.localdate()
        warning_days = coverage_defaults().warning_days
        return super().get_context_data(
            technician=technician,
            skills=skill_selectors.technician_skills(technician=technician),
            certifications=skill_selectors.technician_certifications(
                technician=technician, day=day, warning_days=warning_days
            ),
            training_goals=skill_selectors.technician_training_goals(technician=technician),
            skills_due=skill_selectors.skills_due_for_review(technician, day=day),
            review_months=settings.SKILL_REVIEW_MONTHS,
            week=technician_week(technician=technician),
            time_off=technician_time_off(technician=technician, day=day),
            on_call=selectors.technician_on_call_turns(technician=technician, now=timezone.now()),
            proposals=selectors.technician_proposals(technician=technician),
            **kwargs,
        )


class MySkillConfirmView(PermissionRequiredMixin, View):
    """ "Still accurate": a technician confirms one of their own skills as it stands, which
    starts a new review period; anyone else's is not found."""

    model = TechnicianSkill
    permission_required = perm_name(SkillProposal, "add")
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        held = get_object_or_404(
            TechnicianSkill.objects.filter(technician__user=request.user).select_related("skill"),
            pk=self.kwargs["pk"],
        )
        technician_skill_confirm(technician_skill=held, user=request.user)
        messages.success(
            request, f"Confirmed your {held.skill.name} at level {held.level} as still accurate."
        )
        return redirect("skills:my_skills")


class ProposalCreateView(OwnTechnicianMixin, ModelPermissionMixin, TemplateView):
    model = SkillProposal
    permission_action = "add"
    template_name = "skills/proposal_form.html"
    form_class = None
    heading = ""

    def get(self, request, *args, **kwargs):
        technician = self.get_technician()
        return self.render_to_response(
            self.get_context_data(
                technician=technician, form=self.form_class(), heading=self.heading
            )
        )

    def post(self, request, *args, **kwargs):
        technician = self.get_technician()
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                proposal = services.skill_proposal_create(
                    technician=technician, proposed_by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    f"Proposed: {proposal.change_text}. A skill approver will decide; your "
                    "recorded skills stay as they are until then.",
                )
                return redirect("skills:my_skills")
        return self.render_to_response(
            self.get_context_data(technician=technician, form=form, heading=self.heading)
        )


class SkillProposalCreateView(ProposalCreateView):
    form_class = SkillProposalForm
    heading = "Propose a skill or level"


class CertificationProposalCreateView(ProposalCreateView):
    form_class = CertificationProposalForm
    heading = "Propose a certification"


class ProposalWithdrawView(ModelPermissionMixin, View):
    model = SkillProposal
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        proposal = selectors.own_proposal_get(user=request.user, pk=self.kwargs["pk"])
        try:
            services.skill_proposal_withdraw(proposal=proposal)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Withdrew your proposal: {proposal.change_text}.")
        return redirect("skills:my_skills")


class ProposalEvidenceView(View):
    """A proposal's evidence file, to its technician, skill approvers and consultants only:
    always as a download (never shown inline) and never sniffed into another type."""

    model = SkillProposal
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        proposal = selectors.proposal_get(user=request.user, pk=self.kwargs["pk"])
        if not proposal.evidence:
            raise Http404("This proposal has no evidence file.")
        try:
            handle = proposal.evidence.open("rb")
        except FileNotFoundError:
            raise Http404("The evidence file is missing.") from None
        response = FileResponse(
            handle, as_attachment=True, filename=proposal.evidence_name or proposal.evidence.name
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
