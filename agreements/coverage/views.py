"""The coverage pages: dashboard, "Run coverage check now", flags, reports and the skills matrix,
and the coverage panel of the agreement page."""

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from agreements.coverage import check_now, selectors
from agreements.coverage.flags import flag_acknowledge
from agreements.coverage.matrix import skills_matrix
from agreements.coverage.report import coverage_report_build
from agreements.models import Agreement, CoverageFlag, CoverageRun
from core.permissions import ModelPermissionMixin, perm_name, visible_to
from skills.forms import MatrixFilterForm
from skills.models import Skill, Technician, TechnicianSkill

PAGE_SIZE = 25
QUEUED_AT_KEY = "coverage_check_queued_at"

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _queued_at(request) -> datetime.datetime | None:
    value = request.session.get(QUEUED_AT_KEY)
    return parse_datetime(value) if value else None


def agreement_coverage_panel(*, request, obj) -> dict:
    """The agreement page's "Requirements and coverage" (registered by apps.py)."""
    return selectors.agreement_coverage(agreement=obj, user=request.user, day=timezone.localdate())


# ------------------------------------------------------------------------------ dashboard


class DashboardView(ModelPermissionMixin, TemplateView):
    model = Agreement
    template_name = "coverage/dashboard.html"
    flags_per_page = 10

    def get(self, request, *args, **kwargs):
        day = timezone.localdate()
        check_state = check_now.coverage_check_state(day=day, queued_at=_queued_at(request))
        if check_state == "finished":
            del request.session[QUEUED_AT_KEY]
            messages.success(request, "The coverage check has finished; the figures are current.")
        context = self.get_context_data(day=day, check_state=check_state, **kwargs)
        return self.render_to_response(context)

    def get_context_data(self, *, day, **kwargs):
        user = self.request.user
        flags = selectors.open_flags(visible_to(user, CoverageFlag))
        return super().get_context_data(
            dashboard=selectors.dashboard_build(day=day, agreements=visible_to(user, Agreement)),
            flags_page=Paginator(flags, self.flags_per_page).get_page(self.request.GET.get("page")),
            **kwargs,
        )


class CoverageRunNowView(ModelPermissionMixin, View):
    """Queue a coverage check for today; the dashboard shows it running until it finishes."""

    model = CoverageRun
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request):
        check_now.coverage_check_queue(day=timezone.localdate())
        request.session[QUEUED_AT_KEY] = timezone.now().isoformat()
        return redirect("coverage:dashboard")


class CoverageStatusView(ModelPermissionMixin, View):
    """JSON for the dashboard's poll: {"state": "idle" | "running" | "finished", "run": …}."""

    model = CoverageRun
    http_method_names = ["get"]

    def get(self, request):
        run = visible_to(request.user, CoverageRun).filter(run_date=timezone.localdate()).first()
        state = check_now.check_state(
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
        return redirect(_safe_next(request) or "coverage:dashboard")


def _safe_next(request) -> str | None:
    """A same-site URL to go back to after a POST, from the form's "next" field."""
    target = request.POST.get("next", "")
    is_safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if is_safe else None


# ------------------------------------------------------------------------------ reports


class ReportListView(ModelPermissionMixin, ListView):
    model = CoverageRun
    template_name = "coverage/report_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return super().get_queryset().order_by("-run_date")


class ReportDetailView(ModelPermissionMixin, DetailView):
    model = CoverageRun
    template_name = "coverage/report_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        # Links within the site: the report page is already on it.
        report = coverage_report_build(run=self.object, base_url="")
        return super().get_context_data(report=report, **kwargs)


# ------------------------------------------------------------------------------ skills matrix


class MatrixPermissionMixin(ModelPermissionMixin):
    """The matrix shows technicians, their skills and the revenue of agreements."""

    model = TechnicianSkill

    def get_permission_required(self):
        models = (TechnicianSkill, Technician, Skill, Agreement)
        return tuple(perm_name(model, "view") for model in models)

    def get_matrix(self):
        form = MatrixFilterForm(self.request.GET or None)
        category = form.cleaned_data["category"] if form.is_valid() else None
        return form, skills_matrix(category=category, day=timezone.localdate())


class SkillsMatrixView(MatrixPermissionMixin, TemplateView):
    template_name = "coverage/skills_matrix.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        form, matrix = self.get_matrix()
        page = Paginator(matrix.skills, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, matrix=matrix, page_obj=page, **kwargs)


def spreadsheet_safe(value):
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class SkillsMatrixCsvView(MatrixPermissionMixin, View):
    def get(self, request, *args, **kwargs):
        _form, matrix = self.get_matrix()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        suffix = f"-{matrix.category.name}" if matrix.category else ""
        filename = f"skills-matrix{suffix}-{matrix.day.isoformat()}.csv".replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Category",
                "Skill",
                *(spreadsheet_safe(technician.name) for technician in matrix.technicians),
                "Qualified technicians (level 3+, available)",
                "Revenue dependence",
            ]
        )
        for skill in matrix.skills:
            writer.writerow(
                [
                    spreadsheet_safe(skill.category),
                    spreadsheet_safe(skill.name),
                    *("" if level is None else level for level in skill.levels),
                    skill.qualified_count,
                    f"{skill.revenue_dependence:.2f}",
                ]
            )
        return response
