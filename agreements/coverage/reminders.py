"""Reminders before the deadlines that matter (DESIGN "Agreement terms, renewals and reminders"):
a notice deadline (to the agreement's owner, else the client's account manager, else the report
recipients), a certification's expiry (to the technician and the report recipients) and a
training goal's due date (to the technician), REMINDER_LEAD_DAYS before each; and the start of
an on-call turn (to the technician whose turn it is, overrides applied), ON_CALL_LEAD_DAYS
before it: the deadline is the turn's first day in the rota's zone, the object its rota, so
that each turn is reminded once. A technician's skill not assessed for SKILL_REVIEW_MONTHS is
reminded to the technician once it is due, once per review period: the deadline is the day it
came due, which a "still accurate" or an edit moves to the next period.

Every day `reminders_queue` claims what is due: one row per (object, deadline, lead time,
recipient), which the unique constraint makes happen once however often the job runs. The lead
time due is the shortest one not yet past; longer ones that come due on the same day (an object
created 20 days before its deadline) are recorded as skipped, never sent. `reminder_send` sends
one row at most once, like the report: a deadline that moved since (a term renewed, a
certification renewed) is not reminded any more.
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agreements.coverage import signals
from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageStatus, Reminder, ReminderOptOut
from agreements.coverage.report import TRANSIENT_EMAIL_ERRORS, report_recipient_addresses
from agreements.models import Agreement
from agreements.terms import renewal_end
from core.formatting import day_text
from core.models import add_months
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)
from skills.rotas import handoff, rota_periods, schedule, turn_at
from skills.weekly_patterns import pattern_text

log = logging.getLogger(__name__)
# A technician hears of their on-call turn a week before it starts, once.
ON_CALL_LEAD_DAYS = 7


@dataclass(frozen=True)
class Deadline:
    kind: str
    object_id: int
    deadline: datetime.date
    recipients: tuple[tuple[str, int | None], ...]  # (email, user id)


def _people(*users) -> tuple[tuple[str, int | None], ...]:
    return tuple((user.email, user.pk) for user in users if user.is_active and user.email)


def _recipients_of_the_report() -> tuple[tuple[str, int | None], ...]:
    return tuple(report_recipient_addresses())


def reminder_kinds_of(user) -> set[str]:
    """The kinds of reminder `user` receives (all but those they opted out of)."""
    opted_out = set(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in Reminder.Kind.values if kind not in opted_out}


@transaction.atomic
def reminder_kinds_set(*, user, kinds) -> None:
    """`user` receives the reminders of `kinds` and no others."""
    ReminderOptOut.objects.filter(user=user).delete()
    ReminderOptOut.objects.bulk_create(
        ReminderOptOut(user=user, kind=kind) for kind in Reminder.Kind.values if kind not in kinds
    )


def _technician_address(technician: Technician) -> tuple[tuple[str, int | None], ...]:
    if technician.user_id and technician.user.is_active and technician.user.email:
        return ((technician.user.email, technician.user_id),)
    return ((technician.email, None),) if technician.email else ()


def _unique(recipients) -> tuple[tuple[str, int | None], ...]:
    seen, kept = set(), []
    for email, user_id in recipients:
        if email.lower() not in seen:
            seen.add(email.lower())
            kept.append((email, user_id))
    return tuple(kept)


def notice_deadline_of(agreement: Agreement, day: datetime.date) -> datetime.date | None:
    """The agreement's notice deadline on `day`, from its current term (none when inactive)."""
    if agreement.status != Agreement.Status.ACTIVE:
        return None
    term = agreement.current_term(day)
    return term.notice_by if term is not None else None


@dataclass(frozen=True)
class Turn:
    """An on-call turn and the technician whose turn it is when it starts."""

    rota: OnCallRota
    number: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    technician: Technician

    @property
    def first_day(self) -> datetime.date:
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.rota.time_zone)).date()


def on_call_turns_between(
    first: datetime.date, last: datetime.date, *, rota_ids=None
) -> list[Turn]:
    """The turns of rotas with members whose first day (in the rota's zone) falls in
    [first, last], each with the technician on call at its start (an override there included).
    A fixed number of queries, whatever the number of rotas."""
    rotas = OnCallRota.objects.filter(members__isnull=False).distinct()
    if rota_ids is not None:
        rotas = rotas.filter(pk__in=rota_ids)
    rotas = rotas.prefetch_related(
        Prefetch("members", OnCallMember.objects.select_related("technician__user")),
        Prefetch(
            "overrides",
            OnCallOverride.objects.filter(
                starts_at__lt=datetime.datetime.combine(
                    last + datetime.timedelta(days=2), datetime.time(), tzinfo=datetime.UTC
                ),
                ends_at__gt=datetime.datetime.combine(
                    first - datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
                ),
            ).select_related("technician__user"),
        ),
    )
    found = []
    for rota in rotas:
        zone = zoneinfo.ZoneInfo(rota.time_zone)
        members = list(rota.members.all())
        technicians = {member.technician_id: member.technician for member in members}
        technicians.update({o.technician_id: o.technician for o in rota.overrides.all()})
        timing = {"zone": rota.time_zone, "starts_at": rota.starts_at}
        opens = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
        turn = turn_at(**timing, rotation_days=rota.rotation_days, moment=opens)
        turn = 0 if turn is None else turn
        while True:
            starts_at = handoff(**timing, rotation_days=rota.rotation_days, turn=turn)
            if starts_at.astimezone(zone).date() > last:
                break
            ends_at = handoff(**timing, rotation_days=rota.rotation_days, turn=turn + 1)
            if starts_at.astimezone(zone).date() >= first:
                at_start = schedule(
                    rota=rota,
                    members=[member.technician_id for member in members],
                    overrides=list(rota.overrides.all()),
                    start=starts_at,
                    end=starts_at + datetime.timedelta(minutes=30),
                )
                if at_start:
                    technician = technicians[at_start[0].technician_id]
                    found.append(Turn(rota, turn, starts_at, ends_at, technician))
            turn += 1
    return found


def deadlines_between(first: datetime.date, last: datetime.date) -> list[Deadline]:
    """Every deadline in [first, last] that someone is reminded of, with whom to remind."""
    report = None
    found = []
    agreements = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, notice_date__range=(first, last)
    ).select_related("owner", "client__account_manager")
    for agreement in agreements:
        manager = agreement.client.account_manager
        people = _people(*(user for user in (agreement.owner, manager) if user is not None))[:1]
        if not people:
            report = report if report is not None else _recipients_of_the_report()
            people = report
        found.append(Deadline(Reminder.Kind.NOTICE, agreement.pk, agreement.notice_date, people))
    held = (
        TechnicianCertification.objects.filter(expires_on__range=(first, last))
        .exclude(technician__status=Technician.Status.DEPARTED)
        .select_related("technician__user")
    )
    for certification in held:
        report = report if report is not None else _recipients_of_the_report()
        people = _unique(_technician_address(certification.technician) + report)
        found.append(
            Deadline(
                Reminder.Kind.CERTIFICATION, certification.pk, certification.expires_on, people
            )
        )
    goals = TrainingGoal.objects.filter(
        status__in=TrainingGoal.OPEN_STATUSES, due_date__range=(first, last)
    ).select_related("technician__user")
    for goal in goals:
        people = _technician_address(goal.technician)
        found.append(Deadline(Reminder.Kind.GOAL, goal.pk, goal.due_date, people))
    on_call_last = min(last, first + datetime.timedelta(days=ON_CALL_LEAD_DAYS - 1))
    for turn in on_call_turns_between(first, on_call_last):
        if turn.technician.status == Technician.Status.DEPARTED:
            continue
        people = _technician_address(turn.technician)
        found.append(Deadline(Reminder.Kind.ON_CALL, turn.rota.pk, turn.first_day, people))
    return found


def review_due_on(technician_skill: TechnicianSkill) -> datetime.date:
    """The day a technician's skill comes due for review (DESIGN "Technicians keep their own
    skills"): SKILL_REVIEW_MONTHS after its assessment."""
    return add_months(technician_skill.assessed_on, settings.SKILL_REVIEW_MONTHS)


def skill_reviews_due(day: datetime.date) -> list[Deadline]:
    """The skills due for review on `day` of technicians still on the team, to remind them
    (their login's email, else their own). One query."""
    due = (
        TechnicianSkill.objects.due_for_review(day)
        .filter(technician__in=Technician.objects.on_team())
        .select_related("technician__user")
    )
    return [
        Deadline(
            Reminder.Kind.SKILL_REVIEW,
            technician_skill.pk,
            review_due_on(technician_skill),
            _technician_address(technician_skill.technician),
        )
        for technician_skill in due
    ]


def lead_days_of(kind: str) -> list[int]:
    """The lead times of a kind of reminder."""
    if kind == Reminder.Kind.ON_CALL:
        return [ON_CALL_LEAD_DAYS]
    if kind == Reminder.Kind.SKILL_REVIEW:
        return [0]
    return list(settings.REMINDER_LEAD_DAYS)


@transaction.atomic
def reminders_queue(*, day: datetime.date) -> list[int]:
    """Claim the reminders due on `day`; the ids of those to send (pending, deadline ahead)."""
    leads = settings.REMINDER_LEAD_DAYS
    first = day + datetime.timedelta(days=1)
    last = day + datetime.timedelta(days=max(*leads, ON_CALL_LEAD_DAYS))
    rows = []
    opted_out = set(ReminderOptOut.objects.values_list("user_id", "kind"))
    for deadline in deadlines_between(first, last) + skill_reviews_due(day):
        days_left = (deadline.deadline - day).days
        due = [lead for lead in lead_days_of(deadline.kind) if days_left <= lead]
        for lead in due:
            status = Reminder.Status.PENDING if lead == min(due) else Reminder.Status.SKIPPED
            rows += [
                Reminder(
                    kind=deadline.kind,
                    object_id=deadline.object_id,
                    deadline=deadline.deadline,
                    lead_days=lead,
                    recipient=email,
                    user_id=user_id,
                    status=status,
                )
                for email, user_id in deadline.recipients
                if (user_id, deadline.kind) not in opted_out
            ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    # A review is reminded once its skill has come due, so its deadline is today or past.
    return list(
        Reminder.objects.filter(
            Q(deadline__gte=first) | Q(kind=Reminder.Kind.SKILL_REVIEW),
            status=Reminder.Status.PENDING,
        )
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


# ------------------------------------------------------------------------------ the messages


def _current_deadline(reminder: Reminder, day: datetime.date) -> datetime.date | None:
    """The object's deadline today: a reminder for any other date is out of date."""
    if reminder.kind == Reminder.Kind.NOTICE:
        agreement = Agreement.objects.filter(pk=reminder.object_id).first()
        return notice_deadline_of(agreement, day) if agreement else None
    if reminder.kind == Reminder.Kind.CERTIFICATION:
        held = TechnicianCertification.objects.filter(pk=reminder.object_id).first()
        return held.expires_on if held else None
    if reminder.kind == Reminder.Kind.ON_CALL:
        turn = _turn_of(reminder)
        return turn.first_day if turn is not None else None
    if reminder.kind == Reminder.Kind.SKILL_REVIEW:
        technician_skill = TechnicianSkill.objects.filter(
            pk=reminder.object_id, technician__in=Technician.objects.on_team()
        ).first()
        return review_due_on(technician_skill) if technician_skill else None
    goal = TrainingGoal.objects.filter(
        pk=reminder.object_id, status__in=TrainingGoal.OPEN_STATUSES
    ).first()
    return goal.due_date if goal else None


def _turn_of(reminder: Reminder) -> Turn | None:
    """The turn of the reminder's rota that starts on its deadline, when it is still the
    recipient's (a swap since, or a rota changed, makes it somebody else's or none)."""
    turns = on_call_turns_between(
        reminder.deadline, reminder.deadline, rota_ids=[reminder.object_id]
    )
    return next(
        (
            turn
            for turn in turns
            if any(
                email.lower() == reminder.recipient.lower()
                for email, _ in _technician_address(turn.technician)
            )
        ),
        None,
    )


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notice_coverage_line(agreement: Agreement, day: datetime.date) -> str:
    """The reminder's first line when renewing would commit the firm to a term it cannot cover:
    the agreement evaluated with the window extended to the end of its next term. "" when
    coverage holds until then."""
    term = agreement.current_term(day)
    if term is None or term.end is None:
        return ""
    until = term.end
    if agreement.auto_renew:
        until = renewal_end(agreement.end_date, term.number + 1, agreement.renewal_term_months)
    result = evaluate_coverage(
        day=day, agreement_ids=[agreement.pk], warning_days=(until - day).days
    )
    for checked in result.agreements:
        for requirement in checked.requirements:
            if requirement.status != CoverageStatus.COVERED:
                # e.g. "Coverage lapses on 16 Jan 2027: Dana Ortiz's CCNA expires on 15 Jan
                # 2027", or "Only Dana Ortiz qualifies (2 needed)".
                return (
                    f"{requirement.label} — {requirement.reason} "
                    f"(checked until {day_text(until)}, the end of the next term)."
                )
    return ""


def reminder_content(reminder: Reminder, day: datetime.date) -> tuple[str, str]:
    """(subject, body) of a reminder."""
    context = {"reminder": reminder, "deadline": day_text(reminder.deadline), "day": day}
    if reminder.kind == Reminder.Kind.NOTICE:
        agreement = Agreement.objects.select_related("client").get(pk=reminder.object_id)
        context.update(
            agreement=agreement,
            coverage_line=notice_coverage_line(agreement, day),
            term=agreement.current_term(day),
            link=_link(reverse("agreements:detail", args=[agreement.pk])),
        )
        subject = f"Notice deadline {context['deadline']}: {agreement.reference} {agreement.title}"
    elif reminder.kind == Reminder.Kind.CERTIFICATION:
        held = TechnicianCertification.objects.select_related("technician", "certification").get(
            pk=reminder.object_id
        )
        context.update(
            held=held, link=_link(reverse("skills:technician_detail", args=[held.technician_id]))
        )
        subject = (
            f"{held.technician.name}'s {held.certification.name} expires on {context['deadline']}"
        )
    elif reminder.kind == Reminder.Kind.ON_CALL:
        turn = _turn_of(reminder)
        zone = zoneinfo.ZoneInfo(turn.rota.time_zone)
        starts, ends = turn.starts_at.astimezone(zone), turn.ends_at.astimezone(zone)
        context.update(
            turn=turn,
            starts=f"{day_text(starts.date())} {starts:%H:%M}",
            ends=f"{day_text(ends.date())} {ends:%H:%M}",
            hours=pattern_text(rota_periods(turn.rota.hours.all())),
            link=_link(reverse("skills:technician_detail", args=[turn.technician.pk])),
        )
        subject = (
            f"On call from {context['starts']} ({turn.rota.time_zone}): {turn.rota.name}, "
            f"{turn.technician.name}"
        )
    elif reminder.kind == Reminder.Kind.SKILL_REVIEW:
        technician_skill = TechnicianSkill.objects.select_related("technician", "skill").get(
            pk=reminder.object_id
        )
        context.update(
            technician_skill=technician_skill,
            assessed_on=day_text(technician_skill.assessed_on),
            link=_link(reverse("skills:technician_detail", args=[technician_skill.technician_id])),
        )
        subject = (
            f"Skill due for review: {technician_skill.technician.name}'s "
            f"{technician_skill.skill.name} (level {technician_skill.level})"
        )
    else:
        goal = TrainingGoal.objects.select_related("technician").get(pk=reminder.object_id)
        context.update(goal=goal, link=_link(reverse("planning:plan")))
        subject = f"Training goal due {context['deadline']}: {goal.technician.name}: {goal.target}"
    return subject[:255], render_to_string("emails/reminder-body.txt", context)


def reminder_send(*, reminder_id: int, final_attempt: bool = True) -> str:
    """Send one reminder at most once; returns its status afterwards. On a transient SMTP error
    the attempt is recorded and the error raised again for the caller to retry. Each attempt
    announces the reminder as due (agreements/coverage/signals.py), whether its email then goes
    out or not."""
    error = None
    day = timezone.localdate()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.status in (Reminder.Status.SENT, Reminder.Status.SKIPPED):
            return reminder.status
        if _current_deadline(reminder, day) != reminder.deadline:
            reminder.status = Reminder.Status.SKIPPED
            reminder.last_error = "The deadline moved or no longer applies."
            reminder.save(update_fields=["status", "last_error", "updated_at"])
            return reminder.status
        reminder.subject, body = reminder_content(reminder, day)
        signals.reminder_due.send(sender=Reminder, reminder=reminder)
        reminder.attempts += 1
        try:
            EmailMessage(reminder.subject, body, to=[reminder.recipient]).send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            error = exc
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("Reminder %s not sent: %s", reminder.pk, reminder.last_error)
            reminder.status = Reminder.Status.FAILED if final_attempt else Reminder.Status.PENDING
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
        reminder.save()
    if error is not None:
        raise error
    return reminder.status
