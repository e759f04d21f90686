"""The nightly job: claiming a date, the flag lifecycle, the tasks and their retries."""

import datetime
import socket
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from agreements.coverage.flags import flag_acknowledge
from agreements.coverage.models import CoverageCheck, CoverageFlag, CoverageRun
from agreements.coverage.runs import coverage_run_claim, coverage_run_execute
from agreements.coverage.tasks import run_nightly_coverage, send_coverage_report
from agreements.models import Agreement, Requirement
from clients.models import ClientTechnology
from config.celery import app as celery_app
from tests.agreements.factories import (
    AgreementFactory,
    AgreementServiceFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.skills.factories import SkillFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
NEXT_DAY = DAY + datetime.timedelta(days=1)
# 02:00 in New York (TIME_ZONE) on DAY.
NIGHT = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def exchange_requirement():
    """Nobody knows the skill: an uncovered requirement needing two technicians."""
    skill = SkillFactory(name="Exchange")
    agreement = AgreementFactory(
        reference="AGR-2026-0001", title="Managed email", annual_value=Decimal("41000.00")
    )
    return RequirementFactory(agreement=agreement, skill=skill, min_level=3, min_technicians=2)


def open_flags():
    return CoverageFlag.objects.filter(resolved_at__isnull=True)


@pytest.fixture
def eager_errors_kept():
    """Eager tasks keep their error in the result, so eager retries run as on a worker."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def closed_port():
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------------------ claiming


def test_claim_returns_the_run_only_the_first_time():
    first = coverage_run_claim(run_date=DAY)
    second = coverage_run_claim(run_date=DAY)

    assert first is not None and first.run_date == DAY
    assert second is None
    assert CoverageRun.objects.count() == 1


def test_second_execution_for_a_date_does_nothing(exchange_requirement):
    first = coverage_run_execute(run_date=DAY)
    second = coverage_run_execute(run_date=DAY)

    assert first is not None
    assert second is None
    assert CoverageRun.objects.count() == 1
    assert CoverageFlag.objects.count() == 1


def test_execution_that_fails_records_why_and_releases_the_date_for_a_retry(
    exchange_requirement, monkeypatch
):
    def engine_crash(**kwargs):
        raise RuntimeError("engine crashed")

    monkeypatch.setattr("agreements.coverage.checks.evaluate_coverage", engine_crash)
    with pytest.raises(RuntimeError):
        coverage_run_execute(run_date=DAY)
    run = CoverageRun.objects.get()
    assert (run.finished_at, run.lease_until, run.run_attempts) == (None, None, 1)
    assert run.run_last_error == "RuntimeError: engine crashed"
    assert not CoverageCheck.objects.exists()

    monkeypatch.undo()
    assert coverage_run_execute(run_date=DAY) is not None
    run.refresh_from_db()
    assert (run.run_attempts, run.run_last_error) == (2, "")
    assert run.finished_at is not None


# ------------------------------------------------------------------------------ the run's figures


def test_run_records_counts_revenue_and_flag_figures(exchange_requirement):
    covered_skill = SkillFactory(name="Windows 11")
    covered = AgreementFactory(annual_value=Decimal("124000.00"))
    RequirementFactory(agreement=covered, skill=covered_skill, min_technicians=1)
    TechnicianSkillFactory(skill=covered_skill, level=4)
    AgreementFactory(annual_value=Decimal("1000.00"))  # no requirement: not assessed

    with time_machine.travel(NIGHT, tick=False):
        run = coverage_run_execute(run_date=DAY)

    run.refresh_from_db()
    figures = run.coverage_check
    assert (figures.agreements_count, figures.uncovered_count, figures.at_risk_count) == (3, 1, 0)
    assert (figures.covered_count, figures.not_assessed_count) == (1, 1)
    assert figures.arr_total == Decimal("166000.00")
    assert figures.arr_uncovered == Decimal("41000.00")
    assert figures.arr_at_risk == Decimal("0")
    flags = (figures.new_flags_count, figures.resolved_flags_count, figures.open_flags_count)
    assert flags == (1, 0, 1)
    assert run.started_at == NIGHT
    assert run.finished_at == NIGHT
    assert run.email_status == CoverageRun.EmailStatus.PENDING


def test_run_syncs_derived_requirements_first():
    skill = SkillFactory(name="SonicWall")
    service = ServiceFactory(name="Firewall care")
    service.skills_in_scope.add(skill)
    link = AgreementServiceFactory(service=service)
    # Written around the services, as an import would: only the run's sync derives the need.
    ClientTechnology.objects.bulk_create(
        [ClientTechnology(client=link.agreement.client, skill=skill, quantity=1)]
    )
    Requirement.objects.filter(agreement=link.agreement).delete()

    coverage_run_execute(run_date=DAY)

    flag = CoverageFlag.objects.get()
    assert flag.requirement.source == Requirement.Source.DERIVED
    assert flag.requirement.skill == skill
    assert flag.agreement == link.agreement


# ------------------------------------------------------------------------------ flag lifecycle


def test_uncovered_requirement_opens_one_flag(exchange_requirement):
    with time_machine.travel(NIGHT, tick=False):
        coverage_run_execute(run_date=DAY)

    flag = open_flags().get()
    assert flag.requirement == exchange_requirement
    assert flag.agreement == exchange_requirement.agreement
    assert flag.status == CoverageFlag.Status.UNCOVERED
    assert flag.requirement_label == "Exchange at level 3+"
    assert flag.reason == "No active technician has Exchange at level 3 or above"
    assert flag.qualified_count == 0
    assert flag.first_detected_at == flag.last_seen_at == NIGHT


def test_next_run_updates_the_open_flag_instead_of_adding_one(exchange_requirement):
    coverage_run_execute(run_date=DAY)
    first = open_flags().get()
    TechnicianSkillFactory(skill=exchange_requirement.skill, level=3, technician__name="Dana Ortiz")

    with time_machine.travel(NIGHT + datetime.timedelta(days=1), tick=False):
        run = coverage_run_execute(run_date=NEXT_DAY)

    flag = CoverageFlag.objects.get()
    assert flag.pk == first.pk
    assert flag.status == CoverageFlag.Status.AT_RISK
    assert flag.reason == "Only Dana Ortiz qualifies (2 needed)"
    assert flag.qualified_count == 1
    assert flag.first_detected_at == first.first_detected_at
    assert flag.last_seen_at == NIGHT + datetime.timedelta(days=1)
    figures = run.coverage_check
    flags = (figures.new_flags_count, figures.resolved_flags_count, figures.open_flags_count)
    assert flags == (0, 0, 1)


def test_flag_resolved_when_the_requirement_becomes_covered(exchange_requirement):
    coverage_run_execute(run_date=DAY)
    TechnicianSkillFactory.create_batch(2, skill=exchange_requirement.skill, level=4)

    with time_machine.travel(NIGHT + datetime.timedelta(days=1), tick=False):
        run = coverage_run_execute(run_date=NEXT_DAY)

    flag = CoverageFlag.objects.get()
    assert flag.resolved_at == NIGHT + datetime.timedelta(days=1)
    figures = run.coverage_check
    flags = (figures.new_flags_count, figures.resolved_flags_count, figures.open_flags_count)
    assert flags == (0, 1, 0)


def test_flag_resolved_when_the_requirement_is_deleted(exchange_requirement):
    coverage_run_execute(run_date=DAY)
    exchange_requirement.delete()

    run = coverage_run_execute(run_date=NEXT_DAY)

    flag = CoverageFlag.objects.get()
    assert flag.requirement is None
    assert flag.resolved_at is not None
    assert flag.requirement_label == "Exchange at level 3+"
    assert run.coverage_check.resolved_flags_count == 1


def test_flag_resolved_when_the_agreement_is_no_longer_active(exchange_requirement):
    coverage_run_execute(run_date=DAY)
    Agreement.objects.filter(pk=exchange_requirement.agreement_id).update(
        status=Agreement.Status.CANCELLED
    )

    coverage_run_execute(run_date=NEXT_DAY)

    assert not open_flags().exists()


def test_requirement_flagged_again_after_resolution_gets_a_new_flag(exchange_requirement):
    coverage_run_execute(run_date=DAY)
    experts = TechnicianSkillFactory.create_batch(2, skill=exchange_requirement.skill, level=4)
    coverage_run_execute(run_date=NEXT_DAY)
    experts[0].delete()

    coverage_run_execute(run_date=NEXT_DAY + datetime.timedelta(days=1))

    assert CoverageFlag.objects.filter(requirement=exchange_requirement).count() == 2
    assert open_flags().get().status == CoverageFlag.Status.AT_RISK


def test_acknowledging_keeps_the_flag_open_and_records_who_and_when(
    exchange_requirement, consultant
):
    coverage_run_execute(run_date=DAY)
    flag = open_flags().get()
    moment = NIGHT + datetime.timedelta(hours=8)

    flag_acknowledge(flag=flag, user=consultant, now=moment)
    coverage_run_execute(run_date=NEXT_DAY)

    flag = CoverageFlag.objects.get()
    assert flag.is_open
    assert flag.acknowledged_by == consultant
    assert flag.acknowledged_at == moment


def test_acknowledging_a_resolved_flag_is_refused(exchange_requirement, consultant):
    coverage_run_execute(run_date=DAY)
    exchange_requirement.delete()
    coverage_run_execute(run_date=NEXT_DAY)

    with pytest.raises(ValidationError):
        flag_acknowledge(flag=CoverageFlag.objects.get(), user=consultant)


# ------------------------------------------------------------------------------ tasks


def test_nightly_task_twice_for_one_date_makes_one_run_one_flag_one_email(
    exchange_requirement, recipient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = run_nightly_coverage.delay(DAY.isoformat()).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = run_nightly_coverage.delay(DAY.isoformat()).get()

    assert first == CoverageRun.objects.get().pk
    assert second is None
    assert CoverageFlag.objects.count() == 1
    assert len(mail.outbox) == 1
    assert CoverageRun.objects.get().email_status == CoverageRun.EmailStatus.SENT


def test_nightly_task_runs_for_today_in_the_configured_time_zone(exchange_requirement):
    # 03:00 UTC on the 27th is still the 26th in New York.
    with time_machine.travel(datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)):
        run_nightly_coverage.delay()

    assert CoverageRun.objects.get().run_date == DAY


def test_report_task_sends_once_however_often_it_is_queued(exchange_requirement, recipient):
    run = coverage_run_execute(run_date=DAY)

    send_coverage_report.delay(run.pk)
    send_coverage_report.delay(run.pk)

    assert len(mail.outbox) == 1
    run.refresh_from_db()
    assert run.email_status == CoverageRun.EmailStatus.SENT
    assert run.attempts == 1
    assert run.recipients_count == 1


def test_report_task_retries_smtp_failures_then_records_failed(
    exchange_requirement, recipient, settings, eager_errors_kept
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.COVERAGE_EMAIL_MAX_RETRIES = 2
    run = coverage_run_execute(run_date=DAY)

    result = send_coverage_report.delay(run.pk)

    assert isinstance(result.result, ConnectionRefusedError)
    run.refresh_from_db()
    assert run.email_status == CoverageRun.EmailStatus.FAILED
    assert run.attempts == 3
    assert "ConnectionRefusedError" in run.last_error
    assert run.sent_at is None


def test_failed_report_is_sent_by_a_later_retry_exactly_once(
    exchange_requirement, recipient, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.COVERAGE_EMAIL_MAX_RETRIES = 0
    run = coverage_run_execute(run_date=DAY)
    with pytest.raises(ConnectionRefusedError):
        send_coverage_report.delay(run.pk)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_coverage_report.delay(run.pk)
    send_coverage_report.delay(run.pk)

    assert len(mail.outbox) == 1
    run.refresh_from_db()
    assert run.email_status == CoverageRun.EmailStatus.SENT
    assert run.attempts == 2
