"""Webhooks: tell the rest of the MSP's stack when coverage changes (DESIGN "Getting data in and
out").

Coverage announces what happened with its signals (agreements/coverage/signals.py); the
receivers (receivers.py) turn each announcement, made here, into one `WebhookDelivery` per
active webhook that wants the event, with the exact body it will be sent, and queue it
(services.webhook_deliveries_create). The worker then POSTs it (services.webhook_deliver),
signed with the webhook's secret, and records every attempt; a failed attempt is tried again
later, a bounded number of times.

The body of a JSON delivery is `{"event", "delivery", "sent_at", "data"}`; a Slack-compatible
one is `{"text"}`, a message people read. `X-Covered-Signature: sha256=<hex>` is the
HMAC-SHA256 of the raw body with the secret.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from agreements.api.models import WebhookEvent
from agreements.coverage.models import CoverageCheck, CoverageFlag, Reminder, status_label
from core.formatting import CENT, count_text, day_text, money


@dataclass(frozen=True)
class Announcement:
    """One thing to tell the webhooks of: `key` names it (a webhook is told of it once),
    `data` is the JSON event's data, `text` the Slack-compatible message."""

    key: str
    data: dict
    text: str


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _amount(value) -> str:
    """Money in JSON as the API writes it: a string with cents, "25000.00"."""
    return str(Decimal(value).quantize(CENT))


def _slack_escaped(text: str) -> str:
    """Slack reads &, < and > as markup unless escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_announcement(coverage_check: CoverageCheck) -> Announcement:
    check = coverage_check
    report_url = _link(reverse("coverage:report_detail", args=[check.pk]))
    data = {
        "id": check.pk,
        "day": check.check_date,
        "trigger": check.trigger,
        "started_at": check.started_at,
        "finished_at": check.finished_at,
        "figures": {
            "agreements": check.agreements_count,
            "covered": check.covered_count,
            "at_risk": check.at_risk_count,
            "uncovered": check.uncovered_count,
            "not_assessed": check.not_assessed_count,
            "arr_total": _amount(check.arr_total),
            "arr_uncovered": _amount(check.arr_uncovered),
            "arr_at_risk": _amount(check.arr_at_risk),
            "thin": check.thin_count,
            "lapsing": check.lapsing_count,
            "arr_thin": _amount(check.arr_thin),
            "arr_lapsing": _amount(check.arr_lapsing),
            "new_flags": check.new_flags_count,
            "resolved_flags": check.resolved_flags_count,
            "open_flags": check.open_flags_count,
        },
        "url": _link(reverse("api:check-detail", args=[check.pk])),
        "report_url": report_url,
    }
    text = (
        f"Coverage check of {day_text(check.check_date)} "
        f"({check.get_trigger_display().lower()}): {check.uncovered_count} uncovered, "
        f"{check.at_risk_count} at risk, {check.covered_count} covered — "
        f"{money(check.arr_at_risk_total)} of {money(check.arr_total)} ARR at risk. "
        f"{count_text(check.new_flags_count, 'new flag')}, "
        f"{check.resolved_flags_count} resolved.\n{report_url}"
    )
    return Announcement(f"check:{check.pk}", data, _slack_escaped(text))


def flag_announcements(flag_ids: list[int], *, event: str) -> list[Announcement]:
    """One announcement per flag opened or resolved. One query."""
    flags = CoverageFlag.objects.filter(pk__in=flag_ids).select_related("agreement__client")
    announcements = []
    for flag in flags.order_by("pk"):
        agreement, client = flag.agreement, flag.agreement.client
        agreement_url = _link(reverse("agreements:detail", args=[agreement.pk]))
        data = {
            "id": flag.pk,
            "status": flag.status,
            "risk_kind": flag.risk_kind,
            "requirement": flag.requirement_label,
            "requirement_id": flag.requirement_id,
            "reason": flag.reason,
            "qualified_count": flag.qualified_count,
            "lapses_on": flag.lapses_on,
            "first_detected_at": flag.first_detected_at,
            "resolved_at": flag.resolved_at,
            "agreement": {
                "id": agreement.pk,
                "reference": agreement.reference,
                "title": agreement.title,
                "url": agreement_url,
            },
            "client": {"id": client.pk, "name": client.name},
        }
        where = f"{agreement.reference} {agreement.title} ({client.name})"
        if event == WebhookEvent.FLAG_OPENED:
            reason = flag.reason if flag.reason.endswith(".") else f"{flag.reason}."
            text = (
                f"{status_label(flag.status, flag.risk_kind)}: {where} needs "
                f"{flag.requirement_label}. "
                f"{reason}\n{agreement_url}"
            )
        else:
            text = f"Resolved: {where} no longer lacks {flag.requirement_label}.\n{agreement_url}"
        state = "opened" if event == WebhookEvent.FLAG_OPENED else "resolved"
        announcements.append(Announcement(f"flag:{flag.pk}:{state}", data, _slack_escaped(text)))
    return announcements


def reminder_announcement(reminder: Reminder) -> Announcement:
    """A reminder once per (kind, object, deadline, lead time), whoever its recipients."""
    data = {
        "kind": reminder.kind,
        "object_id": reminder.object_id,
        "due_date": reminder.deadline,
        "lead_days": reminder.lead_days,
        "subject": reminder.subject,
    }
    key = f"reminder:{reminder.kind}:{reminder.object_id}:{reminder.deadline}:{reminder.lead_days}"
    text = f"Reminder ({count_text(reminder.lead_days, 'day')} ahead): {reminder.subject}"
    return Announcement(key, data, _slack_escaped(text))
