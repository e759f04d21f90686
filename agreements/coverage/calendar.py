"""A user's private calendar feed (iCalendar, RFC 5545) of the deadlines that concern them: the
notice deadlines and renewals of the agreements they own or whose client they manage, the expiry
of their certifications and the due dates of their open training goals; members of the report
recipients group also get every certification expiry of the team (they are reminded of those).
The feed's URL holds a secret shown once; only its SHA-256 is stored."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from icalendar import Calendar, Event

from agreements.coverage.models import CalendarFeed
from agreements.models import Agreement
from core import groups
from skills.models import Technician, TechnicianCertification, TrainingGoal

PAST_DAYS = 30  # deadlines kept in the feed after they passed
AHEAD_DAYS = 400  # how far ahead the feed looks
MAX_EVENTS = 1000


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
    return sorted(found, key=lambda deadline: (deadline.day, deadline.uid))


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
        event.add("dtend", deadline.day + datetime.timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("url", f"{settings.SITE_URL}{deadline.path}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
