import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from agreements import manual_run, pages
from agreements.coverage import SEVERITY, evaluate_coverage
from agreements.filters import AgreementFilter
from agreements.forms import REQUIREMENT_FIELDS, AgreementForm, requirement_formset
from agreements.models import Agreement, CoverageFlag, CoverageRun
from agreements.nightly import coverage_report_build, flag_acknowledge
from agreements.services import (
    agreement_create,
    agreement_services_set,
    agreement_update,
    requirement_create,
    requirement_remove,
    requirement_update,
)
from clients.models import Client
from core.forms import formset_changes
from core.permissions import ModelPermissionMixin, visible_to

PAGE_SIZE = 25
QUEUED_AT_KEY = "coverage_check_queued_at"


def _queued_at(request) -> datetime.datetime | None:
    value = request.session.get(QUEUED_AT_KEY)
    return parse_datetime(value) if value else None


# ------------------------------------------------------------------------------ dashboard


class DashboardView(ModelPermissionMixin, TemplateView):
    model = Agreement
    template_name = "agreements/dashboard.html"
    flags_per_page = 10

    def get(self, request, *args, **kwargs):
        day = timezone.localdate()
        check_state = manual_run.coverage_check_state(day=day, queued_at=_queued_at(request))
        if check_state == "finished":
            del request.session[QUEUED_AT_KEY]
            messages.success(request, "The coverage check has finished; the figures are current.")
        context = self.get_context_data(day=day, check_state=check_state, **kwargs)
        return self.render_to_response(context)

    def get_context_data(self, *, day, **kwargs):
        user = self.request.user
        flags = pages.open_flags(visible_to(user, CoverageFlag))
        return super().get_context_data(
            dashboard=pages.dashboard_build(day=day, agreements=visible_to(user, Agreement)),
            flags_page=Paginator(flags, self.flags_per_page).get_page(self.request.GET.get("page")),
            **kwargs,
        )


class CoverageRunNowView(ModelPermissionMixin, View):
    """Queue a coverage check for today; the dashboard shows it running until it finishes."""

    model = CoverageRun
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request):
        manual_run.coverage_check_queue(day=timezone.localdate())
        request.session[QUEUED_AT_KEY] = timezone.now().isoformat()
        return redirect("agreements:dashboard")


class CoverageStatusView(ModelPermissionMixin, View):
    """JSON for the dashboard's poll: {"state": "idle" | "running" | "finished", "run": …}."""

    model = CoverageRun
    http_method_names = ["get"]

    def get(self, request):
        run = visible_to(request.user, CoverageRun).filter(run_date=timezone.localdate()).first()
        state = manual_run.check_state(
            queued_at=_queued_at(request), finished_at=run and run.finished_at
        )
        return JsonResponse(
            {
                "state": state,
                "run": run
                and {
                    "run_date": run.run_date.isoformat(),
                    "finished_at": run.finished_at and run.finished_at.isoformat(),
                    "email_status": run.email_status,
                },
            }
        )


class FlagAcknowledgeView(ModelPermissionMixin, View):
    model = CoverageFlag
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        flag = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            flag_acknowledge(flag=flag, user=request.user)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Flag acknowledged: {flag.requirement_label}.")
        return redirect(_safe_next(request) or "agreements:dashboard")


def _safe_next(request) -> str | None:
    """A same-site URL to go back to after a POST, from the form's "next" field."""
    target = request.POST.get("next", "")
    is_safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if is_safe else None


# ------------------------------------------------------------------------------ agreements


class AgreementListView(ModelPermissionMixin, ListView):
    model = Agreement
    template_name = "agreements/agreement_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        user = self.request.user
        visible = super().get_queryset()
        result = evaluate_coverage(
            day=timezone.localdate(), agreement_ids=visible.values_list("pk", flat=True)
        )
        self.coverage_statuses = pages.coverage_statuses(result)
        self.filterset = AgreementFilter(
            self.request.GET or None,
            queryset=visible.select_related("client"),
            coverage_statuses=self.coverage_statuses,
            client_queryset=visible_to(user, Client).order_by("name"),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        context.update(
            filter=self.filterset,
            rows=[(agreement, self.coverage_statuses.get(agreement.pk)) for agreement in rows],
            total_annual_value=self.object_list.aggregate(total=Sum("annual_value"))["total"] or 0,
        )
        return context


class AgreementDetailView(ModelPermissionMixin, DetailView):
    model = Agreement
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "owner")

    def get_context_data(self, **kwargs):
        agreement = self.object
        day = timezone.localdate()
        result = evaluate_coverage(day=day, agreement_ids=[agreement.pk])
        coverage = result.agreements[0] if result.agreements else None
        by_requirement = {r.requirement_id: r for r in coverage.requirements} if coverage else {}
        requirements = agreement.requirements.select_related(
            "skill", "version", "certification", "service"
        )
        return super().get_context_data(
            day=day,
            coverage=coverage,
            requirement_rows=sorted(
                ((r, by_requirement.get(r.pk)) for r in requirements),
                key=lambda row: -SEVERITY.get(row[1].status if row[1] else "", -1),
            ),
            services=[
                link.service for link in agreement.agreement_services.select_related("service")
            ],
            flags=pages.open_flags(visible_to(self.request.user, CoverageFlag)).filter(
                agreement=agreement
            ),
            **kwargs,
        )


class AgreementFormView(ModelPermissionMixin, TemplateView):
    """Create or edit an agreement: its terms, its services and its manual requirements."""

    model = Agreement
    template_name = "agreements/agreement_form.html"

    def get_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        form = AgreementForm(
            data,
            instance=self.object,
            client_queryset=visible_to(self.request.user, Client).order_by("name"),
        )
        return form, requirement_formset(data=data, agreement=self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    agreement = self.save(form)
                    _save_requirements(formset, agreement)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"Agreement {agreement.reference} saved.")
                return redirect("agreements:detail", pk=agreement.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        return super().get_context_data(agreement=self.object, **kwargs)


class AgreementCreateView(AgreementFormView):
    permission_action = "add"

    def forms(self, data=None):
        form, formset = super().forms(data)
        form.initial.setdefault("owner", self.request.user.pk)
        return form, formset

    def save(self, form):
        return agreement_create(**form.terms(), services=form.cleaned_data["services"])


class AgreementUpdateView(AgreementFormView):
    permission_action = "change"

    def get_object(self):
        return get_object_or_404(self.get_queryset().select_related("client"), pk=self.kwargs["pk"])

    def save(self, form):
        # The form already wrote its values onto the instance; the service validates and saves.
        agreement = agreement_update(agreement=self.object, **form.terms())
        agreement_services_set(agreement=agreement, services=form.cleaned_data["services"])
        return agreement


def _save_requirements(formset, agreement):
    """Hand each changed row of the manual requirements formset to the matching service."""
    added, changed, removed = formset_changes(formset, REQUIREMENT_FIELDS)
    for requirement in removed:
        requirement_remove(requirement=requirement)
    for requirement, fields in changed:
        requirement_update(requirement=requirement, **fields)
    for fields in added:
        requirement_create(agreement=agreement, **fields)


class AgreementHistoryView(ModelPermissionMixin, DetailView):
    model = Agreement
    template_name = "agreements/agreement_history.html"

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        page = Paginator(history, PAGE_SIZE).get_page(self.request.GET.get("page"))
        records = list(page.object_list)
        older = (
            history.filter(history_date__lt=records[-1].history_date).first() if records else None
        )
        return super().get_context_data(
            page_obj=page, entries=pages.agreement_history_entries(records, older), **kwargs
        )


# ------------------------------------------------------------------------------ reports


class ReportListView(ModelPermissionMixin, ListView):
    model = CoverageRun
    template_name = "agreements/report_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return super().get_queryset().order_by("-run_date")


class ReportDetailView(ModelPermissionMixin, DetailView):
    model = CoverageRun
    template_name = "agreements/report_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        # Links within the site: the report page is already on it.
        report = coverage_report_build(run=self.object, base_url="")
        return super().get_context_data(report=report, **kwargs)
