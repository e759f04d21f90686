"""The report before 02:00: "Preview the report" renders the newest check's report as its email
reads, sending nothing; "Send me a test email" sends it to the requesting user alone, recorded
as a test."""

import datetime
import socket

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck, CoverageRun, ReportTestEmail
from agreements.coverage.report import TEST_SUBJECT_PREFIX, coverage_report_send
from agreements.coverage.tasks import run_nightly_coverage, send_report_test_email
from tests.agreements.coverage.conftest import DAY, NIGHT
from tests.conftest import add_recipient

pytestmark = pytest.mark.django_db

BEFORE_THE_NIGHT = NIGHT - datetime.timedelta(hours=1)  # 01:00 in New York


def closed_port():
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def preview_of(client):
    response = client.get(reverse("coverage:report_preview"))
    assert response.status_code == 200
    return response


def test_preview_equals_the_email_the_scheduled_run_then_sends(
    book, browse, recipient, django_capture_on_commit_callbacks
):
    client = browse("viewer")
    with time_machine.travel(NIGHT + datetime.timedelta(days=1), tick=False):
        # The scheduled run records its check; its email goes out once that commits.
        with django_capture_on_commit_callbacks() as queued_send:
            run_nightly_coverage.delay((DAY + datetime.timedelta(days=1)).isoformat())
        response = preview_of(client)
        assert mail.outbox == []
        for send in queued_send:
            send()

    preview = response.context["preview"]
    (sent,) = mail.outbox
    assert preview.coverage_check == CoverageRun.objects.latest("run_date").coverage_check
    assert (preview.subject, preview.text, preview.html) == (
        sent.subject,
        sent.body,
        sent.alternatives[0][0],
    )
    page = response.content.decode()
    assert f'data-testid="preview-subject">{preview.subject}<' in page
    assert "Nothing is sent." in page


def test_preview_before_the_night_shows_the_newest_check_and_sends_nothing(book, browse, recipient):
    run = book["run"]
    with time_machine.travel(BEFORE_THE_NIGHT + datetime.timedelta(days=1), tick=False):
        manual = coverage_check_run(
            day=DAY + datetime.timedelta(days=1), trigger=CoverageCheck.Trigger.MANUAL
        )
        response = preview_of(browse("consultant"))

    assert response.context["preview"].coverage_check == manual
    assert response.context["preview"].subject.startswith("Coverage 27 Nov 2026:")
    assert mail.outbox == []
    run.refresh_from_db()
    assert (run.email_status, run.attempts) == (CoverageRun.EmailStatus.PENDING, 0)
    assert not CoverageRun.objects.filter(run_date=DAY + datetime.timedelta(days=1)).exists()
    assert not ReportTestEmail.objects.exists()


def test_preview_without_any_check_offers_to_run_one(browse):
    page = preview_of(browse("consultant")).content.decode()

    assert "No coverage check has run yet" in page
    assert "Run coverage check now" in page


# ------------------------------------------------------------------------------ test email


def send_test(client, check):
    return client.post(reverse("coverage:report_test_email", args=[check.pk]))


def test_a_test_email_goes_to_the_requester_only(
    book, browse, consultant, recipient, django_user_model, django_capture_on_commit_callbacks
):
    add_recipient(django_user_model, "ivan")
    run = book["run"]
    client = browse("consultant")
    preview = preview_of(client).context["preview"]

    with django_capture_on_commit_callbacks(execute=True):
        response = send_test(client, run.coverage_check)

    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == [consultant.email]
    assert (sent.cc, sent.bcc) == ([], [])
    assert sent.subject == TEST_SUBJECT_PREFIX + preview.subject
    assert (sent.body, sent.alternatives[0][0]) == (preview.text, preview.html)
    test_email = ReportTestEmail.objects.get()
    assert (test_email.requested_by, test_email.recipient, test_email.status) == (
        consultant,
        consultant.email,
        ReportTestEmail.Status.SENT,
    )
    run.refresh_from_db()
    assert (run.email_status, run.attempts, run.sent_at) == (
        CoverageRun.EmailStatus.PENDING,
        0,
        None,
    )
    # The nightly email still goes to the recipients, once.
    coverage_report_send(run_id=run.pk)
    assert sorted(mail.outbox[1].to) == ["ivan@msp.example", "rachel@msp.example"]


def test_the_page_lists_the_requesters_test_emails(
    book, browse, django_capture_on_commit_callbacks
):
    client = browse("consultant")
    with django_capture_on_commit_callbacks(execute=True):
        send_test(client, book["run"].coverage_check)

    page = client.get(reverse("coverage:report_preview")).content.decode()

    assert "The report is on its way to marcus.consultant@example.com" in page
    assert "Your test emails" in page
    assert "Sent " in page


def test_a_second_test_email_within_a_minute_is_refused(
    book, browse, django_capture_on_commit_callbacks
):
    client = browse("consultant")
    check = book["run"].coverage_check
    with django_capture_on_commit_callbacks(execute=True):
        send_test(client, check)
        response = send_test(client, check)

    assert len(mail.outbox) == 1
    assert ReportTestEmail.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "less than a minute ago" in page


def test_a_user_without_an_email_address_is_told_so(book, browse, consultant):
    consultant.email = ""
    consultant.save()
    client = browse("consultant")

    response = send_test(client, book["run"].coverage_check)

    page = client.get(response["Location"]).content.decode()
    assert "Your account has no email address" in page
    assert mail.outbox == []
    assert not ReportTestEmail.objects.exists()


@pytest.mark.parametrize("role", ["viewer", None])
def test_a_viewer_or_a_stranger_cannot_send_a_test_email(book, browse, role):
    response = send_test(browse(role), book["run"].coverage_check)

    assert response.status_code == (403 if role else 302)
    assert mail.outbox == []
    assert not ReportTestEmail.objects.exists()


def test_a_viewer_sees_the_preview_without_the_send_button(book, browse):
    page = preview_of(browse("viewer")).content.decode()

    assert "Send me a test email" not in page


def test_a_test_email_that_smtp_refuses_is_recorded_as_failed(book, consultant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.COVERAGE_EMAIL_MAX_RETRIES = 0
    test_email = ReportTestEmail.objects.create(
        coverage_check=book["run"].coverage_check,
        requested_by=consultant,
        recipient=consultant.email,
    )

    with pytest.raises(ConnectionRefusedError):
        send_report_test_email.delay(test_email.pk)

    test_email.refresh_from_db()
    assert (test_email.status, test_email.attempts) == (ReportTestEmail.Status.FAILED, 1)
    assert "ConnectionRefusedError" in test_email.last_error
    run = CoverageRun.objects.get(pk=book["run"].pk)
    assert (run.email_status, run.last_error) == (CoverageRun.EmailStatus.PENDING, "")
