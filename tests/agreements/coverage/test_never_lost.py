"""The nightly run is never lost: leases, retries of database errors, the sweep."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from agreements.coverage import runs
from agreements.coverage.models import CoverageCheck, CoverageRun
from agreements.coverage.report import coverage_report_send
from agreements.coverage.runs import coverage_run_claim, coverage_run_execute, coverage_run_sweep
from agreements.coverage.schedule import SWEEP_TASK, coverage_schedule_setup
from agreements.coverage.tasks import run_nightly_coverage, sweep_nightly_coverage
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import SkillFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
# 02:00 in New York is 07:00 UTC; the run is due then.
DUE = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def requirement():
    return RequirementFactory(agreement=AgreementFactory(), skill=SkillFactory(name="Exchange"))


# ------------------------------------------------------------------------------ the claim


def test_a_claim_is_recorded_with_its_lease_and_attempt(settings):
    settings.COVERAGE_RUN_LEASE_MINUTES = 15
    with time_machine.travel(DUE, tick=False):
        run = coverage_run_claim(run_date=DAY)

    assert (run.run_attempts, run.lease_until) == (1, DUE + 15 * MINUTE)
    assert len(run.claim_token) == 32


def test_a_lease_in_seconds_stands_in_for_the_minutes(settings):
    settings.COVERAGE_RUN_LEASE_MINUTES = 15
    settings.COVERAGE_RUN_LEASE_SECONDS = 5
    with time_machine.travel(DUE, tick=False):
        run = coverage_run_claim(run_date=DAY)

    assert run.lease_until == DUE + datetime.timedelta(seconds=5)


def test_a_live_lease_keeps_a_second_worker_out_and_an_expired_one_lets_it_take_over(settings):
    settings.COVERAGE_RUN_LEASE_MINUTES = 15
    with time_machine.travel(DUE, tick=False):
        first = coverage_run_claim(run_date=DAY)
    with time_machine.travel(DUE + 14 * MINUTE, tick=False):
        assert coverage_run_claim(run_date=DAY) is None
    with time_machine.travel(DUE + 16 * MINUTE, tick=False):
        second = coverage_run_claim(run_date=DAY)

    assert second.pk == first.pk
    assert second.run_attempts == 2
    assert second.claim_token != first.claim_token
    assert CoverageRun.objects.count() == 1


def test_a_run_whose_lease_another_worker_holds_records_nothing(requirement):
    coverage_run_claim(run_date=DAY)

    assert coverage_run_execute(run_date=DAY) is None
    assert not CoverageCheck.objects.exists()


def test_a_finished_run_is_never_claimed_again(requirement):
    coverage_run_execute(run_date=DAY)
    CoverageRun.objects.update(lease_until=None)

    assert coverage_run_claim(run_date=DAY) is None
    assert CoverageCheck.objects.count() == 1


# ------------------------------------------------------------------------------ retries


def test_the_nightly_task_retries_a_database_error_and_clears_the_error(requirement, monkeypatch):
    real = runs.coverage_check_run
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("connection to server was lost")
        return real(**kwargs)

    monkeypatch.setattr(runs, "coverage_check_run", flaky)
    with time_machine.travel(DUE, tick=False):
        run_nightly_coverage.apply(args=[DAY.isoformat()], throw=False)

    run = CoverageRun.objects.get()
    assert len(calls) == 2
    assert (run.run_attempts, run.run_last_error) == (2, "")
    assert run.finished_at is not None
    assert CoverageCheck.objects.count() == 1


def test_a_failed_attempt_is_written_on_the_run(requirement, monkeypatch, caplog):
    def broken(**kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(runs, "coverage_check_run", broken)
    with pytest.raises(OperationalError):
        coverage_run_execute(run_date=DAY)

    run = CoverageRun.objects.get()
    assert run.run_last_error == "OperationalError: the database system is starting up"
    assert "the database system is starting up" in caplog.text


def test_a_report_error_is_cleared_once_a_retry_sends_it(requirement, recipient, monkeypatch):
    run = coverage_run_execute(run_date=DAY)
    original_send = mail.EmailMultiAlternatives.send
    monkeypatch.setattr(
        mail.EmailMultiAlternatives,
        "send",
        lambda self, *a, **k: (_ for _ in ()).throw(smtplib.SMTPServerDisconnected("gone")),
    )
    with pytest.raises(smtplib.SMTPServerDisconnected):
        coverage_report_send(run_id=run.pk, final_attempt=False)
    run.refresh_from_db()
    assert (run.email_status, run.attempts, run.last_error) == (
        "pending",
        1,
        "SMTPServerDisconnected: gone",
    )

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", original_send)
    coverage_report_send(run_id=run.pk)

    run.refresh_from_db()
    assert (run.email_status, run.attempts, run.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------------ the sweep


def test_the_sweep_waits_for_the_scheduled_time():
    assert coverage_run_sweep(now=DUE - MINUTE).action == ""
    assert coverage_run_sweep(now=DUE + MINUTE).action == "run"


def test_the_sweep_follows_a_time_an_admin_set_on_the_schedule():
    coverage_schedule_setup()
    entry = PeriodicTask.objects.get(task="agreements.tasks.run_nightly_coverage")
    entry.crontab.hour = "5"
    entry.crontab.save()

    assert coverage_run_sweep(now=DUE + MINUTE).action == ""
    assert coverage_run_sweep(now=DUE + 3 * 60 * MINUTE + MINUTE).action == "run"


def test_the_sweep_leaves_a_run_with_a_live_lease_alone_and_takes_up_an_expired_one(settings):
    settings.COVERAGE_RUN_LEASE_MINUTES = 15
    with time_machine.travel(DUE, tick=False):
        run = coverage_run_claim(run_date=DAY)

    assert coverage_run_sweep(now=DUE + 10 * MINUTE).action == ""
    assert coverage_run_sweep(now=DUE + 20 * MINUTE) == runs.SweepNeed("run", run.pk)


def test_the_sweep_gives_up_after_so_many_attempts(settings):
    settings.COVERAGE_RUN_MAX_ATTEMPTS = 3
    with time_machine.travel(DUE, tick=False):
        coverage_run_claim(run_date=DAY)
    CoverageRun.objects.update(run_attempts=3, lease_until=None)

    assert coverage_run_sweep(now=DUE + 20 * MINUTE).action == ""


def test_the_sweep_queues_a_report_left_pending_or_failed_but_not_a_sent_one(requirement):
    with time_machine.travel(DUE, tick=False):
        run = coverage_run_execute(run_date=DAY)

    assert coverage_run_sweep(now=DUE + 20 * MINUTE) == runs.SweepNeed("email", run.pk)
    CoverageRun.objects.update(email_status=CoverageRun.EmailStatus.FAILED)
    assert coverage_run_sweep(now=DUE + 20 * MINUTE).action == "email"
    CoverageRun.objects.update(email_status=CoverageRun.EmailStatus.SENT)
    assert coverage_run_sweep(now=DUE + 20 * MINUTE).action == ""


def test_the_sweep_task_runs_a_lost_night_and_sends_its_report_once(
    requirement, recipient, django_capture_on_commit_callbacks
):
    with time_machine.travel(DUE + 20 * MINUTE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_nightly_coverage.apply().get() == "run"
        assert sweep_nightly_coverage.apply().get() == ""

    run = CoverageRun.objects.get()
    assert run.coverage_check.trigger == CoverageCheck.Trigger.SWEEP
    assert run.email_status == CoverageRun.EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_setup_schedule_adds_the_sweep_every_few_minutes(settings):
    settings.COVERAGE_SWEEP_MINUTES = 5

    coverage_schedule_setup()
    coverage_schedule_setup()

    sweep = PeriodicTask.objects.get(task=SWEEP_TASK)
    assert (sweep.interval.every, sweep.interval.period) == (5, "minutes")
    assert PeriodicTask.objects.filter(task=SWEEP_TASK).count() == 1
