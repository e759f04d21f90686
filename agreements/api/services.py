"""The API's writes: the personal tokens, and the webhooks' deliveries, made from what coverage
announces (webhooks.py), then sent, claimed and recorded one attempt at a time (the task,
tasks.py, calls webhook_deliver)."""

import datetime
import hashlib
import hmac
import http.client
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from agreements.api.models import ApiToken, Webhook, WebhookDelivery
from agreements.api.webhooks import Announcement
from core.network import UNRESOLVABLE, http_post, public_addresses, webhook_url_parts

# ------------------------------------------------------------------------------ tokens

MAX_TOKENS_PER_USER = 20


def api_token_create(
    *, user, name: str, expires_on: datetime.date | None = None
) -> tuple[ApiToken, str]:
    """A personal token for `user`: the row (its hash only) and the token itself, which is
    shown once and never stored. With `expires_on` it stops working at the end of that day."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Say what the token is for, e.g. “PSA sync”."})
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            f"You already have {MAX_TOKENS_PER_USER} tokens: revoke one you no longer use first."
        )
    expiry = None
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise ValidationError({"expires_on": "The expiry date has passed; pick a later one."})
        end_of_day = datetime.datetime.combine(expires_on, datetime.time.max)
        expiry = timezone.make_aware(end_of_day) - timezone.now()
    return ApiToken.objects.create(user=user, expiry=expiry, name=name)


def api_token_revoke(*, user, token_key: str) -> bool:
    """Revoke one of `user`'s tokens; False when they have none by that key."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def api_tokens_delete_expired() -> int:
    """Delete every token whose expiry has passed; how many. An expired token is refused from
    the moment it expires; this removes its row, which knox would remove only when the token is
    presented again."""
    deleted, _ = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


# ------------------------------------------------------------------------------ webhooks

USER_AGENT = "Covered-Webhooks/1"


def webhook_secret_generate() -> str:
    return secrets.token_urlsafe(32)


def webhook_save(*, webhook: Webhook) -> Webhook:
    """Save a webhook an admin registered or changed; a blank secret gets a generated one."""
    if not webhook.secret:
        webhook.secret = webhook_secret_generate()
    webhook.full_clean()
    webhook.save()
    return webhook


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-Covered-Signature header of `body`: "sha256=" and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------ deliveries


def _body(
    *,
    payload_format: str,
    event: str,
    delivery_id: int,
    sent_at: datetime.datetime,
    data: dict,
    text: str,
    replay_of: int | None = None,
) -> str:
    if payload_format == Webhook.PayloadFormat.SLACK:
        return json.dumps({"text": text}, ensure_ascii=False)
    body = {"event": event, "delivery": delivery_id, "sent_at": sent_at, "data": data}
    if replay_of is not None:
        body["replay_of"] = replay_of
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)


def webhook_deliveries_create(
    *, event: str, announce: Callable[[], list[Announcement]]
) -> list[int]:
    """One delivery of each announcement to each active webhook that wants `event`; the ids of
    those made now (a webhook already told of an announcement is not told again).

    `announce` is called only when some webhook wants the event. Queries do not grow with the
    number of announcements: the webhooks, then (when one wants it) what `announce` reads, one
    insert, one read and one update.
    """
    webhooks = [
        webhook for webhook in Webhook.objects.filter(is_active=True) if webhook.wants(event)
    ]
    if not webhooks:
        return []
    announcements = {announcement.key: announcement for announcement in announce()}
    if not announcements:
        return []
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(webhook=webhook, event=event, event_key=key, payload="")
                for webhook in webhooks
                for key in announcements
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        # The body names the delivery, so it is written once the row has its id; rows that
        # already had a body were made by an earlier announcement.
        made = list(
            WebhookDelivery.objects.filter(
                webhook__in=webhooks,
                event_key__in=list(announcements),
                replay_of__isnull=True,
                payload="",
            ).select_related("webhook")
        )
        for delivery in made:
            announcement = announcements[delivery.event_key]
            delivery.payload = _body(
                payload_format=delivery.webhook.payload_format,
                event=event,
                delivery_id=delivery.pk,
                sent_at=delivery.created_at,
                data=announcement.data,
                text=announcement.text,
            )
        WebhookDelivery.objects.bulk_update(made, ["payload"], batch_size=1000)
    return sorted(delivery.pk for delivery in made)


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of what `delivery` sent, to the same webhook: the same event and data (the
    same text when it was Slack-compatible), under its own id and time, naming the one it
    replays."""
    original = json.loads(delivery.payload)
    slack = "event" not in original
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            webhook=delivery.webhook,
            event=delivery.event,
            event_key=delivery.event_key,
            payload="",
            replay_of=delivery,
        )
        replay.payload = _body(
            payload_format=Webhook.PayloadFormat.SLACK if slack else Webhook.PayloadFormat.JSON,
            event=delivery.event,
            delivery_id=replay.pk,
            sent_at=replay.created_at,
            data=original.get("data", {}),
            text=original.get("text", ""),
            replay_of=delivery.pk,
        )
        replay.save(update_fields=["payload"])
    return replay


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> bool:
    """Give a failed delivery a new series of attempts; False when it has not failed."""
    return bool(
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.FAILED).update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=None
        )
    )


# ------------------------------------------------------------------------------ sending


@dataclass(frozen=True)
class DeliveryOutcome:
    """What an attempt left: the delivery's status, and in how many seconds to try again."""

    status: str
    retry_in: int | None = None


@dataclass(frozen=True)
class _Attempt:
    status_code: int | None = None
    response_ms: int | None = None
    error: str = ""
    retryable: bool = True

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def webhook_retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …) of a series."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return min(delay, settings.WEBHOOK_RETRY_MAX_SECONDS)


def _post(delivery: WebhookDelivery) -> _Attempt:
    """One POST of the delivery to its webhook, its host checked again first."""
    webhook = delivery.webhook
    try:
        scheme, host, port = webhook_url_parts(webhook.url)
        addresses = public_addresses(host, port, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
    except ValueError:
        return _Attempt(error="The webhook's URL is not valid.", retryable=False)
    except ValidationError as error:
        # A host that is not found may be back later; one that points inside is refused.
        return _Attempt(error=" ".join(error.messages), retryable=error.code == UNRESOLVABLE)
    parts = urlsplit(webhook.url)
    body = delivery.payload.encode()
    started = time.monotonic()
    try:
        answer = http_post(
            scheme=scheme,
            host=host,
            port=port,
            target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            addresses=addresses,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Covered-Event": delivery.event,
                "X-Covered-Delivery": str(delivery.pk),
                "X-Covered-Signature": webhook_signature(secret=webhook.secret, body=body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except (OSError, http.client.HTTPException) as error:
        return _Attempt(error=f"{type(error).__name__}: {error}")
    response_ms = round((time.monotonic() - started) * 1000)
    attempt = _Attempt(status_code=answer.status, response_ms=response_ms)
    if attempt.succeeded:
        return attempt
    said = answer.start_of_body.decode(errors="replace").strip()
    error = f"HTTP {answer.status} {answer.reason}" + (f": {said}" if said else "")
    return _Attempt(status_code=answer.status, response_ms=response_ms, error=error)


def webhook_deliver(*, delivery_id: int, attempt: int = 1) -> DeliveryOutcome:
    """Make attempt number `attempt` (1, 2, …) of the delivery's series; safe to run twice.

    A delivery that succeeded or failed for good is not sent again, and one that another worker
    is sending right now is left to it. 2xx: succeeded. Anything else (another status, no
    answer within WEBHOOK_TIMEOUT_SECONDS, a refused connection) leaves it pending with
    `retry_in` seconds to wait, or failed after WEBHOOK_MAX_ATTEMPTS attempts; a host that now
    points at a private address fails it at once. Every attempt is recorded.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:  # gone, or being sent by another worker
            return DeliveryOutcome("")
        if delivery.status != WebhookDelivery.Status.PENDING:
            return DeliveryOutcome(delivery.status)
        if not delivery.webhook.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "Not sent: the webhook is inactive."
            delivery.next_attempt_at = None
            delivery.save()
            return DeliveryOutcome(delivery.status)
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        result = _post(delivery)
        delivery.last_status_code = result.status_code
        delivery.last_response_ms = result.response_ms
        delivery.last_error = result.error[:500]
        retry_in = None
        if result.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = timezone.now()
        elif result.retryable and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
            retry_in = webhook_retry_delay(attempt)
        else:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = (
            delivery.last_attempt_at + datetime.timedelta(seconds=retry_in) if retry_in else None
        )
        delivery.save()
    return DeliveryOutcome(delivery.status, retry_in)
