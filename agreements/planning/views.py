"""Competitors, the gap analysis, the plan of attack and the what-if page.

Thin views: they authorize, call a selector or a service, and render. Every object comes from
`visible_to(user, model)`.
"""

import copy
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from agreements.coverage.models import CoverageStatus
from agreements.models import Agreement
from agreements.planning import gaps, programmes, prospect_check, selectors, services, whatif
from agreements.planning.forms import (
    AddToPlanForm,
    CompetitorForm,
    GoalCompleteForm,
    GoalEditForm,
    ProspectCheckForm,
    WhatIfForm,
    offering_formset,
)
from agreements.planning.models import Competitor, CompetitorOffering
from core.bounds import id_or_none
from core.formatting import day_text
from core.forms import apply_validation_error
from core.permissions import ModelPermissionMixin, can_add, can_change, perm_name, visible_to
from core.selectors import coverage_defaults
from core.views import ParentWithFormsetsView
from skills.models import PartnerProgram, Technician, TrainingGoal
from skills.selectors import technicians_available_to
from skills.services import (
    training_goal_cancel,
    training_goal_create,
    training_goal_start,
    training_goal_update,
)

PAGE_SIZE = 25
WHAT_IF_ROWS = 25  # what-if: agreements per page of each list

# ------------------------------------------------------------------------------ competitors


class CompetitorListView(ModelPermissionMixin, ListView):
    model = Competitor
    template_name = "planning/competitor_list.html"
    paginate_by = PAGE_SIZE
    page_kwarg = "page"

    def get_queryset(self):
        offerings = CompetitorOffering.objects.select_related("service").order_by(
            "service__name", "name"
        )
        return (
            super()
            .get_queryset()
            .annotate(offering_count=Count("offerings"))
            .prefetch_related(Prefetch("offerings", queryset=offerings))
            .order_by("name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        return {
            **context,
            "page": context["page_obj"],
            "can_add": can_add(user, Competitor),
            "can_edit": can_change(user, Competitor),
        }


class CompetitorFormView(ParentWithFormsetsView):
    """Create or edit a competitor with what they offer in one form."""

    model = Competitor
    template_name = "planning/competitor_form.html"
    form_class = CompetitorForm
    context_object_name = "competitor"
    formset_names = ("formset",)
    success_url = "planning:competitor_list"

    def get_formsets(self, competitor, data=None):
        return (offering_formset(self.request.user, data, instance=competitor, prefix="offerings"),)

    def save(self, competitor, form, changes):
        return services.competitor_save(
            competitor=competitor, fields=form.cleaned_data, offerings=changes["formset"]
        )

    def success_message(self, competitor, *, created):
        return f"Competitor “{competitor.name}” {'added' if created else 'saved'}."

    def get_success_url(self, competitor):
        # Competitors are read on their list; there is no page of one.
        return reverse(self.success_url)


class CompetitorCreateView(CompetitorFormView):
    permission_action = "add"

    def get_object(self):
        return Competitor()


class CompetitorUpdateView(CompetitorFormView):
    permission_action = "change"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


# ------------------------------------------------------------------------------ gap analysis


class GapAnalysisView(ModelPermissionMixin, TemplateView):
    model = Competitor
    template_name = "planning/gap_analysis.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        rows = gaps.competitor_gaps(day=today)
        can_plan = can_add(user, TrainingGoal)
        forms = [None] * len(rows)
        if can_plan and rows:
            choices = selectors.plan_choices(day=today)
            forms = []
            for index, gap in enumerate(rows, start=1):
                form = AddToPlanForm(
                    initial=selectors.gap_goal_defaults(gap, day=today),
                    user=user,
                    day=today,
                    auto_id=f"gap{index}_%s",
                )
                form.use_choices(choices, skill_ids=[skill.skill_id for skill in gap.skills])
                forms.append(form)
        return super().get_context_data(
            rows=list(zip(rows, forms, strict=True)),
            gap_count=sum(1 for gap in rows if gap.is_gap),
            competitor_count=visible_to(user, Competitor).count(),
            can_add_competitor=can_add(user, Competitor),
            can_plan=can_plan,
            today=today,
            rota_plan=gaps.rota_proposals(),
            programmes_short=selectors.programmes_short(),
            **selectors.baseline_gaps(user=user, day=today, page=self.request.GET.get("bpage")),
            **kwargs,
        )


# ------------------------------------------------------------------------------ plan of attack


class AddToPlanView(ModelPermissionMixin, TemplateView):
    model = TrainingGoal
    permission_action = "add"
    template_name = "planning/add_to_plan.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        initial = {"due_date": selectors.default_due_date(today), **request.GET.dict()}
        # Hints of what to plan for: one that is not an id of a row is ignored.
        requirement_id = id_or_none(request.GET.get("requirement"))
        agreement = None
        if requirement_id is not None:
            initial.update(
                selectors.plan_prefill(user=request.user, requirement_id=requirement_id, day=today)
            )
            agreement = initial.pop("agreement", None)
        ending_id = id_or_none(request.GET.get("end_of_support"))
        if ending_id is not None:
            initial.update(
                selectors.end_of_support_plan_prefill(
                    user=request.user, row_id=ending_id, day=today
                )
            )
        form = AddToPlanForm(initial=initial, user=request.user, day=today)
        return self.render_form(
            form, today, agreement=agreement, from_end_of_support=ending_id is not None
        )

    def post(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = AddToPlanForm(request.POST, user=request.user, day=today)
        if form.is_valid():
            fields = form.goal_fields()
            try:
                with transaction.atomic():
                    goals = [
                        training_goal_create(technician=technician, **fields)
                        for technician in form.cleaned_data["technicians"]
                    ]
                    requirement = form.cleaned_data["requirement"]
                    if requirement is not None:
                        for goal in goals:
                            services.planned_requirement_link(goal=goal, requirement=requirement)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                names = ", ".join(goal.technician.name for goal in goals)
                messages.success(
                    request,
                    f"Added to the plan: {goals[0].target} for {names}, "
                    f"due {day_text(fields['due_date'])}.",
                )
                return redirect("planning:plan")
        return self.render_form(form, today)

    def render_form(self, form, today, agreement=None, from_end_of_support=False):
        """The form; `agreement` is the one of the flag it came from, to go back to, and
        `from_end_of_support` says it came from a version reaching end of support."""
        form.use_choices(selectors.plan_choices(day=today))
        return self.render_to_response(
            self.get_context_data(
                form=form, agreement=agreement, from_end_of_support=from_end_of_support
            )
        )


class ProgrammePlanView(ModelPermissionMixin, TemplateView):
    """ "Add to plan" for a partner programme: the goals that keep its tier through the warning
    window, as the team stands today, each ticked; the ticked ones become goals at once. The
    URL names the programme; the page needs the permission to add training goals."""

    model = PartnerProgram
    template_name = "planning/programme_plan.html"

    def get_permission_required(self):
        return (perm_name(TrainingGoal, "add"),)

    def get_plan(self) -> programmes.ProgrammePlan:
        programme = get_object_or_404(
            visible_to(self.request.user, PartnerProgram), pk=self.kwargs["pk"]
        )
        return programmes.programme_plan(
            programme=programme,
            day=timezone.localdate(),
            warning_days=coverage_defaults().warning_days,
        )

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        chosen = {proposal.key for proposal in plan.proposals}
        return self.render_to_response(self.get_context_data(plan=plan, chosen=chosen))

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        chosen = set(request.POST.getlist("goals"))
        proposals = [proposal for proposal in plan.proposals if proposal.key in chosen]
        if not proposals:
            messages.error(request, "Nothing was added: tick at least one of the goals below.")
            return self.render_to_response(self.get_context_data(plan=plan, chosen=chosen))
        technicians = Technician.objects.in_bulk([p.technician_id for p in proposals])
        with transaction.atomic():
            for proposal in proposals:
                training_goal_create(
                    technician=technicians[proposal.technician_id],
                    due_date=proposal.due_date,
                    certification_id=proposal.certification_id,
                    skill_id=proposal.skill_id,
                    target_level=proposal.target_level if proposal.skill_id else None,
                    reason=proposal.reason,
                )
        messages.success(
            request,
            f"Added {len(proposals)} goal{pluralize(len(proposals))} to keep {plan.programme}: "
            + "; ".join(f"{p.technician_name}, {p.target}" for p in proposals)
            + ".",
        )
        return redirect("planning:plan")


class PlanView(ModelPermissionMixin, TemplateView):
    model = TrainingGoal
    template_name = "planning/plan.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        return super().get_context_data(
            **selectors.plan_sections(
                user=user,
                day=today,
                pages={
                    status: self.request.GET.get(f"{status}_page")
                    for status in TrainingGoal.OPEN_STATUSES
                },
            ),
            can_edit=can_change(user, TrainingGoal),
            can_plan=can_add(user, TrainingGoal),
            rota_plan=gaps.rota_proposals(),
            programmes_short=selectors.programmes_short(),
            **selectors.baseline_gaps(user=user, day=today, page=self.request.GET.get("bpage")),
            **kwargs,
        )


class GoalMixin(ModelPermissionMixin):
    model = TrainingGoal
    permission_action = "change"

    def get_goal(self):
        return get_object_or_404(
            self.get_queryset().select_related(
                "technician", "skill", "target_version", "certification"
            ),
            pk=self.kwargs["pk"],
        )


class GoalTransitionView(GoalMixin, View):
    """POST only: move a goal along (start, cancel) through its service."""

    http_method_names = ["post"]
    transition = None  # the service, as a staticmethod
    done_verb = ""

    def post(self, request, *args, **kwargs):
        goal = self.get_goal()
        try:
            self.transition(goal=goal)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.done_verb}: {goal.target} for {goal.technician}.")
        return redirect("planning:plan")


class GoalStartView(GoalTransitionView):
    transition = staticmethod(training_goal_start)
    done_verb = "Started"


class GoalCancelView(GoalTransitionView):
    transition = staticmethod(training_goal_cancel)
    done_verb = "Cancelled"


class GoalUpdateView(GoalMixin, TemplateView):
    """Edit an open goal: its target, due date, reason and cost."""

    template_name = "planning/goal_form.html"

    def get(self, request, *args, **kwargs):
        goal = self.get_goal()
        if not goal.is_open:
            messages.info(request, "This goal is closed; it can no longer be edited.")
            return redirect("planning:plan")
        return self.render_to_response(
            self.get_context_data(goal=goal, form=GoalEditForm(instance=goal, user=request.user))
        )

    def post(self, request, *args, **kwargs):
        goal = self.get_goal()
        # The form works on a copy: a refused edit leaves the goal as it is.
        form = GoalEditForm(request.POST, instance=copy.copy(goal), user=request.user)
        if form.is_valid():
            try:
                training_goal_update(goal=goal, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"Saved: {goal.target} for {goal.technician}.")
                return redirect("planning:plan")
        return self.render_to_response(self.get_context_data(goal=goal, form=form))


class GoalDoneView(GoalMixin, TemplateView):
    """Record what the technician achieved, mark the goal done and recompute coverage."""

    template_name = "planning/goal_done.html"

    def closed_goal_redirect(self):
        """Load the goal; a redirect to the plan when it is no longer open."""
        self.goal = self.get_goal()
        if not self.goal.is_open:
            state = self.goal.get_status_display().lower()
            messages.info(self.request, f"This goal is already {state}.")
            return redirect("planning:plan")
        self.current_skill = selectors.goal_current_skill(goal=self.goal, user=self.request.user)
        return None

    def get(self, request, *args, **kwargs):
        if closed := self.closed_goal_redirect():
            return closed
        initial = selectors.goal_completion_defaults(
            self.goal, current_skill=self.current_skill, day=timezone.localdate()
        )
        form = GoalCompleteForm(initial=initial, goal=self.goal, user=request.user)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if closed := self.closed_goal_redirect():
            return closed
        goal = self.goal
        form = GoalCompleteForm(request.POST, goal=goal, user=request.user)
        if form.is_valid():
            try:
                outcome = services.training_goal_complete(
                    goal=goal, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _done_message(goal, outcome))
                return redirect("planning:plan")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        affected = visible_to(self.request.user, Agreement).filter(
            pk__in=selectors.affected_agreement_ids(goal=self.goal, day=timezone.localdate())
        )
        return super().get_context_data(
            goal=self.goal,
            target=self.goal.target,
            current_skill=self.current_skill,
            affected_agreements=affected.select_related("client").order_by("client__name"),
            **kwargs,
        )


def _done_message(goal, outcome) -> str:
    parts = [
        f"Done: {goal.target} for {goal.technician}. Coverage recomputed; a coverage check "
        "records it."
    ]
    if outcome.resolving:
        items = "; ".join(
            f"{flag.requirement_label} for {flag.agreement.client.name}"
            for flag in outcome.resolving
        )
        parts.append(f"Resolved: {items}.")
    else:
        parts.append("No open flag was resolved.")
    if outcome.still_open:
        items = "; ".join(
            f"{flag.requirement_label} for {flag.agreement.client.name} "
            f"({CoverageStatus(coverage.status).label.lower()}: {coverage.reason})"
            for flag, coverage in outcome.still_open
        )
        parts.append(f"Still open: {items}.")
    return " ".join(parts)


# ------------------------------------------------------------------------------ what-if


class WhatIfView(ModelPermissionMixin, TemplateView):
    model = Agreement
    template_name = "planning/what_if.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = WhatIfForm(
            self.request.GET or None,
            technicians=technicians_available_to(self.request.user, day=today),
        )
        chosen = form.chosen()
        technician_ids = [pk for pk, _ in chosen]
        result = whatif.what_if_page(technician_ids=technician_ids, day=today) if chosen else None
        pages = {}
        if result is not None:
            for name in ("changes", "thinner"):
                pages[f"{name}_page"] = Paginator(getattr(result, name), WHAT_IF_ROWS).get_page(
                    self.request.GET.get(f"{name}_page")
                )
            changes, thinner = pages["changes_page"], pages["thinner_page"]
            shown = whatif.what_if_rows_detailed(
                [*changes, *thinner], technician_ids=technician_ids, day=today
            )
            pages["changes_rows"] = shown[: len(changes)]
            pages["thinner_rows"] = shown[len(changes) :]
        return super().get_context_data(
            form=form,
            chosen_names=[name for _, name in chosen],
            result=result,
            today=today,
            **pages,
            **kwargs,
        )


# ------------------------------------------------------------------------------ pre-sale check


class ProspectCheckView(ModelPermissionMixin, TemplateView):
    """ "Can we deliver this deal?" for a prospect: the verdict and a training plan, computed
    without writing anything; then, on request, the plan added or the client created."""

    model = Agreement
    template_name = "planning/prospect_check.html"

    def get(self, request, *args, **kwargs):
        form = ProspectCheckForm(user=request.user, initial={"start_date": _in_a_month()})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ProspectCheckForm(request.POST, user=request.user)
        action = request.POST.get("action", "check")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        prospect = form.prospect()
        if action == "create":
            if not can_add(request.user, Agreement):
                raise PermissionDenied
            if not prospect.name:
                form.add_error("name", "Give the prospect's name to create the client.")
                return self.render_to_response(self.get_context_data(form=form))
            try:
                agreement = prospect_check.prospect_client_create(prospect=prospect)
            except ValidationError as error:
                apply_validation_error(form, error)
                return self.render_to_response(self.get_context_data(form=form))
            messages.success(request, f"Created {agreement.client.name} and a draft agreement.")
            return redirect("agreements:detail", pk=agreement.pk)
        result = prospect_check.prospect_check(prospect=prospect, day=timezone.localdate())
        if action == "plan" and result.plan:
            if not can_add(request.user, TrainingGoal):
                raise PermissionDenied
            name = prospect.name or "a prospect"
            count = prospect_check.prospect_plan_add(
                result=result,
                reason=f"Pre-sale check for {name}, starting {day_text(prospect.start_date)}",
            )
            messages.success(request, f"Added {count} training goal{pluralize(count)} to the plan.")
            return redirect("planning:plan")
        return self.render_to_response(self.get_context_data(form=form, result=result))


def _in_a_month():
    return timezone.localdate() + datetime.timedelta(days=30)
