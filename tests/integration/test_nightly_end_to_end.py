"""The nightly job with real parts: Redis broker, a Celery worker process, an SMTP server."""

import datetime
import sys
import time
from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from agreements.coverage.models import CoverageFlag, CoverageRun
from agreements.coverage.tasks import send_coverage_report
from config.celery import app as celery_app
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.conftest import add_recipient
from tests.integration.conftest import (
    RecordingHandler,
    child_environment,
    free_port,
    log_contains,
    wait_for,
)
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

pytestmark = pytest.mark.integration

NIGHTLY_TASK = "agreements.tasks.run_nightly_coverage"


@pytest.fixture
def book(django_user_model):
    """$165,000 a year, $41,000 at risk: one agreement uncovered, one at risk, one covered."""
    today = timezone.localdate()
    started = today - datetime.timedelta(days=30)
    exchange, cisco, windows = (
        SkillFactory(name=name) for name in ("Exchange", "Cisco IOS", "Windows 11")
    )
    uncovered = AgreementFactory(
        reference="AGR-2026-0001",
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
        start_date=started,
    )
    at_risk = AgreementFactory(annual_value=Decimal("16000.00"), start_date=started)
    covered = AgreementFactory(annual_value=Decimal("124000.00"), start_date=started)
    RequirementFactory(agreement=uncovered, skill=exchange, min_technicians=2)
    RequirementFactory(agreement=at_risk, skill=cisco, min_technicians=2)
    RequirementFactory(agreement=covered, skill=windows, min_technicians=2)
    dana, lee = TechnicianFactory(name="Dana Ortiz"), TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=dana, skill=cisco, level=4)
    for technician in (dana, lee):
        TechnicianSkillFactory(technician=technician, skill=windows, level=4)
    add_recipient(django_user_model, "rachel")
    return today


def expected_subject(day):
    return (
        f"Coverage {day.day} {day:%b %Y}: 1 uncovered, 1 at risk — $41,000 of $165,000 ARR at risk"
    )


def subject_of(message):
    return str(make_header(decode_header(message["Subject"])))


def parts_of(message):
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if not part.is_multipart()
    }


def email_status():
    run = CoverageRun.objects.first()
    return run.email_status if run else None


def test_scheduled_task_delivers_one_report_even_when_sent_five_times(
    celery_worker, smtp_server, book
):
    worker = celery_worker(EMAIL_URL=f"smtp://{smtp_server.hostname}:{smtp_server.port}")

    # As beat would: by name, without arguments (the run date is today in TIME_ZONE).
    sent = [celery_app.send_task(NIGHTLY_TASK) for _ in range(5)]
    run_ids = [result.get(timeout=60) for result in sent]
    wait_for(lambda: email_status() == "sent", 60, "the report email", worker)

    # One of them ran the day; the others found it claimed and did nothing.
    expected = [CoverageRun.objects.get().pk, None, None, None, None]
    assert sorted(run_ids, key=lambda run_id: run_id is None) == expected
    assert CoverageFlag.objects.filter(resolved_at__isnull=True).count() == 2
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "rachel@msp.example"
    assert subject_of(message) == expected_subject(book)
    parts = parts_of(message)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "AGR-2026-0001" in body
        assert "No active technician has Exchange at level 3 or above" in body
    assert "Smith & Jones LLP" in parts["text/plain"]


def test_report_retried_while_smtp_is_down_then_sent_once_when_it_is_back(celery_worker, book):
    port = free_port()  # nothing listens there yet: connections are refused
    worker = celery_worker(
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        COVERAGE_EMAIL_MAX_RETRIES="2",
        EMAIL_TIMEOUT="5",
    )

    celery_app.send_task(NIGHTLY_TASK).get(timeout=60)
    wait_for(lambda: email_status() == "failed", 60, "giving up on the report", worker)

    run = CoverageRun.objects.get()
    assert run.attempts == 3  # the first try and two retries, 1 s then 2 s later
    assert "ConnectionRefusedError" in run.last_error
    assert run.sent_at is None

    handler = RecordingHandler()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        send_coverage_report.delay(run.pk)
        wait_for(lambda: email_status() == "sent", 60, "the report email", worker)
        send_coverage_report.delay(run.pk).get(timeout=60)
    finally:
        server.stop()

    assert len(handler.messages) == 1
    assert subject_of(handler.messages[0]) == expected_subject(book)
    run.refresh_from_db()
    assert run.attempts == 4


def test_two_beat_processes_make_one_run_and_one_email(
    celery_worker, smtp_server, book, processes, tmp_path
):
    """Two schedulers by mistake (two beat containers): the nightly task arrives again and again
    for the same date; the day still has one run and one email."""
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="Nightly, every second", task=NIGHTLY_TASK, interval=every_second
    )
    worker = celery_worker(EMAIL_URL=f"smtp://{smtp_server.hostname}:{smtp_server.port}")
    beat = [
        processes(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--schedule",
                str(tmp_path / f"beat-{number}"),
            ],
            child_environment(),
            tmp_path / f"beat-{number}.log",
        )
        for number in (1, 2)
    ]

    wait_for(lambda: email_status() == "sent", 60, "the report email", worker)
    for scheduler in beat:
        wait_for(
            log_contains(scheduler, "Sending due task Nightly, every second"),
            30,
            "beat sending the task",
            scheduler,
        )
    time.sleep(3)  # both schedulers keep sending the task meanwhile

    assert CoverageRun.objects.count() == 1
    assert len(smtp_server.messages) == 1
