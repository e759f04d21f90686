"""The coverage report: built once when a check is recorded, then read, emailed and shown.

Implements DESIGN "The nightly job" (the report). `report_sections_build` writes the sections as
structured rows onto the check (`CoverageCheck.report`); the email and the report page render
those stored rows with the same templates, so the page always shows what was emailed. Each
section keeps its most important rows up to a limit and says how many more there are, so the
report's size does not grow with the portfolio.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agreements import selectors as agreement_selectors
from agreements.coverage.drafts_and_end_of_support import REPORT_END_OF_SUPPORT_DAYS
from agreements.coverage.engine import CoverageResult
from agreements.coverage.first_gaps import PEOPLE_GAP_DAYS, gap_hours_text, people_gaps
from agreements.coverage.models import (
    CheckedEndOfSupport,
    CoverageCheck,
    CoverageFlag,
    CoverageRun,
    CoverageStatus,
    GapCause,
    ProgrammeStatus,
    ReportTestEmail,
    status_label,
)
from agreements.models import Agreement
from core import groups
from skills import selectors as skill_selectors
from skills.models import Skill

log = logging.getLogger(__name__)

TRAINING_DUE_HORIZON_DAYS = 14

# How many rows each section lists at most; the rest is counted ("and N more") and linked.
SECTION_LIMITS = {
    "new_flags": 25,
    "open_flags": 25,
    "resolved_flags": 15,
    "single_technician_skills": 10,
    "expiring_certifications": 10,
    "notice_dates": 10,
    "training_goals": 10,
    "technicians_without_baseline": 15,
    "end_of_support": 10,
    "time_gaps": 10,
    "partner_programmes": 10,
}
# Stored as text in the check's JSON; turned back into dates and amounts when read.
DATE_KEYS = {
    "lapses_on",
    "expires_on",
    "notice_date",
    "end_date",
    "due_date",
    "end_of_support",
    "renewal_date",
}
MONEY_KEYS = {"annual_value", "revenue_dependence", "benefit"}
DECIMAL_KEYS = MONEY_KEYS | {"uncovered_hours"}

# Errors worth another try later: the server refused, timed out or hung up. ConnectionError and
# socket timeouts are OSErrors.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


# ------------------------------------------------------------------------------ building


@dataclass(frozen=True)
class SingleTechnicianSkill:
    """A skill that some agreement can count on only one technician for."""

    skill_id: int
    skill_name: str
    technician_names: tuple[str, ...]
    agreement_ids: tuple[int, ...]
    revenue_dependence: Decimal  # ARR of every active agreement requiring the skill


def single_technician_skills(result: CoverageResult) -> list[SingleTechnicianSkill]:
    """Skills with a requirement only one technician qualifies for, most revenue first.

    One query (the skill names).
    """
    technicians, agreements = {}, {}
    for agreement in result.agreements:
        # The counts alone tell which agreements have one: only those build their results.
        if all(qualified != 1 for _, qualified, _ in agreement.requirement_counts().values()):
            continue
        for requirement in agreement.requirements:
            if requirement.skill_id is not None and requirement.qualified_count == 1:
                skill_id = requirement.skill_id
                technicians.setdefault(skill_id, set()).update(requirement.qualified_names)
                agreements.setdefault(skill_id, set()).add(requirement.agreement_id)
    names = dict(Skill.objects.filter(id__in=technicians).values_list("id", "name"))
    rows = [
        SingleTechnicianSkill(
            skill_id=skill_id,
            skill_name=names[skill_id],
            technician_names=tuple(sorted(technicians[skill_id])),
            agreement_ids=tuple(sorted(agreements[skill_id])),
            revenue_dependence=result.revenue_dependence.get(skill_id, Decimal("0")),
        )
        for skill_id in technicians
    ]
    rows.sort(key=lambda row: (-row.revenue_dependence, row.skill_name))
    return rows


def _section(key: str, rows, total: int, more_path: str) -> dict:
    return {"rows": list(rows)[: SECTION_LIMITS[key]], "total": total, "more_path": more_path}


def _flag_rows(flags) -> list[dict]:
    return [
        {
            "reference": flag.agreement.reference,
            "title": flag.agreement.title,
            "client": flag.agreement.client.name,
            "annual_value": flag.agreement.annual_value,
            "status": flag.status,
            "risk_kind": flag.risk_kind,
            "status_label": status_label(flag.status, flag.risk_kind),
            "requirement": flag.requirement_label,
            "reason": flag.reason,
            "lapses_on": flag.lapses_on,
            "acknowledged_by": (
                (flag.acknowledged_by.get_full_name() or flag.acknowledged_by.get_username())
                if flag.acknowledged_by
                else ""
            ),
            "path": reverse("agreements:detail", args=[flag.agreement_id]),
            "requirement_id": flag.requirement_id,
        }
        for flag in flags
    ]


def _flags_section(key: str, flags, more_path: str) -> dict:
    ordered = flags.select_related("agreement__client", "acknowledged_by").order_by(
        "-status", "-agreement__annual_value", "agreement__reference", "pk"
    )
    return _section(
        key, _flag_rows(ordered[: SECTION_LIMITS[key]]), ordered.count(), more_path=more_path
    )


def _end_of_support_rows(rows, *, day: datetime.date) -> list[dict]:
    """The client versions reaching end of support within the report's 90 days (not those
    already past it), soonest first. The ARR of a client's agreements that depend on them is
    given once, on the client's first row, each agreement counted once."""
    horizon = day + datetime.timedelta(days=REPORT_END_OF_SUPPORT_DAYS)
    soon = [row for row in rows if day <= row.end_of_support <= horizon]
    soon.sort(key=lambda row: (row.end_of_support, row.client_name, row.label))
    client_agreements = {}
    for row in soon:
        client_agreements.setdefault(row.client_id, {}).update(row.agreements)
    made = []
    for row in soon:
        coverage = row.successor_coverage
        agreements = client_agreements.pop(row.client_id, None)
        made.append(
            {
                "client": row.client_name,
                "version": row.label,
                "end_of_support": row.end_of_support,
                "days_left": (row.end_of_support - day).days,
                "successor": row.successor_label,
                "successor_supported": row.successor_supported,
                "successor_status": coverage.status if coverage else "",
                "successor_status_label": CheckedEndOfSupport.STATUS_WORDS[
                    coverage.status if coverage else ""
                ],
                "annual_value": (
                    None if agreements is None else sum(agreements.values(), Decimal(0))
                ),
                "path": reverse("clients:detail", args=[row.client_id]),
            }
        )
    return made


def _time_gap_rows(rows) -> list[dict]:
    """The requirements whose first gap people's time makes soon (first_gaps.people_gaps), its
    hours written in the client's time as the check found them."""
    made = []
    for row in rows:
        agreement = row.agreement
        zone = agreement.client.time_zone
        made.append(
            {
                "reference": agreement.reference,
                "title": agreement.title,
                "client": agreement.client.name,
                "annual_value": row.annual_value,
                "status": row.status,
                "risk_kind": row.risk_kind,
                "status_label": status_label(row.status, row.risk_kind),
                "requirement": row.label,
                "cause": row.gap_cause,
                "cause_label": GapCause(row.gap_cause).label,
                "gap": gap_hours_text(row.gap_starts_at, row.gap_ends_at, zone),
                "time_zone": zone,
                "uncovered_hours": row.uncovered_hours,
                "reason": row.reason,
                "path": reverse("coverage:requirement_detail", args=[row.requirement_id]),
            }
        )
    return made


# A programme's status in the colours of the coverage statuses (the report's badges).
PROGRAMME_BADGE = {
    ProgrammeStatus.MET: CoverageStatus.COVERED,
    ProgrammeStatus.AT_RISK: CoverageStatus.AT_RISK,
    ProgrammeStatus.NOT_MET: CoverageStatus.UNCOVERED,
}


def _programme_rows(programmes) -> list[dict]:
    """The programmes not met, then those at risk (soonest lapse first), most benefit first."""
    at_stake = sorted(
        (outcome for outcome in programmes if outcome.at_stake),
        key=lambda outcome: (
            -ProgrammeStatus(outcome.status).severity,
            outcome.lapses_on or datetime.date.max,
            -outcome.benefit,
            outcome.label,
        ),
    )
    return [
        {
            "programme": outcome.label,
            "status": PROGRAMME_BADGE[outcome.status].value,
            "status_label": ProgrammeStatus(outcome.status).label,
            "reason": outcome.reason,
            "lapses_on": outcome.lapses_on,
            "benefit": outcome.benefit,
            "renewal_date": outcome.renewal_date,
            "path": reverse("skills:programme_detail", args=[outcome.programme_id]),
        }
        for outcome in at_stake
    ]


def report_sections_build(
    *, coverage_check: CoverageCheck, result: CoverageResult, end_of_support=(), programmes=()
) -> dict:
    """The report of a check that has just been written and has synced the flags: its sections
    as JSON-ready rows, links as paths within the site. A fixed number of queries.
    `end_of_support`: the check's forecast (agreements/coverage/drafts_and_end_of_support.py);
    `programmes`: its partner programmes (agreements/coverage/programmes.py)."""
    day = result.day
    check_pk = coverage_check.pk
    requirements_path = reverse("coverage:check_requirements", args=[check_pk])
    flags_path = reverse("coverage:flag_list")

    single = single_technician_skills(result)
    expiring = skill_selectors.expiring_certifications(day=day, within_days=result.warning_days)
    notices = sorted(
        agreement_selectors.agreements_notice_due(Agreement.objects.all(), day=day),
        key=lambda agreement: (-agreement.annual_value, agreement.notice_date),
    )
    goals = skill_selectors.training_goals_due(day=day, within_days=TRAINING_DUE_HORIZON_DAYS)
    without_baseline = skill_selectors.technicians_without_baseline(day=day)
    ending = _end_of_support_rows(end_of_support, day=day)
    time_gaps = people_gaps(coverage_check).select_related("agreement__client")
    programme_rows = _programme_rows(programmes)
    technician_path = "skills:technician_detail"
    sections = {
        "new_flags": _flags_section(
            "new_flags",
            CoverageFlag.objects.filter(opened_by_check=coverage_check),
            f"{requirements_path}?new=1",
        ),
        "open_flags": _flags_section(
            "open_flags",
            CoverageFlag.objects.filter(resolved_at__isnull=True).exclude(
                opened_by_check=coverage_check
            ),
            f"{requirements_path}?new=0",
        ),
        "resolved_flags": _flags_section(
            "resolved_flags",
            CoverageFlag.objects.filter(resolved_by_check=coverage_check),
            f"{flags_path}?resolved_by_check={check_pk}",
        ),
        "single_technician_skills": _section(
            "single_technician_skills",
            (
                {
                    "skill": row.skill_name,
                    "technicians": ", ".join(row.technician_names),
                    "agreements_count": len(row.agreement_ids),
                    "revenue_dependence": row.revenue_dependence,
                }
                for row in single
            ),
            len(single),
            reverse("coverage:matrix"),
        ),
        "expiring_certifications": _section(
            "expiring_certifications",
            (
                {
                    "technician": holding.technician.name,
                    "certification": holding.certification.name,
                    "expires_on": holding.expires_on,
                    "days_left": (holding.expires_on - day).days,
                    "path": reverse(technician_path, args=[holding.technician_id]),
                }
                for holding in expiring[: SECTION_LIMITS["expiring_certifications"]]
            ),
            expiring.count(),
            reverse("skills:technician_list"),
        ),
        "notice_dates": _section(
            "notice_dates",
            (
                {
                    "reference": agreement.reference,
                    "title": agreement.title,
                    "client": agreement.client.name,
                    "annual_value": agreement.annual_value,
                    "notice_date": agreement.notice_date,
                    "end_date": agreement.end_date,
                    "auto_renew": agreement.auto_renew,
                    "days_left": (agreement.notice_date - day).days,
                    "path": reverse("agreements:detail", args=[agreement.pk]),
                }
                for agreement in notices
            ),
            len(notices),
            reverse("agreements:list")
            + f"?status=active&notice_within={agreement_selectors.NOTICE_HORIZON_DAYS}",
        ),
        "training_goals": _section(
            "training_goals",
            (
                {
                    "technician": goal.technician.name,
                    "target": goal.target,
                    "due_date": goal.due_date,
                    "overdue": goal.due_date < day,
                    "status_label": goal.get_status_display(),
                    "path": reverse(technician_path, args=[goal.technician_id]),
                }
                for goal in goals[: SECTION_LIMITS["training_goals"]]
            ),
            goals.count(),
            reverse("planning:plan"),
        ),
        "technicians_without_baseline": _section(
            "technicians_without_baseline",
            (
                {"name": technician.name, "path": reverse(technician_path, args=[technician.pk])}
                for technician in without_baseline[: SECTION_LIMITS["technicians_without_baseline"]]
            ),
            without_baseline.count(),
            reverse("planning:plan"),
        ),
        "end_of_support": _section(
            "end_of_support",
            ending,
            len(ending),
            reverse("coverage:end_of_support") + f"?within={REPORT_END_OF_SUPPORT_DAYS}",
        ),
        "time_gaps": _section(
            "time_gaps",
            _time_gap_rows(time_gaps[: SECTION_LIMITS["time_gaps"]]),
            time_gaps.count(),
            f"{requirements_path}?gaps={PEOPLE_GAP_DAYS}",
        ),
        "partner_programmes": {
            **_section(
                "partner_programmes",
                programme_rows,
                len(programme_rows),
                reverse("coverage:programme_status", args=[check_pk]),
            ),
            "checked": len(programmes),
            "benefit_at_stake": coverage_check.programme_benefit_at_stake,
        },
    }
    status_arr = dict.fromkeys(CoverageStatus.values, Decimal("0"))
    for agreement in result.agreements:
        status_arr[agreement.status] += agreement.annual_value
    return {
        "status_arr": status_arr,
        "clients_count": len({agreement.client_id for agreement in result.agreements}),
        "warning_days": result.warning_days,
        "notice_horizon_days": agreement_selectors.NOTICE_HORIZON_DAYS,
        "training_horizon_days": TRAINING_DUE_HORIZON_DAYS,
        "end_of_support_days": REPORT_END_OF_SUPPORT_DAYS,
        "time_gap_days": PEOPLE_GAP_DAYS,
        "sections": sections,
    }


# ------------------------------------------------------------------------------ reading


def _typed(row: dict) -> dict:
    typed = dict(row)
    for key in DATE_KEYS & typed.keys():
        if typed[key]:
            typed[key] = datetime.date.fromisoformat(typed[key])
    for key in DECIMAL_KEYS & typed.keys():
        if typed[key] is not None:
            typed[key] = Decimal(typed[key])
    return typed


def report_context(*, coverage_check: CoverageCheck, base_url: str | None = None) -> dict:
    """What the email and the report page render, read from the check alone (no other query).

    Links start with `base_url`: settings.SITE_URL when None (the email), "" within the site.
    """
    if base_url is None:
        base_url = settings.SITE_URL
    report = coverage_check.report
    sections = {}
    for key, section in report.get("sections", {}).items():
        rows = [_typed(row) for row in section["rows"]]
        sections[key] = {
            "rows": rows,
            "total": section["total"],
            "more": section["total"] - len(rows),
            "more_url": base_url + section["more_path"],
        }
        if key == "partner_programmes":
            sections[key].update(
                checked=section["checked"], benefit_at_stake=Decimal(section["benefit_at_stake"])
            )
    return {
        "check": coverage_check,
        "day": coverage_check.check_date,
        "base_url": base_url,
        "warning_days": report.get("warning_days", coverage_check.warning_days),
        "notice_horizon_days": report.get("notice_horizon_days"),
        "training_horizon_days": report.get("training_horizon_days"),
        "end_of_support_days": report.get("end_of_support_days"),
        "time_gap_days": report.get("time_gap_days"),
        "sections": sections,
        "report_url": base_url + reverse("coverage:report_detail", args=[coverage_check.pk]),
        "reports_url": base_url + reverse("coverage:report_list"),
    }


# ------------------------------------------------------------------------------ sending


def report_recipient_addresses() -> list[tuple[str, int]]:
    """(email, user id) of the active members of the report recipients group, by email."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=groups.REPORT_RECIPIENTS)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "pk")
        .distinct()
    )


def coverage_report_recipients() -> list[str]:
    """Emails of the active members of the report recipients group."""
    return [email for email, _ in report_recipient_addresses()]


def _recipients_group():
    group, _ = Group.objects.get_or_create(name=groups.REPORT_RECIPIENTS)
    return group


def report_recipient_users():
    """The members of the report recipients group, by name."""
    return _recipients_group().user_set.order_by("first_name", "last_name", "username")


@transaction.atomic
def report_recipients_set(*, users) -> None:
    """Make `users` the members of the report recipients group, and only them."""
    _recipients_group().user_set.set(users)


def report_recipient_opt_out(*, user) -> None:
    """`user` no longer receives the nightly report (an admin may add them again)."""
    _recipients_group().user_set.remove(user)


def coverage_report_message(
    *, coverage_check: CoverageCheck, recipients: list[str], subject_prefix: str = ""
) -> EmailMultiAlternatives:
    """The email of a recorded check: the nightly run's, its preview, or a test of it."""
    report = report_context(coverage_check=coverage_check)
    context = {"report": report, **report}
    subject = " ".join(render_to_string("emails/coverage-report-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject_prefix + subject,
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
        run = (
            CoverageRun.objects.select_for_update(of=("self",))
            .select_related("coverage_check")
            .get(pk=run_id)
        )
        if run.email_status == CoverageRun.EmailStatus.SENT:
            return run.email_status
        recipients = coverage_report_recipients()
        run.recipients_count = len(recipients)
        if not recipients:
            run.email_status = CoverageRun.EmailStatus.SKIPPED
            run.save(update_fields=["email_status", "recipients_count"])
            return run.email_status
        message = coverage_report_message(coverage_check=run.coverage_check, recipients=recipients)
        run.attempts += 1
        try:
            message.send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            error = exc
            run.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("Coverage report of run %s not sent: %s", run.pk, run.last_error)
            run.email_status = (
                CoverageRun.EmailStatus.FAILED if final_attempt else CoverageRun.EmailStatus.PENDING
            )
        else:
            run.email_status = CoverageRun.EmailStatus.SENT
            run.sent_at = timezone.now()
            run.last_error = ""
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


# ------------------------------------------------------------------------------ before it is sent

TEST_SUBJECT_PREFIX = "[Test] "
TEST_EMAIL_INTERVAL = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class ReportPreview:
    """The email of a check's report as the nightly run would send it, not sent: its subject,
    plain text and HTML parts."""

    coverage_check: CoverageCheck
    subject: str
    text: str
    html: str


def report_preview(*, coverage_check: CoverageCheck) -> ReportPreview:
    """Render the email of `coverage_check` without sending it. No query."""
    message = coverage_report_message(coverage_check=coverage_check, recipients=[])
    (html, _mimetype) = message.alternatives[0]
    return ReportPreview(
        coverage_check=coverage_check, subject=message.subject, text=message.body, html=html
    )


def report_test_email_create(*, coverage_check: CoverageCheck, user) -> ReportTestEmail:
    """Record a test email of the check's report to `user` alone; the caller queues its sending.
    Refused (ValidationError) when the user has no email address, or asked less than a minute
    ago, so that a double click sends one."""
    if not user.email:
        raise ValidationError(
            "Your account has no email address, so there is nowhere to send the test; an "
            "administrator can add one in Django admin."
        )
    recent = ReportTestEmail.objects.filter(
        requested_by=user, created_at__gte=timezone.now() - TEST_EMAIL_INTERVAL
    )
    if recent.exists():
        raise ValidationError(
            f"A test email went to {user.email} less than a minute ago; look for it in your "
            "inbox (or its spam folder) before sending another."
        )
    return ReportTestEmail.objects.create(
        coverage_check=coverage_check, requested_by=user, recipient=user.email
    )


def report_test_email_send(*, test_email_id: int, final_attempt: bool = True) -> str:
    """Send a test email to its one recipient, at most once; returns its status afterwards.
    Transient SMTP errors are recorded and raised again for the task to retry, as for the
    nightly report; the run of the check, if any, is left as it is."""
    error = None
    with transaction.atomic():
        test_email = (
            ReportTestEmail.objects.select_for_update(of=("self",))
            .select_related("coverage_check")
            .get(pk=test_email_id)
        )
        if test_email.status == ReportTestEmail.Status.SENT:
            return test_email.status
        message = coverage_report_message(
            coverage_check=test_email.coverage_check,
            recipients=[test_email.recipient],
            subject_prefix=TEST_SUBJECT_PREFIX,
        )
        test_email.attempts += 1
        try:
            message.send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            error = exc
            test_email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("Test email %s not sent: %s", test_email.pk, test_email.last_error)
            test_email.status = (
                ReportTestEmail.Status.FAILED if final_attempt else ReportTestEmail.Status.PENDING
            )
        else:
            test_email.status = ReportTestEmail.Status.SENT
            test_email.sent_at = timezone.now()
            test_email.last_error = ""
        test_email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    if error is not None:
        raise error
    return test_email.status
