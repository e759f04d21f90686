"""A user's private calendar feed (iCalendar, RFC 5545) of the deadlines that concern them: the
notice deadlines and renewals of the agreements they own or whose client they manage, the expiry
of their certifications and the due dates of their open training goals; members of the report
recipients group also get every certification expiry of the team (they are reminded of those).
A user who is a technician also gets their time off (all-day events) and their on-call turns
(timed events, one per stretch of a turn that is theirs, overrides applied).
The feed's URL holds a secret shown once; only its SHA-256 is stored."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from icalendar import Calendar, Event

from agreements.coverage.models import CalendarFeed
from agreements.models import Agreement
from core import groups
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    Technician,
    TechnicianCertification,
    TimeOff,
    TrainingGoal,
)
from skills.rotas import rota_periods, schedule
from skills.weekly_patterns import pattern_text

PAST_DAYS = 30  # deadlines kept in the feed after they passed
AHEAD_DAYS = 400  # how far ahead the feed looks
MAX_EVENTS = 1000
# On-call turns are worked out from the rotas: the feed shows a week back and a quarter ahead.
SHIFTS_PAST_DAYS = 7
SHIFTS_AHEAD_DAYS = 92


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_renew(*, user) -> str:
    """A new secret for the user's feed, to show once; the previous URL stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    return token


def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_user(token: str):
    """The active user whose feed the secret opens, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    return feed.user if feed is not None and feed.user.is_active else None


@dataclass(frozen=True)
class Deadline:
    uid: str
    day: datetime.date
    summary: str
    path: str
    last_day: datetime.date | None = None  # for a span of days (time off)


@dataclass(frozen=True)
class Shift:
    """A stretch of an on-call turn that is the user's (a technician's), as a timed event."""

    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    description: str
    path: str


def deadlines_of(user, *, day: datetime.date) -> list[Deadline]:
    """The deadlines that concern `user` from PAST_DAYS ago to AHEAD_DAYS ahead, soonest first."""
    first = day - datetime.timedelta(days=PAST_DAYS)
    last = day + datetime.timedelta(days=AHEAD_DAYS)
    found = []
    mine = Agreement.objects.filter(
        Q(owner=user) | Q(client__account_manager=user), status=Agreement.Status.ACTIVE
    ).select_related("client")
    for agreement in mine.filter(notice_date__range=(first, last))[:MAX_EVENTS]:
        found.append(
            Deadline(
                f"notice-{agreement.pk}-{agreement.notice_date:%Y%m%d}",
                agreement.notice_date,
                f"Notice deadline: {agreement.reference} {agreement.title} "
                f"({agreement.client.name})",
                reverse("agreements:detail", args=[agreement.pk]),
            )
        )
    renewing = mine.filter(auto_renew=True, term_end__range=(first, last))[:MAX_EVENTS]
    for agreement in renewing:
        renews_on = agreement.term_end + datetime.timedelta(days=1)
        found.append(
            Deadline(
                f"renewal-{agreement.pk}-{renews_on:%Y%m%d}",
                renews_on,
                f"Renews: {agreement.reference} {agreement.title} ({agreement.client.name})",
                reverse("agreements:detail", args=[agreement.pk]),
            )
        )
    held = TechnicianCertification.objects.filter(expires_on__range=(first, last)).exclude(
        technician__status=Technician.Status.DEPARTED
    )
    if not user.groups.filter(name=groups.REPORT_RECIPIENTS).exists():
        held = held.filter(technician__user=user)
    for certification in held.select_related("technician", "certification")[:MAX_EVENTS]:
        found.append(
            Deadline(
                f"certification-{certification.pk}-{certification.expires_on:%Y%m%d}",
                certification.expires_on,
                f"{certification.technician.name}'s {certification.certification.name} expires",
                reverse("skills:technician_detail", args=[certification.technician_id]),
            )
        )
    goals = TrainingGoal.objects.filter(
        technician__user=user, status__in=TrainingGoal.OPEN_STATUSES, due_date__range=(first, last)
    ).select_related("skill", "target_version", "certification", "technician")
    for goal in goals[:MAX_EVENTS]:
        found.append(
            Deadline(
                f"goal-{goal.pk}-{goal.due_date:%Y%m%d}",
                goal.due_date,
                f"Training goal due: {goal.technician.name}: {goal.target}",
                reverse("planning:plan"),
            )
        )
    time_off = TimeOff.objects.filter(
        technician__user=user, last_day__gte=first, first_day__lte=last
    ).select_related("technician")
    for span in time_off[:MAX_EVENTS]:
        found.append(
            Deadline(
                f"time-off-{span.pk}-{span.first_day:%Y%m%d}",
                span.first_day,
                f"{span.technician.name}: {span.get_kind_display().lower()}"
                + (f" ({span.note})" if span.note else ""),
                reverse("skills:technician_detail", args=[span.technician_id]),
                last_day=span.last_day,
            )
        )
    return sorted(found, key=lambda deadline: (deadline.day, deadline.uid))


def on_call_shifts_of(user, *, day: datetime.date) -> list[Shift]:
    """The stretches of on-call turns that are `user`'s technicians' from SHIFTS_PAST_DAYS ago
    to SHIFTS_AHEAD_DAYS ahead (each rota's schedule, overrides applied), soonest first. Inside a
    stretch, the technician is on call during the rota's hours, which the event names."""
    mine = {technician.pk: technician for technician in Technician.objects.filter(user=user)}
    if not mine:
        return []
    start = datetime.datetime.combine(
        day - datetime.timedelta(days=SHIFTS_PAST_DAYS), datetime.time(), tzinfo=datetime.UTC
    )
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=SHIFTS_AHEAD_DAYS), datetime.time(), tzinfo=datetime.UTC
    )
    in_window = OnCallOverride.objects.filter(starts_at__lt=end, ends_at__gt=start)
    rotas = (
        OnCallRota.objects.filter(
            Q(members__technician__in=mine)
            | Q(overrides__technician__in=mine, overrides__in=in_window)
        )
        .distinct()
        .prefetch_related(
            "hours",
            Prefetch("members", OnCallMember.objects.order_by("position")),
            Prefetch("overrides", in_window, to_attr="window_overrides"),
        )
    )
    found = []
    for rota in rotas:
        hours = pattern_text(rota_periods(rota.hours.all()))
        segments = schedule(
            rota=rota,
            members=[member.technician_id for member in rota.members.all()],
            overrides=rota.window_overrides,
            start=start,
            end=end,
        )
        for segment in segments:
            technician = mine.get(segment.technician_id)
            if technician is None:
                continue
            cover = " (cover)" if segment.is_override else ""
            found.append(
                Shift(
                    f"on-call-{rota.pk}-{technician.pk}-{segment.starts_at:%Y%m%dT%H%MZ}",
                    segment.starts_at,
                    segment.ends_at,
                    f"On call{cover}: {rota.name} ({technician.name})",
                    f"{technician.name}'s turn on the {rota.name} rota: on call during the "
                    f"rota's hours, {hours} ({rota.time_zone} time).",
                    reverse("skills:technician_detail", args=[technician.pk]),
                )
            )
    return sorted(found, key=lambda shift: (shift.starts_at, shift.uid))[:MAX_EVENTS]


def calendar_feed_ics(user, *, day: datetime.date, stamp: datetime.datetime) -> bytes:
    """The feed as iCalendar: one all-day event per deadline."""
    calendar = Calendar()
    calendar.add("prodid", "-//Covered//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Covered deadlines")
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "covered"
    for deadline in deadlines_of(user, day=day):
        event = Event()
        event.add("uid", f"{deadline.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", (deadline.last_day or deadline.day) + datetime.timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("url", f"{settings.SITE_URL}{deadline.path}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    for shift in on_call_shifts_of(user, day=day):
        event = Event()
        event.add("uid", f"{shift.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at.astimezone(datetime.UTC))
        event.add("dtend", shift.ends_at.astimezone(datetime.UTC))
        event.add("summary", shift.summary)
        event.add("description", shift.description)
        event.add("url", f"{settings.SITE_URL}{shift.path}")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
