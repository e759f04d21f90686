"""The nightly coverage job: claim the day's run, sync flags, build and send the report.

Implements ../DESIGN "The nightly job". Tasks in agreements/tasks.py and the management commands
call these services; they hold no logic of their own.
"""

import datetime
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agreements import selectors
from agreements.coverage import CoverageResult, evaluate_coverage
from agreements.models import Agreement, CoverageFlag, CoverageRun, CoverageStatus
from agreements.services import requirements_sync_all
from core import groups
from skills import selectors as skill_selectors
from skills.models import TrainingGoal

TRAINING_DUE_HORIZON_DAYS = 14
FLAGGED_STATUSES = (CoverageStatus.UNCOVERED, CoverageStatus.AT_RISK)

# Errors worth another try later: the server refused, timed out or hung up. ConnectionError and
# socket timeouts are OSErrors.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


# ------------------------------------------------------------------------------ the run


def coverage_run_claim(*, run_date: datetime.date) -> CoverageRun | None:
    """Claim the run for `run_date` through its unique row; None when it is already claimed.

    A concurrent claimer on PostgreSQL waits on the unique index until the first transaction
    ends, then finds the row and gets None (or claims the date if the first rolled back).
    """
    run, created = CoverageRun.objects.get_or_create(
        run_date=run_date, defaults={"started_at": timezone.now()}
    )
    return run if created else None


def flags_sync(*, result: CoverageResult, now: datetime.datetime) -> tuple[list[int], list[int]]:
    """Open or update one flag per non-covered requirement; resolve every other open flag.

    Resolved: flags whose requirement is covered, deleted (requirement null) or belongs to an
    agreement no longer active (so absent from `result`). `result` must cover every active
    agreement. Returns (new flag ids, resolved flag ids).
    """
    flagged = {r.requirement_id: r for r in result.requirements if r.status in FLAGGED_STATUSES}
    open_flags = list(CoverageFlag.objects.filter(resolved_at__isnull=True))

    resolved_ids = [flag.pk for flag in open_flags if flag.requirement_id not in flagged]
    if resolved_ids:
        CoverageFlag.objects.filter(pk__in=resolved_ids).update(resolved_at=now)

    to_update = []
    for flag in open_flags:
        requirement = flagged.get(flag.requirement_id)
        if requirement is None:
            continue
        flag.status = requirement.status
        flag.reason = requirement.reason
        flag.requirement_label = requirement.label
        flag.qualified_count = requirement.qualified_count
        flag.lapses_on = requirement.lapses_on
        flag.last_seen_at = now
        to_update.append(flag)
    CoverageFlag.objects.bulk_update(
        to_update,
        ["status", "reason", "requirement_label", "qualified_count", "lapses_on", "last_seen_at"],
        batch_size=1000,
    )

    already_open = {flag.requirement_id for flag in open_flags}
    created = CoverageFlag.objects.bulk_create(
        [
            CoverageFlag(
                agreement_id=requirement.agreement_id,
                requirement_id=requirement.requirement_id,
                requirement_label=requirement.label,
                status=requirement.status,
                reason=requirement.reason,
                qualified_count=requirement.qualified_count,
                lapses_on=requirement.lapses_on,
                first_detected_at=now,
                last_seen_at=now,
            )
            for requirement_id, requirement in flagged.items()
            if requirement_id not in already_open
        ],
        batch_size=1000,
    )
    return [flag.pk for flag in created], resolved_ids


def flag_acknowledge(*, flag: CoverageFlag, user, now: datetime.datetime | None = None) -> None:
    """Mark an open flag as seen by `user`; it stays open until coverage is restored."""
    if not flag.is_open:
        raise ValidationError("This flag is already resolved; there is nothing to acknowledge.")
    flag.acknowledged_by = user
    flag.acknowledged_at = now or timezone.now()
    flag.save(update_fields=["acknowledged_by", "acknowledged_at"])


def coverage_run_execute(*, run_date: datetime.date) -> CoverageRun | None:
    """Run the coverage check for `run_date` once; None when that date already has a run.

    The claim and the work share one transaction: a crash (or a lost worker) rolls the claim back
    with the half-done work, so the redelivered task can run the date again. A second runner
    waits on the claimed row and then does nothing.
    """
    with transaction.atomic():
        run = coverage_run_claim(run_date=run_date)
        if run is None:
            return None
        requirements_sync_all()
        result = evaluate_coverage(day=run_date)
        new_ids, resolved_ids = flags_sync(result=result, now=run.started_at)
        _run_figures_set(run=run, result=result)
        run.new_flags_count = len(new_ids)
        run.resolved_flags_count = len(resolved_ids)
        run.save()
    return run


def coverage_run_refresh(*, run_date: datetime.date) -> CoverageRun | None:
    """Check coverage again for a date that already has a run; None when it has none.

    "Run coverage check now" on a day that was already checked: derived requirements re-synced,
    flags opened and resolved as the night would, the run's figures replaced. No second email
    (a run's email goes out at most once); the day's report covers every check of the day, as
    flags found or resolved later fall inside the run's [started_at, finished_at] window.
    """
    with transaction.atomic():
        # The row lock makes a second refresh of the same day wait instead of racing on flags.
        run = CoverageRun.objects.select_for_update().filter(run_date=run_date).first()
        if run is None:
            return None
        requirements_sync_all()
        result = evaluate_coverage(day=run_date)
        flags_sync(result=result, now=timezone.now())
        _run_figures_set(run=run, result=result)
        # Counted as the day's report shows them: new since the run started and still open,
        # resolved since the run started.
        in_run = Q(first_detected_at__gte=run.started_at)
        run.new_flags_count = CoverageFlag.objects.filter(in_run, resolved_at__isnull=True).count()
        run.resolved_flags_count = CoverageFlag.objects.filter(
            resolved_at__gte=run.started_at
        ).count()
        run.save()
    return run


def _run_figures_set(*, run: CoverageRun, result: CoverageResult) -> None:
    run.agreements_count = len(result.agreements)
    run.covered_count = result.counts.get(CoverageStatus.COVERED, 0)
    run.at_risk_count = result.counts.get(CoverageStatus.AT_RISK, 0)
    run.uncovered_count = result.counts.get(CoverageStatus.UNCOVERED, 0)
    run.not_assessed_count = result.counts.get(CoverageStatus.NOT_ASSESSED, 0)
    run.arr_total = result.arr_total
    run.arr_uncovered = result.arr_uncovered
    run.arr_at_risk = result.arr_at_risk
    run.open_flags_count = CoverageFlag.objects.filter(resolved_at__isnull=True).count()
    run.finished_at = timezone.now()


# ------------------------------------------------------------------------------ the report


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
    agreements = selectors.agreements_notice_due(Agreement.objects.all(), day=day)
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
    goals = (
        TrainingGoal.objects.filter(
            status__in=TrainingGoal.OPEN_STATUSES,
            due_date__lte=day + datetime.timedelta(days=TRAINING_DUE_HORIZON_DAYS),
        )
        .select_related("technician", "skill", "certification", "target_version")
        .order_by("due_date", "technician__name")
    )
    rows = []
    for goal in goals:
        rows.append(
            {
                "technician": goal.technician.name,
                "target": goal.target,
                "due_date": goal.due_date,
                "overdue": goal.due_date < day,
                "status_label": goal.get_status_display(),
                "url": _technician_url(goal.technician_id, base_url),
            }
        )
    return rows


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
        "notice_horizon_days": selectors.NOTICE_HORIZON_DAYS,
        "training_goals": _training_goals_due(day, base_url),
        "training_horizon_days": TRAINING_DUE_HORIZON_DAYS,
        "technicians_without_baseline": _technicians_without_baseline(day, base_url),
        "reports_url": base_url + reverse("agreements:report_list"),
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
