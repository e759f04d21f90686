"""The coverage pages: dashboard, "Run coverage check now", flags, reports and the skills matrix,
and the coverage panel of the agreement page."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django_filters.views import FilterView

from agreements.coverage import check_now, selectors
from agreements.coverage.calendar import (
    calendar_feed_ics,
    calendar_feed_renew,
    calendar_feed_revoke,
    calendar_feed_user,
)
from agreements.coverage.checks import newest_check
from agreements.coverage.filters import FlagFilter
from agreements.coverage.first_gaps import PEOPLE_GAP_DAYS, people_gaps, rota_gaps
from agreements.coverage.flags import flag_acknowledge
from agreements.coverage.forms import CoverageSettingsForm
from agreements.coverage.impact import change_impact_key
from agreements.coverage.matrix import skills_matrix, skills_matrix_rows
from agreements.coverage.models import (
    CalendarFeed,
    CheckedRequirement,
    CoverageCheck,
    CoverageFlag,
    CoverageRun,
    CoverageStatus,
    Reminder,
    ReportTestEmail,
)
from agreements.coverage.reminders import reminder_kinds_of, reminder_kinds_set
from agreements.coverage.report import (
    report_context,
    report_preview,
    report_recipient_addresses,
    report_recipient_opt_out,
    report_recipient_users,
    report_recipients_set,
    report_test_email_create,
)
from agreements.coverage.schedule import nightly_next_run, nightly_time, nightly_time_set
from agreements.coverage.tasks import send_report_test_email
from agreements.models import Agreement, Requirement
from agreements.resources import CoverageFlagResource
from core.exports import csv_response, xlsx_response
from core.formatting import count_text
from core.permissions import ModelPermissionMixin, can_add, perm_name, visible_to
from core.selectors import coverage_defaults, coverage_settings_stored
from core.services import coverage_settings_set
from core.views import ExportMixin, FilterRefusalMixin, export_links, local_path
from skills.forms import MatrixFilterForm
from skills.models import Skill, Technician, TechnicianSkill, TrainingGoal

PAGE_SIZE = 25
ROTA_GAPS = "rota"  # the requirements list's filter of the gaps someone on call would close
QUEUED_AT_KEY = "coverage_check_queued_at"


def _queued_at(request) -> datetime.datetime | None:
    value = request.session.get(QUEUED_AT_KEY)
    return parse_datetime(value) if value else None


def agreement_coverage_panel(*, request, obj) -> dict:
    """The agreement page's "Requirements and coverage" (registered in pages.py)."""
    return selectors.agreement_coverage(agreement=obj, user=request.user, day=timezone.localdate())


class RequirementCoverageView(ModelPermissionMixin, TemplateView):
    """One requirement of an agreement: its coverage now, its first gap and its week in the
    client's time, beside what the newest check recorded."""

    model = Requirement
    template_name = "coverage/requirement_detail.html"

    def get_context_data(self, **kwargs):
        requirement = get_object_or_404(
            self.get_queryset().select_related(
                "agreement__client", "skill", "version", "certification", "service"
            ),
            pk=self.kwargs["pk"],
        )
        agreement = requirement.agreement
        return super().get_context_data(
            agreement=agreement,
            **selectors.requirement_coverage(
                agreement=agreement,
                requirement=requirement,
                user=self.request.user,
                day=timezone.localdate(),
            ),
            **kwargs,
        )


def presale_form_panel(*, request, obj) -> dict:
    """Above a draft's form: its pre-sale verdict, seen again before it is switched to Active
    (registered in pages.py)."""
    if obj.status != Agreement.Status.DRAFT:
        return {"presale": None}
    verdict, _ = selectors.agreement_presale_verdict(agreement=obj, day=timezone.localdate())
    return {"presale": verdict}


def check_notice_panel(*, request, obj=None) -> dict:
    """ "Coverage as of …", with "changed since" and "Run coverage check now" (pages.py)."""
    return {
        "freshness": selectors.check_freshness(user=request.user),
        "next": request.get_full_path(),
    }


# ------------------------------------------------------------------------------ dashboard


class DashboardView(ModelPermissionMixin, TemplateView):
    model = Agreement
    template_name = "coverage/dashboard.html"
    flags_per_page = 10

    def get(self, request, *args, **kwargs):
        day = timezone.localdate()
        dashboard = selectors.dashboard_build(
            day=day, user=request.user, warning_days=coverage_defaults().warning_days
        )
        check = dashboard.check
        check_state = check_now.check_state(
            queued_at=_queued_at(request), finished_at=check and check.finished_at
        )
        if check_state == "finished":
            del request.session[QUEUED_AT_KEY]
            messages.success(request, "The coverage check has finished; the figures are current.")
        flags = selectors.open_flags(visible_to(request.user, CoverageFlag))
        context = self.get_context_data(
            dashboard=dashboard,
            check_state=check_state,
            flags_page=Paginator(flags, self.flags_per_page).get_page(request.GET.get("page")),
            **kwargs,
        )
        return self.render_to_response(context)


class CoverageRunNowView(ModelPermissionMixin, View):
    """Queue a manual check for today; the pages show it running until it finishes."""

    model = CoverageCheck
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request):
        back = _safe_next(request) or "coverage:dashboard"
        queued_at = timezone.now()
        try:
            check_now.coverage_check_queue(user=request.user)
        except check_now.QueueUnavailable as error:
            messages.error(request, error.user_message)
            return redirect(back)
        request.session[QUEUED_AT_KEY] = queued_at.isoformat()
        messages.info(request, "Coverage check queued; the figures update when it finishes.")
        return redirect(back)


class ChangeImpactView(TemplateView):
    """What a large change does to coverage, once the worker has worked it out: only for the
    user who made the change."""

    template_name = "coverage/change_impact.html"

    def get_context_data(self, **kwargs):
        stored = cache.get(change_impact_key(self.kwargs["key"]))
        if not stored or stored.get("user_id") != self.request.user.pk:
            raise Http404("No such change, or its answer is no longer kept.")
        return {**super().get_context_data(**kwargs), "impact_text": stored.get("text")}


class CoverageStatusView(ModelPermissionMixin, View):
    """JSON for the pages' poll: {"state": "idle" | "running" | "finished", "check": …}."""

    model = CoverageCheck
    http_method_names = ["get"]

    def get(self, request):
        check = newest_check()
        state = check_now.check_state(
            queued_at=_queued_at(request), finished_at=check and check.finished_at
        )
        return JsonResponse(
            {
                "state": state,
                "check": check
                and {
                    "id": check.pk,
                    "check_date": check.check_date.isoformat(),
                    "finished_at": check.finished_at.isoformat(),
                    "trigger": check.trigger,
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
    """The path to go back to after a POST, from the form's "next" field, when it is local."""
    return local_path(request, request.POST.get("next"))


class FlagListView(FilterRefusalMixin, ExportMixin, ModelPermissionMixin, FilterView):
    """Every flag, open or resolved, filtered; where "and N more" of a report leads."""

    model = CoverageFlag
    filterset_class = FlagFilter
    template_name = "coverage/flag_list.html"
    paginate_by = PAGE_SIZE
    exports = {"": ("flags", CoverageFlagResource, "filtered_rows")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(export_links=export_links(self.request), **kwargs)

    def get_queryset(self):
        return selectors.flags_with_first_gap(
            super()
            .get_queryset()
            .select_related("agreement__client", "acknowledged_by")
            .order_by("resolved_at", "-status", "-first_detected_at", "-pk")
        )


# ------------------------------------------------------------------------------ reports


class ReportListView(ModelPermissionMixin, ListView):
    """Every recorded check, newest first; the nightly ones with their email."""

    model = CoverageCheck
    template_name = "coverage/report_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("run", "requested_by")
            .defer("report")
            .order_by("-finished_at", "-pk")
        )


class ReportDetailView(ModelPermissionMixin, DetailView):
    """A check's recorded report: for a nightly run, exactly what was emailed."""

    model = CoverageCheck
    template_name = "coverage/report_detail.html"
    context_object_name = "coverage_check"

    def get_queryset(self):
        return super().get_queryset().select_related("run", "requested_by")

    def get_context_data(self, **kwargs):
        # Links within the site: the report page is already on it.
        report = report_context(coverage_check=self.object, base_url="")
        return super().get_context_data(
            report=report, run=getattr(self.object, "run", None), **kwargs
        )


class ReportPreviewView(ModelPermissionMixin, TemplateView):
    """ "Preview the report": the newest check's report as its email reads (subject, the
    sections, the plain text), sent to nobody; and "Send me a test email" of it."""

    model = CoverageCheck
    template_name = "coverage/report_preview.html"
    test_emails_shown = 5

    def get_context_data(self, **kwargs):
        check = newest_check()
        user = self.request.user
        return super().get_context_data(
            preview=check and report_preview(coverage_check=check),
            # Links within the site: the preview is already on it.
            report=check and report_context(coverage_check=check, base_url=""),
            recipients_count=len(report_recipient_addresses()),
            next_run=nightly_next_run(),
            test_emails=ReportTestEmail.objects.filter(requested_by=user)
            .select_related("coverage_check")
            .defer("coverage_check__report")[: self.test_emails_shown],
            can_send_test=can_add(user, ReportTestEmail),
            **kwargs,
        )


class ReportTestEmailView(ModelPermissionMixin, View):
    """ "Send me a test email": the report of the check previewed, to the requesting user only,
    recorded as a test; the nightly run and its email are left alone."""

    model = CoverageCheck
    http_method_names = ["post"]

    def get_permission_required(self):
        return (perm_name(CoverageCheck, "view"), perm_name(ReportTestEmail, "add"))

    def post(self, request, pk):
        check = get_object_or_404(self.get_queryset().defer("report"), pk=pk)
        try:
            test_email = report_test_email_create(coverage_check=check, user=request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            send_report_test_email.delay_on_commit(test_email.pk)
            messages.success(
                request,
                f"The report is on its way to {test_email.recipient} as a test email (its subject "
                "starts with “[Test]”); nobody else receives it.",
            )
        return redirect("coverage:report_preview")


class CheckRequirementListView(ModelPermissionMixin, ListView):
    """The requirements a check found uncovered or at risk, as it recorded them, paginated."""

    model = CoverageCheck
    template_name = "coverage/check_requirements.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.coverage_check = get_object_or_404(
            visible_to(self.request.user, CoverageCheck).defer("report"), pk=self.kwargs["pk"]
        )
        rows = CheckedRequirement.objects.filter(coverage_check=self.coverage_check)
        self.gaps = self.request.GET.get("gaps", "")
        if self.gaps == str(PEOPLE_GAP_DAYS):
            return people_gaps(self.coverage_check)
        if self.gaps == ROTA_GAPS:
            return rota_gaps(self.coverage_check)
        new = self.request.GET.get("new")
        if new in ("0", "1"):
            rows = rows.filter(is_new=new == "1")
        status = self.request.GET.get("status")
        if status in (CoverageStatus.UNCOVERED, CoverageStatus.AT_RISK):
            rows = rows.filter(status=status)
        return rows.order_by("-status", "agreement_id", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreements = Agreement.objects.filter(
            pk__in=[row.agreement_id for row in context["object_list"]]
        ).select_related("client")
        return {
            **context,
            "coverage_check": self.coverage_check,
            "agreements": {agreement.pk: agreement for agreement in agreements},
            "new": self.request.GET.get("new", ""),
            "gaps": self.gaps,
            "time_gap_days": str(PEOPLE_GAP_DAYS),
        }


# ------------------------------------------------------------------------------ partner programmes


class ProgrammeStatusView(ModelPermissionMixin, ListView):
    """The partner programmes as a check recorded them (the newest one, or the check of the
    URL): not met first, then at risk, then met; with the yearly benefit at stake."""

    model = CoverageCheck
    template_name = "coverage/programme_status.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.freshness = selectors.check_freshness(user=self.request.user)
        self.coverage_check = self.freshness.check
        if "pk" in self.kwargs:
            self.coverage_check = get_object_or_404(
                visible_to(self.request.user, CoverageCheck).defer("report"), pk=self.kwargs["pk"]
            )
        return selectors.programme_results(self.coverage_check)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            freshness=self.freshness,
            coverage_check=self.coverage_check,
            can_plan=can_add(self.request.user, TrainingGoal),
            **kwargs,
        )


# ------------------------------------------------------------------------------ end of support


class EndOfSupportView(ModelPermissionMixin, ListView):
    """The versions the newest check found reaching end of support within 12 months (or
    `?within=90` days) or already past it, by date: the version each client moves to, whether
    the team covers it, and each client's ARR concerned, once."""

    model = CoverageCheck
    template_name = "coverage/end_of_support.html"
    paginate_by = PAGE_SIZE
    WITHIN_CHOICES = (90, 365)

    def get_queryset(self):
        within = self.request.GET.get("within", "")
        self.within = int(within) if within in {str(d) for d in self.WITHIN_CHOICES} else 365
        self.not_covered = self.request.GET.get("successor") == "not_covered"
        self.freshness = selectors.check_freshness(user=self.request.user)
        return selectors.end_of_support_results(
            self.freshness.check, within_days=self.within, successor_not_covered=self.not_covered
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.freshness.check
        first_rows = [row.client_id for row in context["object_list"] if row.client_row == 1]
        client_values = {}
        if first_rows:
            client_values = selectors.end_of_support_client_values(
                check,
                first_rows,
                within_days=self.within,
                successor_not_covered=self.not_covered,
            )
        return {
            **context,
            "freshness": self.freshness,
            "within": self.within,
            "not_covered": self.not_covered,
            "day": check.check_date if check else None,
            "client_values": client_values,
        }


def client_end_of_support_panel(*, request, obj) -> dict:
    """The client page's versions reaching end of support, from the newest check (pages.py):
    one query, the check's day and time joined to its rows; one more for the client's ARR
    concerned when there are rows."""
    rows = selectors.client_end_of_support_results(client_id=obj.pk)
    return {
        "end_of_support_rows": rows,
        "end_of_support_value": selectors.client_end_of_support_value(rows),
        # with no row, one more query tells "nothing ends" from "no check yet"
        "end_of_support_check": rows[0].coverage_check if rows else newest_check(),
    }


# ------------------------------------------------------------------------------ skills matrix


class MatrixPermissionMixin(ModelPermissionMixin):
    """The matrix shows technicians, their skills and the revenue of agreements."""

    model = TechnicianSkill

    def get_permission_required(self):
        models = (TechnicianSkill, Technician, Skill, Agreement)
        return tuple(perm_name(model, "view") for model in models)

    def get_category(self):
        form = MatrixFilterForm(self.request.GET or None)
        return form, form.cleaned_data["category"] if form.is_valid() else None


class SkillsMatrixView(FilterRefusalMixin, MatrixPermissionMixin, TemplateView):
    template_name = "coverage/skills_matrix.html"

    def filter_form(self, context):
        return context["form"]

    def get_context_data(self, **kwargs):
        form, category = self.get_category()
        matrix = skills_matrix(
            day=timezone.localdate(),
            category=category,
            skill_page=self.request.GET.get("page"),
            technician_page=self.request.GET.get("tpage"),
        )
        return super().get_context_data(
            form=form,
            matrix=matrix,
            page_obj=matrix.skill_page,
            freshness=selectors.check_freshness(user=self.request.user),
            review_months=settings.SKILL_REVIEW_MONTHS,
            **kwargs,
        )


class SkillsMatrixCsvView(MatrixPermissionMixin, View):
    """Every skill against every technician, streamed in chunks at constant memory."""

    def get(self, request, *args, **kwargs):
        _form, category = self.get_category()
        day = timezone.localdate()
        technicians, rows = skills_matrix_rows(day=day, category=category)
        suffix = f"-{category.name}" if category else ""
        filename = f"skills-matrix{suffix}-{day.isoformat()}.csv".replace(" ", "-")
        header = [
            "Category",
            "Skill",
            *(technician.name for technician in technicians),
            "Qualified technicians (level 3+, available)",
            "Revenue dependence",
            "Certifications (valid today)",
        ]
        lines = (
            [
                skill.category,
                skill.name,
                *skill.levels,  # None writes an empty cell
                skill.qualified_count,
                None if skill.revenue_dependence is None else f"{skill.revenue_dependence:.2f}",
                "; ".join(skill.certifications),
            ]
            for skill in rows
        )
        if request.GET.get("format") == "xlsx":
            return xlsx_response(filename.replace(".csv", ".xlsx"), header, lines)
        return csv_response(filename, header, lines)


# ------------------------------------------------------------------------------ calendar feed


class CalendarFeedSettingsView(TemplateView):
    """Each user's private calendar feed: make its secret URL (shown once), or revoke it."""

    template_name = "coverage/calendar_feed.html"

    session_key = "calendar_feed_url"

    def get_context_data(self, **kwargs):
        has_feed = CalendarFeed.objects.filter(user=self.request.user).exists()
        # The new address, shown on the page the post redirects to, and only there.
        feed_url = self.request.session.pop(self.session_key, None)
        return super().get_context_data(has_feed=has_feed, feed_url=feed_url, **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, "The calendar feed is revoked: its address no longer works.")
            return redirect("coverage:calendar_feed_settings")
        if action != "new":
            messages.error(request, "Choose to make a new address or to revoke the feed.")
            return redirect("coverage:calendar_feed_settings")
        token = calendar_feed_renew(user=request.user)
        url = request.build_absolute_uri(reverse("coverage:calendar_feed", args=[token]))
        request.session[self.session_key] = url
        return redirect("coverage:calendar_feed_settings")


@method_decorator(login_not_required, name="dispatch")
class CalendarFeedView(View):
    """The feed itself, for calendar apps: no login, the secret in the URL; 404 once revoked."""

    http_method_names = ["get"]

    def get(self, request, token):
        user = calendar_feed_user(token)
        if user is None:
            raise Http404("No such calendar feed.")
        body = calendar_feed_ics(user, day=timezone.localdate(), stamp=timezone.now())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="covered-deadlines.ics"'
        response["Cache-Control"] = "private, max-age=900"
        return response


# ------------------------------------------------------------------------------ settings


class AdminWithSecondFactorMixin:
    """Staff who gave their second factor in this session, like Django admin asks; other staff
    log in again through the admin's login (which asks for it), everyone else is refused."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        if not request.user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return super().dispatch(request, *args, **kwargs)


class CoverageSettingsView(AdminWithSecondFactorMixin, FormView):
    template_name = "coverage/settings.html"
    form_class = CoverageSettingsForm

    def get_initial(self):
        hour, minute = nightly_time()
        stored = coverage_settings_stored()
        return {
            "nightly_time": datetime.time(hour, minute),
            "recipients": list(report_recipient_users()),
            "warning_days": stored.warning_days,
            "min_technicians": stored.min_technicians,
        }

    def form_valid(self, form):
        at = form.cleaned_data["nightly_time"]
        recipients = form.cleaned_data["recipients"]
        with transaction.atomic():
            nightly_time_set(hour=at.hour, minute=at.minute)
            report_recipients_set(users=recipients)
            coverage_settings_set(
                warning_days=form.cleaned_data["warning_days"],
                min_technicians=form.cleaned_data["min_technicians"],
                user=self.request.user,
            )
        defaults = coverage_defaults()
        messages.success(
            self.request,
            f"Settings saved: the nightly check runs daily at {at:%H:%M} ({settings.TIME_ZONE}) "
            f"and the report goes to {count_text(len(recipients), 'recipient')}. From the next "
            f"coverage check, the warning window is {count_text(defaults.warning_days, 'day')} "
            "and a requirement needs "
            f"{count_text(defaults.min_technicians, 'qualified technician')} unless it asks for "
            "another number.",
        )
        return redirect("coverage:settings")

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            next_run=nightly_next_run(),
            today_run=CoverageRun.objects.filter(run_date=today).first(),
            time_zone=settings.TIME_ZONE,
            defaults=coverage_defaults(),
            newest_check=newest_check(),
            **kwargs,
        )


class NotificationsView(TemplateView):
    """A user's own notifications: whether the nightly report comes to them; they may stop it."""

    template_name = "coverage/notifications.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        receives = reminder_kinds_of(user)
        return super().get_context_data(
            receives_report=report_recipient_users().filter(pk=user.pk).exists(),
            reminder_kinds=[
                (kind, label, kind in receives) for kind, label in Reminder.Kind.choices
            ],
            lead_days=settings.REMINDER_LEAD_DAYS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("report") == "stop":
            report_recipient_opt_out(user=request.user)
            messages.success(request, "You will no longer receive the nightly coverage report.")
        elif request.POST.get("action") == "reminders":
            kinds = set(request.POST.getlist("kinds")) & set(Reminder.Kind.values)
            reminder_kinds_set(user=request.user, kinds=kinds)
            messages.success(request, "Your reminders are saved.")
        return redirect("coverage:notifications")
