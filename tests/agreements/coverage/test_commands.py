"""Management commands: check_coverage, send_coverage_report, setup_schedule."""

import datetime
import json
import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from agreements.coverage.models import CoverageFlag, CoverageRun
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.processes import manage
from tests.skills.factories import SkillFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db

DAY = "2026-11-26"


@pytest.fixture
def book():
    """One uncovered agreement ($25,000) and one covered ($140,000)."""
    uncovered = AgreementFactory(
        reference="AGR-2026-0001",
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
    )
    RequirementFactory(agreement=uncovered, skill=SkillFactory(name="Exchange"))
    covered = AgreementFactory(
        reference="AGR-2026-0002",
        title="Desktop support",
        client=ClientFactory(name="Pine Accounting"),
        annual_value=Decimal("140000.00"),
    )
    windows = SkillFactory(name="Windows 11")
    RequirementFactory(agreement=covered, skill=windows, min_technicians=2)
    TechnicianSkillFactory.create_batch(2, skill=windows, level=4)


def run_command(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# ------------------------------------------------------------------------------ check_coverage


def test_check_coverage_prints_one_row_per_agreement_with_the_worst_reason(book):
    output = run_command("check_coverage", "--date", DAY)

    lines = output.splitlines()
    assert lines[0] == "Coverage on 2026-11-26"
    assert lines[1].split() == ["Reference", "Client", "Status", "Annual", "value", "Reason"]
    uncovered = next(line for line in lines if line.startswith("AGR-2026-0001"))
    assert "Smith & Jones LLP" in uncovered
    assert "Uncovered" in uncovered
    assert "$25,000" in uncovered
    assert uncovered.endswith("No active technician has Exchange at level 3 or above")
    covered = next(line for line in lines if line.startswith("AGR-2026-0002"))
    assert "Covered" in covered and "$140,000" in covered
    assert lines[-1].endswith("$25,000 of $165,000 ARR at risk.")


def test_check_coverage_json_prints_one_object_per_line(book):
    output = run_command("check_coverage", "--date", DAY, "--json")

    rows = [json.loads(line) for line in output.splitlines()]
    assert [(r["reference"], r["status"]) for r in rows] == [
        ("AGR-2026-0002", "covered"),
        ("AGR-2026-0001", "uncovered"),
    ]
    uncovered = rows[1]
    assert uncovered["client"] == "Smith & Jones LLP"
    assert uncovered["annual_value"] == "25000.00"
    assert uncovered["date"] == DAY
    assert uncovered["reason"] == "No active technician has Exchange at level 3 or above"


def test_check_coverage_writes_nothing(book):
    run_command("check_coverage", "--date", DAY)

    assert not CoverageRun.objects.exists()
    assert not CoverageFlag.objects.exists()


@pytest.mark.parametrize("command", ["check_coverage", "send_coverage_report"])
@pytest.mark.parametrize("bad_date", ["26/11/2026", "2026-13-01", "tomorrow"])
def test_bad_date_is_refused_with_exit_code_2(command, bad_date):
    with pytest.raises(CommandError) as error:
        call_command(command, "--date", bad_date)

    assert error.value.returncode == 2
    assert "YYYY-MM-DD" in str(error.value)
    assert not CoverageRun.objects.exists()


@pytest.mark.parametrize("command", ["check_coverage", "send_coverage_report"])
@pytest.mark.parametrize("far_date", ["9999-12-31", "1900-01-01", "0001-01-01"])
def test_a_date_out_of_range_is_refused_with_exit_code_2(command, far_date):
    with pytest.raises(CommandError) as error:
        call_command(command, "--date", far_date)

    assert error.value.returncode == 2
    assert "between 1 Jan 1990 and 31 Dec 2100" in str(error.value)
    assert not CoverageRun.objects.exists()


@pytest.mark.parametrize("command", ["check_coverage", "send_coverage_report"])
def test_the_far_future_on_the_command_line_prints_one_line_and_exits_2(command):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = manage(command, "--date", "9999-12-31", environment=env)

    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0, completed.stderr
    assert "Traceback" not in completed.stderr


def test_bad_date_on_the_command_line_prints_one_line_and_exits_2():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = manage("check_coverage", "--date", "26/11/2026", environment=env)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.strip().count("\n") == 0
    assert "YYYY-MM-DD" in completed.stderr


# ----------------------------------------------------------------------- send_coverage_report


def test_send_coverage_report_runs_the_pipeline_and_emails_the_report(book, recipient):
    output = run_command("send_coverage_report", "--date", DAY)

    run = CoverageRun.objects.get()
    assert run.run_date == datetime.date(2026, 11, 26)
    assert run.email_status == CoverageRun.EmailStatus.SENT
    assert CoverageFlag.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "Checked coverage for 2026-11-26: 2 agreements, 1 uncovered, 0 at risk" in output
    assert "Report sent to 1 recipient at" in output


def test_send_coverage_report_again_for_the_same_date_sends_nothing_more(book, recipient):
    run_command("send_coverage_report", "--date", DAY)

    output = run_command("send_coverage_report", "--date", DAY)

    assert CoverageRun.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "already run" in output
    assert "already sent" in output


def test_send_coverage_report_says_when_nobody_receives_it(book):
    output = run_command("send_coverage_report", "--date", DAY)

    assert CoverageRun.objects.get().email_status == CoverageRun.EmailStatus.SKIPPED
    assert "no active member with an email address" in output


# ------------------------------------------------------------------------------ setup_schedule


def schedule():
    task = PeriodicTask.objects.get(name="Nightly coverage check")
    return task, task.crontab


def test_setup_schedule_creates_the_nightly_task_at_two_by_default(settings):
    settings.COVERAGE_REPORT_TIME = "02:00"

    run_command("setup_schedule")

    task, crontab = schedule()
    assert task.task == "agreements.tasks.run_nightly_coverage"
    assert task.enabled
    assert (crontab.hour, crontab.minute) == ("2", "0")
    assert (crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == ("*", "*", "*")
    assert str(crontab.timezone) == settings.TIME_ZONE


def test_setup_schedule_twice_keeps_one_task_and_one_crontab_each():
    run_command("setup_schedule")
    run_command("setup_schedule")

    assert PeriodicTask.objects.filter(task="agreements.tasks.run_nightly_coverage").count() == 1
    assert PeriodicTask.objects.filter(task="agreements.tasks.send_reminders").count() == 1
    # One for the nightly check (02:00), one for the reminders (07:00).
    assert CrontabSchedule.objects.count() == 2


def test_setup_schedule_follows_coverage_report_time(settings):
    settings.COVERAGE_REPORT_TIME = "06:30"

    run_command("setup_schedule")

    _, crontab = schedule()
    assert (crontab.hour, crontab.minute) == ("6", "30")


def test_setup_schedule_keeps_a_time_changed_in_admin_unless_forced(settings):
    run_command("setup_schedule")
    task, _ = schedule()
    task.crontab = CrontabSchedule.objects.create(
        hour="4", minute="15", timezone=settings.TIME_ZONE
    )
    task.save()

    run_command("setup_schedule")
    assert schedule()[1].hour == "4"

    run_command("setup_schedule", "--force")
    assert (schedule()[1].hour, schedule()[1].minute) == ("2", "0")
