"""Webhooks against a real HTTP server started by each test: what is sent,
to whom, signed how, retried how, and which URLs may receive it."""

import datetime
import hashlib
import hmac
import json
import shutil
import socket
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.api.models import WebhookDelivery, WebhookEvent
from agreements.api.services import (
    webhook_deliver,
    webhook_deliveries_create,
    webhook_retry_delay,
    webhook_save,
)
from agreements.api.tasks import deliver_webhook
from agreements.api.webhooks import Announcement, flag_announcements
from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck, CoverageFlag
from agreements.coverage.tasks import send_reminders
from config.celery import app as celery_app
from tests.agreements.factories import (
    AgreementFactory,
    CoverageFlagFactory,
    RequirementFactory,
    WebhookFactory,
)
from tests.clients.factories import ClientFactory
from tests.conftest import add_recipient
from tests.receivers import WebhookReceiver, self_signed_certificate
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
SUCCEEDED, FAILED, PENDING = (
    WebhookDelivery.Status.SUCCEEDED,
    WebhookDelivery.Status.FAILED,
    WebhookDelivery.Status.PENDING,
)


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def eager_errors_kept():
    """Eager tasks keep their error in the result, so eager retries run as on a worker (at
    once: an eager retry does not wait for its countdown)."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def uncovered_email():
    """Smith & Jones LLP's managed email ($25,000 a year) needs Exchange, which nobody has."""
    agreement = AgreementFactory(
        reference="AGR-2026-0001",
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
    )
    return RequirementFactory(
        agreement=agreement, skill=SkillFactory(name="Exchange"), min_technicians=2
    )


@pytest.fixture
def check_now(django_capture_on_commit_callbacks):
    """Record a check of DAY, as "Run coverage check now" does, and let what it queued run."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)

    return run


class Resolver:
    """The system's resolver, except for the names a test gives answers for (what a DNS server
    would answer, which a test cannot choose): each lookup of such a name gets the next of its
    answers, the last one again once they run out."""

    def __init__(self):
        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self._system = socket.getaddrinfo

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self._system(host, port, *args, **kwargs)
        self.lookups.append(host)
        answers = self.answers[host]
        ip = answers.pop(0) if len(answers) > 1 else answers[0]
        if ":" in ip:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]


@pytest.fixture
def resolver(monkeypatch):
    fake = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


def hook(receiver, path="/covered", **fields):
    return WebhookFactory(url=f"{receiver.url}{path}", **fields)


def announced(receiver):
    return sorted((sent.path, sent.headers["X-Covered-Event"]) for sent in receiver.requests)


def a_delivery(webhook, *, key="test:1"):
    """A delivery of a made-up announcement to `webhook`, not sent yet."""
    [delivery_id] = webhook_deliveries_create(
        event=WebhookEvent.CHECK_FINISHED,
        announce=lambda: [Announcement(key, {"hello": "receiver"}, "Hello, receiver")],
    )
    return WebhookDelivery.objects.get(pk=delivery_id)


# ------------------------------------------------------------------------------ what is sent


def test_delivery_signature_verifies_with_the_secret_over_the_raw_body(
    receiver, uncovered_email, check_now
):
    hook(receiver, secret="shared-with-the-receiver-only", events=["check.finished"])

    check_now()

    [request] = receiver.requests
    expected = hmac.new(b"shared-with-the-receiver-only", request.body, hashlib.sha256)
    assert request.headers["X-Covered-Signature"] == f"sha256={expected.hexdigest()}"


def test_check_finished_posts_the_check_figures_and_links_as_json(
    receiver, uncovered_email, check_now
):
    hook(receiver, events=["check.finished"])

    check = check_now()

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    body = json.loads(request.body)
    assert (request.path, request.headers["Content-Type"], request.headers["X-Covered-Event"]) == (
        "/covered",
        "application/json",
        "check.finished",
    )
    assert request.headers["X-Covered-Delivery"] == str(delivery.pk)
    assert (body["event"], body["delivery"]) == ("check.finished", delivery.pk)
    assert datetime.datetime.fromisoformat(body["sent_at"]).tzinfo is not None
    data = body["data"]
    assert (data["id"], data["day"], data["trigger"]) == (check.pk, "2026-11-26", "manual")
    assert data["figures"] == {
        "agreements": 1,
        "covered": 0,
        "at_risk": 0,
        "uncovered": 1,
        "not_assessed": 0,
        "arr_total": "25000.00",
        "arr_uncovered": "25000.00",
        "arr_at_risk": "0.00",
        "thin": 0,
        "lapsing": 0,
        "arr_thin": "0.00",
        "arr_lapsing": "0.00",
        "new_flags": 1,
        "resolved_flags": 0,
        "open_flags": 1,
    }
    assert data["url"] == f"http://127.0.0.1:8000/api/v1/checks/{check.pk}/"
    assert data["report_url"] == f"http://127.0.0.1:8000/reports/{check.pk}/"


def test_a_delivered_event_is_recorded_with_its_exact_body_status_and_time(
    receiver, uncovered_email, check_now
):
    hook(receiver, events=["check.finished"])

    check_now()

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        SUCCEEDED,
        1,
        200,
        "",
    )
    assert delivery.payload.encode() == request.body
    assert delivery.last_response_ms is not None
    assert delivery.delivered_at is not None


def test_flag_opened_names_the_agreement_client_requirement_and_reason(
    receiver, uncovered_email, check_now
):
    hook(receiver, events=["flag.opened"])

    check_now()

    [request] = receiver.requests
    flag = CoverageFlag.objects.get()
    data = json.loads(request.body)["data"]
    assert {key: data[key] for key in ("id", "status", "risk_kind", "requirement", "reason")} == {
        "id": flag.pk,
        "status": "uncovered",
        "risk_kind": "",
        "requirement": "Exchange at level 3+",
        "reason": "No active technician has Exchange at level 3 or above",
    }
    assert (data["agreement"]["reference"], data["agreement"]["title"]) == (
        "AGR-2026-0001",
        "Managed email",
    )
    assert data["client"]["name"] == "Smith & Jones LLP"


def test_flag_resolved_is_told_once_coverage_is_back(receiver, uncovered_email, check_now):
    hook(receiver, events=["flag.resolved"])
    check_now()
    flag = CoverageFlag.objects.get()
    for name in ("Dana Ortiz", "Lee Park"):
        TechnicianSkillFactory(
            technician=TechnicianFactory(name=name), skill=uncovered_email.skill, level=4
        )

    check_now()

    [request] = receiver.requests
    body = json.loads(request.body)
    assert (body["event"], body["data"]["id"]) == ("flag.resolved", flag.pk)
    assert body["data"]["resolved_at"] is not None


def test_webhook_is_told_only_of_the_events_it_wants(receiver, uncovered_email, check_now):
    hook(receiver, "/checks", events=["check.finished"])
    hook(receiver, "/flags", events=["flag.opened", "flag.resolved"])
    hook(receiver, "/reminders", events=["reminder.due"])

    check_now()

    assert announced(receiver) == [("/checks", "check.finished"), ("/flags", "flag.opened")]
    assert not WebhookDelivery.objects.filter(webhook__url__endswith="/reminders").exists()


def test_inactive_webhook_gets_no_delivery(receiver, uncovered_email, check_now):
    hook(receiver, is_active=False)

    check_now()

    assert (receiver.requests, WebhookDelivery.objects.count()) == ([], 0)


def test_slack_compatible_flag_opened_is_a_readable_text(receiver, uncovered_email, check_now):
    hook(receiver, events=["flag.opened"], payload_format="slack")

    check_now()

    [request] = receiver.requests
    agreement_id = uncovered_email.agreement_id
    # Slack reads "&", "<" and ">" as markup: they arrive escaped and show as typed.
    assert json.loads(request.body) == {
        "text": "Uncovered: AGR-2026-0001 Managed email (Smith &amp; Jones LLP) needs Exchange "
        "at level 3+. No active technician has Exchange at level 3 or above.\n"
        f"http://127.0.0.1:8000/agreements/{agreement_id}/"
    }


def test_a_flag_opened_at_risk_says_which_kind(receiver, uncovered_email, check_now):
    TechnicianSkillFactory(
        technician=TechnicianFactory(name="Dana Ortiz"), skill=uncovered_email.skill, level=4
    )
    hook(receiver, events=["flag.opened"], payload_format="slack")

    check_now()

    [request] = receiver.requests
    assert json.loads(request.body)["text"].startswith(
        "At risk · thin: AGR-2026-0001 Managed email (Smith &amp; Jones LLP) needs Exchange "
        "at level 3+. Only Dana Ortiz qualifies (2 needed).\n"
    )


def test_slack_compatible_check_finished_sums_up_the_check(receiver, uncovered_email, check_now):
    hook(receiver, events=["check.finished"], payload_format="slack")

    check = check_now()

    [request] = receiver.requests
    assert json.loads(request.body) == {
        "text": "Coverage check of 26 Nov 2026 (by hand): 1 uncovered, 0 at risk, 0 covered — "
        "$25,000 of $25,000 ARR at risk. 1 new flag, 0 resolved.\n"
        f"http://127.0.0.1:8000/reports/{check.pk}/"
    }


def test_reminder_due_is_told_once_however_many_people_it_reminds(
    receiver, django_user_model, django_capture_on_commit_callbacks
):
    hook(receiver, events=["reminder.due"])
    today = datetime.date(2027, 3, 8)
    with time_machine.travel(datetime.datetime(2027, 3, 8, 12, tzinfo=datetime.UTC), tick=False):
        dana = TechnicianFactory(name="Dana Ortiz", email="dana@msp.example")
        held = TechnicianCertificationFactory(
            technician=dana,
            certification=CertificationFactory(name="CCNA"),
            expires_on=today + datetime.timedelta(days=7),
        )
        add_recipient(django_user_model, "rachel")
        with django_capture_on_commit_callbacks(execute=True):
            reminders_sent = send_reminders()

    [request] = receiver.requests
    assert reminders_sent == 2  # Dana and Rachel
    assert json.loads(request.body)["data"] == {
        "kind": "certification",
        "object_id": held.pk,
        "due_date": "2027-03-15",
        "lead_days": 7,
        "subject": "Dana Ortiz's CCNA expires on 15 Mar 2027",
    }


def test_announcing_flags_costs_the_same_queries_for_one_flag_or_many():
    WebhookFactory(events=["flag.opened"])
    WebhookFactory(events=["flag.opened"], payload_format="slack")
    one = [CoverageFlagFactory().pk]
    many = [CoverageFlagFactory().pk for _ in range(6)]

    def queries_for(flag_ids):
        event = WebhookEvent.FLAG_OPENED
        with CaptureQueriesContext(connection) as queries:
            webhook_deliveries_create(
                event=event, announce=lambda: flag_announcements(flag_ids, event=event)
            )
        return len(queries)

    # The webhooks, the flags with their agreements and clients, a savepoint, the insert, the
    # rows made, their bodies, the savepoint released.
    assert (queries_for(one), queries_for(many)) == (7, 7)


def test_an_event_announced_twice_is_delivered_once(receiver):
    webhook = hook(receiver)
    a_delivery(webhook, key="check:1")

    made_again = webhook_deliveries_create(
        event=WebhookEvent.CHECK_FINISHED,
        announce=lambda: [Announcement("check:1", {"hello": "receiver"}, "Hello, receiver")],
    )

    assert (made_again, WebhookDelivery.objects.count()) == ([], 1)


# ------------------------------------------------------------------------------ retries


def test_receiver_answering_500_is_retried_then_the_delivery_fails_with_its_status(
    receiver, uncovered_email, check_now, settings, eager_errors_kept
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook(receiver, events=["check.finished"])
    receiver.answers.extend([500, 500, 500, 500])

    check_now()

    delivery = WebhookDelivery.objects.get()
    assert (len(receiver.requests), delivery.status, delivery.attempts) == (3, FAILED, 3)
    assert (delivery.last_status_code, delivery.last_error) == (
        500,
        "HTTP 500 Internal Server Error: receiver broke",
    )
    assert delivery.next_attempt_at is None


def test_receiver_that_recovers_gets_the_delivery(
    receiver, uncovered_email, check_now, settings, eager_errors_kept
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook(receiver, events=["check.finished"])
    receiver.answers.extend([500, 502])

    check_now()

    delivery = WebhookDelivery.objects.get()
    assert (len(receiver.requests), delivery.status, delivery.attempts) == (3, SUCCEEDED, 3)
    assert (delivery.last_status_code, delivery.last_error) == (200, "")


def test_each_failed_attempt_waits_twice_as_long_as_the_one_before(receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_MAX_ATTEMPTS = 30, 4
    delivery = a_delivery(hook(receiver))
    receiver.answers.extend([503, 503, 503, 503])

    waits = []
    for attempt in (1, 2, 3, 4):
        outcome = webhook_deliver(delivery_id=delivery.pk, attempt=attempt)
        delivery.refresh_from_db()
        scheduled = delivery.next_attempt_at and delivery.next_attempt_at - delivery.last_attempt_at
        waits.append((outcome.status, outcome.retry_in, scheduled))

    seconds = datetime.timedelta(seconds=1)
    assert waits == [
        (PENDING, 30, 30 * seconds),
        (PENDING, 60, 60 * seconds),
        (PENDING, 120, 120 * seconds),
        (FAILED, None, None),
    ]
    assert delivery.attempts == 4


def test_waits_between_attempts_stop_growing_at_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 100

    assert [webhook_retry_delay(attempt) for attempt in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_receiver_that_does_not_answer_in_time_counts_as_a_failed_attempt(
    receiver, settings, eager_errors_kept
):
    settings.WEBHOOK_TIMEOUT_SECONDS, settings.WEBHOOK_MAX_ATTEMPTS = 1, 1
    delivery = a_delivery(hook(receiver))
    receiver.hold()

    deliver_webhook.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (FAILED, 1, None)
    assert delivery.last_error == "TimeoutError: timed out"


def test_a_delivery_that_succeeded_is_not_sent_again(receiver, uncovered_email, check_now):
    hook(receiver, events=["check.finished"])
    check_now()
    delivery = WebhookDelivery.objects.get()

    status = deliver_webhook.delay(delivery.pk).get()

    delivery.refresh_from_db()
    assert (status, len(receiver.requests), delivery.attempts) == (SUCCEEDED, 1, 1)


@pytest.fixture
def tls_receiver(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    certificate = self_signed_certificate(tmp_path)
    server = WebhookReceiver(certificate=certificate).start()
    server.certificate = certificate[0]
    yield server
    server.stop()


def test_https_receiver_whose_certificate_is_trusted_gets_the_delivery(tls_receiver, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_receiver.certificate))
    delivery = a_delivery(hook(tls_receiver))

    deliver_webhook.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, len(tls_receiver.requests)) == (SUCCEEDED, 1)
    assert tls_receiver.requests[0].headers["Host"] == tls_receiver.url.removeprefix("https://")


def test_https_receiver_with_an_untrusted_certificate_is_not_sent_the_delivery(
    tls_receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    delivery = a_delivery(hook(tls_receiver))

    deliver_webhook.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, tls_receiver.requests) == (FAILED, [])
    assert delivery.last_error.startswith("SSLCertVerificationError:")


# ------------------------------------------------------------------------------ which URLs

REFUSED_IN_PRODUCTION = [
    "http://127.0.0.1:8000/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "https://192.168.1.20/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://224.0.0.251/hook",
    "http://240.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[ff02::1]/hook",
    "http://localhost:8000/hook",
]


@pytest.mark.parametrize("url", REFUSED_IN_PRODUCTION)
def test_webhook_url_inside_the_network_is_refused_in_production(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    with pytest.raises(ValidationError) as refused:
        WebhookFactory.build(url=url).full_clean()

    [message] = refused.value.message_dict["url"]
    assert message.endswith("only hosts on the public internet may be used.")


@pytest.mark.parametrize("url", REFUSED_IN_PRODUCTION)
def test_webhook_url_inside_the_network_is_allowed_where_private_hosts_are(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True

    WebhookFactory.build(url=url).full_clean()


def test_localhost_is_refused_because_it_resolves_to_loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    with pytest.raises(ValidationError) as refused:
        WebhookFactory.build(url="http://localhost:8000/hook").full_clean()

    [message] = refused.value.message_dict["url"]
    loopback = "is a loopback address: only hosts on the public internet may be used."
    assert message in (f"localhost (127.0.0.1) {loopback}", f"localhost (::1) {loopback}")


def test_webhook_url_on_a_public_address_is_allowed_in_production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    WebhookFactory.build(url="https://93.184.215.14/hooks/covered").full_clean()


@pytest.mark.parametrize(
    "url", ["ftp://files.msp.example/hook", "file:///etc/passwd", "gopher://127.0.0.1:6379/"]
)
def test_webhook_url_must_be_http_or_https(url):
    with pytest.raises(ValidationError) as refused:
        WebhookFactory.build(url=url).full_clean()

    assert refused.value.message_dict["url"] == [
        "Use an address that starts with https:// (or http://)."
    ]


def test_webhook_url_may_not_carry_a_password():
    with pytest.raises(ValidationError) as refused:
        WebhookFactory.build(url="https://user:pass@hooks.msp.example/covered").full_clean()

    assert "Leave the user name and password out" in refused.value.message_dict["url"][0]


def test_webhook_host_is_checked_again_before_each_delivery(
    receiver, uncovered_email, check_now, settings
):
    hook(receiver, events=["check.finished"])  # saved where private hosts were allowed
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    check_now()

    delivery = WebhookDelivery.objects.get()
    assert (receiver.requests, delivery.status, delivery.attempts) == ([], FAILED, 1)
    assert delivery.last_error == (
        "127.0.0.1 is a loopback address: only hosts on the public internet may be used."
    )


@pytest.mark.parametrize(
    ("answer_at_send_time", "refusal"),
    [
        ("127.0.0.1", "hooks.msp.example (127.0.0.1) is a loopback address"),
        (
            "2002:7f00:1::",
            "hooks.msp.example (2002:7f00:1::) is a 6to4 address that embeds 127.0.0.1, a "
            "loopback address",
        ),
    ],
)
def test_delivery_to_a_name_that_now_resolves_inside_the_network_is_refused_and_recorded(
    receiver, resolver, settings, answer_at_send_time, refusal
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    port = receiver.url.rsplit(":", 1)[1]
    resolver.answers["hooks.msp.example"] = ["93.184.215.14", answer_at_send_time]
    webhook = webhook_save(
        webhook=WebhookFactory.build(url=f"http://hooks.msp.example:{port}/covered", secret="")
    )  # checked when saved: the name was on the public internet then
    delivery = a_delivery(webhook)

    outcome = webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (outcome.status, delivery.status, delivery.attempts, receiver.requests) == (
        FAILED,
        FAILED,
        1,
        [],
    )
    assert delivery.last_error == f"{refusal}: only hosts on the public internet may be used."
    assert resolver.lookups == ["hooks.msp.example", "hooks.msp.example"]


def test_delivery_connects_to_the_address_it_resolved_not_to_a_later_answer(receiver, resolver):
    # A name that answers the receiver's address once, then an address nobody listens on: the
    # POST reaches the receiver, so the connection went to the address looked up (and checked),
    # not to what the name resolved to a moment later.
    port = receiver.url.rsplit(":", 1)[1]
    resolver.answers["hooks.msp.example"] = ["127.0.0.1", "192.0.2.1"]
    delivery = a_delivery(WebhookFactory(url=f"http://hooks.msp.example:{port}/covered"))

    webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, len(receiver.requests)) == (SUCCEEDED, 1)
    assert resolver.lookups == ["hooks.msp.example"]
