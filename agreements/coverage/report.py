"""The coverage report of a run: its content, its recipients, the email and its sending.

Implements DESIGN "The nightly job" (the report). The email and the report page render the same
context with the same section templates.
"""

import datetime
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agreements import selectors as agreement_selectors
from agreements.coverage import selectors
from agreements.coverage.engine import CoverageResult, evaluate_coverage
from agreements.models import Agreement, CoverageFlag, CoverageRun, CoverageStatus
from core import groups
from skills import selectors as skill_selectors

TRAINING_DUE_HORIZON_DAYS = 14

# Errors worth another try later: the server refused, timed out or hung up. ConnectionError and
# socket timeouts are OSErrors.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


def _url(viewname: str, pk: int, fallback: str, base_url: str) -> str:
    """Link to the web page when it exists, else to the admin change page."""
    try:
        path = reverse(viewname, args=[pk])
    except NoReverseMatch:
        path = fallback
    return base_url + path


def _agreement_url(agreement_id: int, base_url: str) -> str:
    fallback = f"/admin/agreements/agreement/{agreement_id}/change/"
    return _url("agreements:detail", agreement_id, fallback, base_url)


def _technician_url(technician_id: int, base_url: str) -> str:
    fallback = f"/admin/skills/technician/{technician_id}/change/"
    return _url("skills:technician_detail", technician_id, fallback, base_url)


def _flag_rows(flags, base_url: str) -> list[dict]:
    return [
        {
            "reference": flag.agreement.reference,
            "title": flag.agreement.title,
            "client": flag.agreement.client.name,
            "annual_value": flag.agreement.annual_value,
            "status": flag.status,
            "status_label": flag.get_status_display(),
            "status_color": CoverageStatus(flag.status).email_color,
            "requirement": flag.requirement_label,
            "reason": flag.reason,
            "lapses_on": flag.lapses_on,
            "first_detected_at": flag.first_detected_at,
            "resolved_at": flag.resolved_at,
            "acknowledged_by": (
                (flag.acknowledged_by.get_full_name() or flag.acknowledged_by.get_username())
                if flag.acknowledged_by
                else ""
            ),
            "url": _agreement_url(flag.agreement_id, base_url),
        }
        for flag in flags
    ]


def _single_technician_skills(result: CoverageResult) -> list[dict]:
    return [
        {
            "skill": row.skill_name,
            "technicians": ", ".join(row.technician_names),
            "agreements_count": len(row.agreement_ids),
            "revenue_dependence": row.revenue_dependence,
        }
        for row in selectors.single_technician_skills(result)
    ]


def _expiring_certifications(day: datetime.date, warning_days: int, base_url: str) -> list[dict]:
    return [
        {
            "technician": holding.technician.name,
            "certification": holding.certification.name,
            "expires_on": holding.expires_on,
            "days_left": (holding.expires_on - day).days,
            "url": _technician_url(holding.technician_id, base_url),
        }
        for holding in skill_selectors.expiring_certifications(day=day, within_days=warning_days)
    ]


def _notice_dates(day: datetime.date, base_url: str) -> list[dict]:
    """Active agreements whose last day to give notice falls within the next 90 days."""
    agreements = agreement_selectors.agreements_notice_due(Agreement.objects.all(), day=day)
    return [
        {
            "reference": agreement.reference,
            "title": agreement.title,
            "client": agreement.client.name,
            "annual_value": agreement.annual_value,
            "notice_date": agreement.notice_date,
            "end_date": agreement.end_date,
            "auto_renew": agreement.auto_renew,
            "days_left": (agreement.notice_date - day).days,
            "url": _agreement_url(agreement.pk, base_url),
        }
        for agreement in agreements
    ]


def _training_goals_due(day: datetime.date, base_url: str) -> list[dict]:
    return [
        {
            "technician": goal.technician.name,
            "target": goal.target,
            "due_date": goal.due_date,
            "overdue": goal.due_date < day,
            "status_label": goal.get_status_display(),
            "url": _technician_url(goal.technician_id, base_url),
        }
        for goal in skill_selectors.training_goals_due(
            day=day, within_days=TRAINING_DUE_HORIZON_DAYS
        )
    ]


def _technicians_without_baseline(day: datetime.date, base_url: str) -> list[dict]:
    return [
        {"name": technician.name, "url": _technician_url(technician.pk, base_url)}
        for technician in skill_selectors.technicians_without_baseline(day=day)
    ]


def coverage_report_build(
    *, run: CoverageRun, result: CoverageResult | None = None, base_url: str | None = None
) -> dict:
    """The context of the report for `run`, for the email and the report page.

    Flags are placed as they stood at the end of the run, so an older run's report stays true.
    `result` is the run day's evaluation, computed again when not given. Links start with
    `base_url`: settings.SITE_URL when None (the email), "" for links within the site.
    """
    if result is None:
        result = evaluate_coverage(day=run.run_date)
    if base_url is None:
        base_url = settings.SITE_URL
    day = run.run_date
    finished_at = run.finished_at or timezone.now()
    flags = CoverageFlag.objects.select_related("agreement__client", "acknowledged_by").order_by(
        "-status", "-agreement__annual_value", "agreement__reference", "pk"
    )
    in_run = {"first_detected_at__gte": run.started_at, "first_detected_at__lte": finished_at}
    open_at_end = Q(first_detected_at__lte=finished_at) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=finished_at)
    )
    return {
        "run": run,
        "day": day,
        "warning_days": result.warning_days,
        "arr_at_risk": run.arr_at_risk_total,
        "new_flags": _flag_rows(flags.filter(open_at_end, **in_run), base_url),
        "open_flags": _flag_rows(
            flags.filter(open_at_end, first_detected_at__lt=run.started_at), base_url
        ),
        "resolved_flags": _flag_rows(
            flags.filter(resolved_at__gte=run.started_at, resolved_at__lte=finished_at), base_url
        ),
        "single_technician_skills": _single_technician_skills(result),
        "expiring_certifications": _expiring_certifications(day, result.warning_days, base_url),
        "notice_dates": _notice_dates(day, base_url),
        "notice_horizon_days": agreement_selectors.NOTICE_HORIZON_DAYS,
        "training_goals": _training_goals_due(day, base_url),
        "training_horizon_days": TRAINING_DUE_HORIZON_DAYS,
        "technicians_without_baseline": _technicians_without_baseline(day, base_url),
        "reports_url": base_url + reverse("coverage:report_list"),
    }


def coverage_report_recipients() -> list[str]:
    """Emails of the active members of the report recipients group."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=groups.REPORT_RECIPIENTS)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def coverage_report_message(*, run: CoverageRun, recipients: list[str]) -> EmailMultiAlternatives:
    context = coverage_report_build(run=run)
    subject = " ".join(render_to_string("emails/coverage-report-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/coverage-report-body.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("emails/coverage-report-body.html", context), "text/html"
    )
    return message


def coverage_report_send(*, run_id: int, final_attempt: bool = True) -> str:
    """Send the run's report at most once; returns the run's email status afterwards.

    The run's row stays locked while sending, so a second sender waits and then sees "sent";
    a worker lost mid-send releases the lock with the status unchanged, so a retry can send.
    Only "sent" blocks sending: a failed or skipped report can be sent again. On a transient
    SMTP error the attempt is recorded (status failed when `final_attempt`, else still pending)
    and the error is raised again for the caller to retry.
    """
    error = None
    with transaction.atomic():
        run = CoverageRun.objects.select_for_update().get(pk=run_id)
        if run.email_status == CoverageRun.EmailStatus.SENT:
            return run.email_status
        recipients = coverage_report_recipients()
        run.recipients_count = len(recipients)
        if not recipients:
            run.email_status = CoverageRun.EmailStatus.SKIPPED
            run.save(update_fields=["email_status", "recipients_count"])
            return run.email_status
        message = coverage_report_message(run=run, recipients=recipients)
        run.attempts += 1
        try:
            message.send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            error = exc
            run.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            run.email_status = (
                CoverageRun.EmailStatus.FAILED if final_attempt else CoverageRun.EmailStatus.PENDING
            )
        else:
            run.email_status = CoverageRun.EmailStatus.SENT
            run.sent_at = timezone.now()
        run.save(
            update_fields=[
                "email_status",
                "recipients_count",
                "attempts",
                "last_error",
                "sent_at",
            ]
        )
    if error is not None:
        raise error
    return run.email_status
