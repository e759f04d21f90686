"""Competitors, the gap analysis, the plan of attack and the what-if page.

Thin views: they authorize, call a selector or a service, and render. Every object comes from
`visible_to(user, model)`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agreements import gaps, plan, services, whatif
from agreements.forms_gaps import (
    OFFERING_FIELDS,
    PLAN_HORIZON_DAYS,
    AddToPlanForm,
    CompetitorForm,
    GoalCompleteForm,
    gap_initial,
    goal_complete_initial,
    offering_formset,
)
from agreements.models import Agreement, Competitor, CompetitorOffering
from agreements.selectors import technicians_available_to
from core.forms import apply_validation_error, formset_changes
from core.permissions import can_add, can_change, perm_name, visible_to
from skills.models import Certification, Technician, TechnicianSkill, TrainingGoal
from skills.selectors import technicians_without_baseline
from skills.training import (
    baseline_plan_rows,
    training_goal_cancel,
    training_goal_create,
    training_goal_start,
    training_goals_for_plan,
)

PAGE_SIZE = 25
PLAN_HORIZON = datetime.timedelta(days=PLAN_HORIZON_DAYS)
CLOSED_GOALS_SHOWN = 30


def _baseline_context(request, today, *, can_plan):
    """Technicians without a baseline certification, for the card on the gap and plan pages.

    Three queries: the technicians, their open baseline goals, the baseline certifications.
    """
    technicians = technicians_without_baseline(day=today).filter(
        pk__in=visible_to(request.user, Technician).values("pk")
    )
    baseline = visible_to(request.user, Certification).filter(is_baseline=True).order_by("name")
    return {
        "baseline_rows": baseline_plan_rows(technicians),
        "baseline_certification": baseline.first(),
        "can_plan": can_plan,
        "due_default": today + PLAN_HORIZON,
    }


# ------------------------------------------------------------------------------ competitors


@permission_required(perm_name(Competitor, "view"), raise_exception=True)
def competitor_list(request):
    offerings = CompetitorOffering.objects.select_related("service").order_by(
        "service__name", "name"
    )
    competitors = (
        visible_to(request.user, Competitor)
        .annotate(offering_count=Count("offerings"))
        .prefetch_related(Prefetch("offerings", queryset=offerings))
        .order_by("name")
    )
    page = Paginator(competitors, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "gaps/competitor_list.html",
        {
            "page": page,
            "can_add": can_add(request.user, Competitor),
            "can_edit": can_change(request.user, Competitor),
        },
    )


def _competitor_form_page(request, competitor):
    is_new = competitor is None
    if request.method == "POST":
        form = CompetitorForm(request.POST, instance=competitor)
        formset = offering_formset(
            request.user, request.POST, instance=competitor, prefix="offerings"
        )
        if form.is_valid() and formset.is_valid():
            added, changed, removed = formset_changes(formset, OFFERING_FIELDS)
            try:
                saved = services.competitor_save(
                    competitor=competitor,
                    fields={name: form.cleaned_data[name] for name in CompetitorForm.Meta.fields},
                    offerings_added=added,
                    offerings_changed=changed,
                    offerings_removed=removed,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                verb = "added" if is_new else "saved"
                messages.success(request, f"Competitor “{saved.name}” {verb}.")
                return redirect("gaps:competitors")
    else:
        form = CompetitorForm(instance=competitor)
        formset = offering_formset(request.user, instance=competitor, prefix="offerings")
    return render(
        request,
        "gaps/competitor_form.html",
        {"form": form, "formset": formset, "competitor": competitor},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perm_name(Competitor, "add"), raise_exception=True)
def competitor_create(request):
    return _competitor_form_page(request, None)


@require_http_methods(["GET", "POST"])
@permission_required(perm_name(Competitor, "change"), raise_exception=True)
def competitor_edit(request, pk):
    competitor = get_object_or_404(visible_to(request.user, Competitor), pk=pk)
    return _competitor_form_page(request, competitor)


# ------------------------------------------------------------------------------ gap analysis


@permission_required(perm_name(Competitor, "view"), raise_exception=True)
def gap_analysis(request):
    today = timezone.localdate()
    rows = gaps.competitor_gaps(day=today)
    can_plan = can_add(request.user, TrainingGoal)
    forms = [None] * len(rows)
    if can_plan and rows:
        choices = gaps.plan_choices(day=today)
        forms = []
        for index, gap in enumerate(rows, start=1):
            form = AddToPlanForm(
                initial=gap_initial(gap, day=today),
                user=request.user,
                day=today,
                auto_id=f"gap{index}_%s",
            )
            form.use_choices(choices, skill_ids=[skill.skill_id for skill in gap.skills])
            forms.append(form)
    return render(
        request,
        "gaps/gap_analysis.html",
        {
            "rows": list(zip(rows, forms, strict=True)),
            "gap_count": sum(1 for gap in rows if gap.is_gap),
            "competitor_count": visible_to(request.user, Competitor).count(),
            "can_add_competitor": can_add(request.user, Competitor),
            "today": today,
            **_baseline_context(request, today, can_plan=can_plan),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perm_name(TrainingGoal, "add"), raise_exception=True)
def add_to_plan(request):
    today = timezone.localdate()
    if request.method == "GET":
        form = AddToPlanForm(
            initial={"due_date": today + PLAN_HORIZON, **request.GET.dict()},
            user=request.user,
            day=today,
        )
        form.use_choices(gaps.plan_choices(day=today))
        return render(request, "gaps/add_to_plan.html", {"form": form})

    form = AddToPlanForm(request.POST, user=request.user, day=today)
    if form.is_valid():
        fields = form.goal_fields()
        try:
            with transaction.atomic():
                goals = [
                    training_goal_create(technician=technician, **fields)
                    for technician in form.cleaned_data["technicians"]
                ]
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            names = ", ".join(goal.technician.name for goal in goals)
            target = goals[0].target
            messages.success(
                request,
                f"Added to the plan: {target} for {names}, due {fields['due_date']:%Y-%m-%d}.",
            )
            return redirect("gaps:plan")
    form.use_choices(gaps.plan_choices(day=today))
    return render(request, "gaps/add_to_plan.html", {"form": form})


# ------------------------------------------------------------------------------ plan of attack


@permission_required(perm_name(TrainingGoal, "view"), raise_exception=True)
def plan_of_attack(request):
    today = timezone.localdate()
    goals = visible_to(request.user, TrainingGoal)
    open_goals = list(training_goals_for_plan(goals.filter(status__in=TrainingGoal.OPEN_STATUSES)))
    closed_goals = list(
        training_goals_for_plan(goals.exclude(status__in=TrainingGoal.OPEN_STATUSES)).order_by(
            "-updated_at", "-pk"
        )[:CLOSED_GOALS_SHOWN]
    )
    sections = []
    for status, label in TrainingGoal.Status.choices:
        source = open_goals if status in TrainingGoal.OPEN_STATUSES else closed_goals
        rows = [
            {
                "goal": goal,
                "target": goal.target,
                "overdue": goal.is_open and goal.due_date < today,
            }
            for goal in source
            if goal.status == status
        ]
        sections.append({"status": status, "label": label, "rows": rows})
    return render(
        request,
        "gaps/plan.html",
        {
            "sections": sections,
            "overdue_count": sum(1 for g in open_goals if g.due_date < today),
            "open_count": len(open_goals),
            "can_edit": can_change(request.user, TrainingGoal),
            "closed_limit": CLOSED_GOALS_SHOWN,
            **_baseline_context(request, today, can_plan=can_add(request.user, TrainingGoal)),
        },
    )


def _goal(request, pk):
    return get_object_or_404(
        visible_to(request.user, TrainingGoal).select_related(
            "technician", "skill", "target_version", "certification"
        ),
        pk=pk,
    )


@require_POST
@permission_required(perm_name(TrainingGoal, "change"), raise_exception=True)
def goal_start(request, pk):
    goal = _goal(request, pk)
    try:
        training_goal_start(goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Started: {goal.target} for {goal.technician}.")
    return redirect("gaps:plan")


@require_POST
@permission_required(perm_name(TrainingGoal, "change"), raise_exception=True)
def goal_cancel(request, pk):
    goal = _goal(request, pk)
    try:
        training_goal_cancel(goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Cancelled: {goal.target} for {goal.technician}.")
    return redirect("gaps:plan")


@require_http_methods(["GET", "POST"])
@permission_required(perm_name(TrainingGoal, "change"), raise_exception=True)
def goal_done(request, pk):
    goal = _goal(request, pk)
    if not goal.is_open:
        messages.info(request, f"This goal is already {goal.get_status_display().lower()}.")
        return redirect("gaps:plan")
    today = timezone.localdate()
    current_skill = (
        visible_to(request.user, TechnicianSkill)
        .select_related("oldest_version", "newest_version")
        .filter(technician=goal.technician, skill_id=goal.skill_id)
        .first()
        if goal.skill_id
        else None
    )
    if request.method == "POST":
        form = GoalCompleteForm(request.POST, goal=goal, user=request.user)
        if form.is_valid():
            try:
                resolved = plan.training_goal_complete(
                    goal=goal, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                still_open = plan.open_flags_for_goal(goal=goal)
                messages.success(request, _done_message(goal, resolved, still_open))
                return redirect("gaps:plan")
    else:
        form = GoalCompleteForm(
            initial=goal_complete_initial(goal, current_skill=current_skill, day=today),
            goal=goal,
            user=request.user,
        )
    affected = visible_to(request.user, Agreement).filter(
        pk__in=plan.affected_agreement_ids(goal=goal, day=today)
    )
    return render(
        request,
        "gaps/goal_done.html",
        {
            "goal": goal,
            "target": goal.target,
            "form": form,
            "current_skill": current_skill,
            "affected_agreements": affected.select_related("client").order_by("client__name"),
        },
    )


def _done_message(goal, resolved, still_open) -> str:
    parts = [f"Done: {goal.target} for {goal.technician}. Coverage recomputed."]
    if resolved:
        items = "; ".join(
            f"{flag.requirement_label} for {flag.agreement.client.name}" for flag in resolved
        )
        parts.append(f"Resolved: {items}.")
    else:
        parts.append("No open flag was resolved.")
    if still_open:
        items = "; ".join(
            f"{flag.requirement_label} for {flag.agreement.client.name} "
            f"({flag.get_status_display().lower()}: {flag.reason})"
            for flag in still_open
        )
        parts.append(f"Still open: {items}.")
    return " ".join(parts)


# ------------------------------------------------------------------------------ what-if


@permission_required(perm_name(Agreement, "view"), raise_exception=True)
def what_if(request):
    today = timezone.localdate()
    technicians = list(technicians_available_to(request.user, day=today).values_list("pk", "name"))
    known = dict(technicians)
    chosen = []
    for value in request.GET.getlist("technician"):
        if value.isdigit() and int(value) in known and int(value) not in chosen:
            chosen.append(int(value))
    result = whatif.what_if_technicians_leave(technician_ids=chosen, day=today) if chosen else None
    return render(
        request,
        "gaps/what_if.html",
        {
            "technicians": technicians,
            "chosen": chosen,
            "chosen_names": [known[pk] for pk in chosen],
            "result": result,
            "today": today,
        },
    )
