"""The settings page (admins with their second factor) and each user's Notifications page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from agreements.coverage.checks import coverage_check_run, coverage_data_changes_since
from agreements.coverage.models import CoverageCheck, CoverageDataChange, CoverageStatus
from agreements.coverage.schedule import (
    HEARTBEAT_TASK_NAME,
    NIGHTLY_TASK_NAME,
    REMINDERS_TASK_NAME,
    SWEEP_TASK_NAME,
    coverage_schedule_setup,
    nightly_next_run,
)
from core import groups
from core.models import CoverageSettings
from core.selectors import CoverageDefaults, coverage_defaults
from tests.agreements.factories import AgreementServiceFactory, RequirementFactory, ServiceFactory
from tests.clients.factories import ClientTechnologyFactory
from tests.conftest import make_user
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)  # 10:00 in New York

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def schedules():
    """{task name: (crontab id, minute, hour), or (interval id,)} of every periodic task."""
    return {
        task.name: (task.crontab_id, task.crontab.minute, task.crontab.hour)
        if task.crontab_id
        else (task.interval_id, task.interval.every, task.interval.period)
        for task in PeriodicTask.objects.select_related("crontab", "interval")
    }


def recipients():
    return set(
        Group.objects.get(name=groups.REPORT_RECIPIENTS).user_set.values_list("username", flat=True)
    )


@pytest.fixture
def scheduled():
    coverage_schedule_setup()


def post_settings(client, users=(), at="03:30"):
    return client.post(
        reverse("coverage:settings"),
        {"nightly_time": at, "recipients": [user.pk for user in users]},
    )


def test_settings_change_the_nightly_time_and_no_other_schedule(browse, scheduled, admin_user):
    before = schedules()

    response = post_settings(browse("admin_user"), [admin_user], at="03:30")

    assert response.status_code == 302
    after = schedules()
    assert after[NIGHTLY_TASK_NAME][1:] == ("30", "3")
    others = (SWEEP_TASK_NAME, HEARTBEAT_TASK_NAME, REMINDERS_TASK_NAME)
    assert {name: after[name] for name in others} == {name: before[name] for name in others}


def test_a_crontab_shared_with_another_task_is_left_alone(browse, scheduled, admin_user):
    nightly = PeriodicTask.objects.get(name=NIGHTLY_TASK_NAME)
    other = PeriodicTask.objects.create(
        name="Monthly export", task="exports.monthly", crontab=nightly.crontab
    )

    post_settings(browse("admin_user"), at="04:15")

    other.refresh_from_db()
    nightly.refresh_from_db()
    assert (other.crontab.hour, other.crontab.minute) == ("2", "0")
    assert nightly.crontab_id != other.crontab_id
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("4", "15")
    # The shared one, the nightly task's new one, and the daily reminders' own.
    assert CrontabSchedule.objects.count() == 3


def test_settings_set_the_report_recipients(browse, scheduled, admin_user, django_user_model):
    keep = make_user(django_user_model, "rosa.keller", first_name="Rosa", last_name="Keller")
    leave = make_user(django_user_model, "ian.moss")
    Group.objects.get(name=groups.REPORT_RECIPIENTS).user_set.add(leave)
    client = browse("admin_user")
    assert "Rosa Keller (rosa.keller)" in client.get(reverse("coverage:settings")).content.decode()

    post_settings(client, [keep, admin_user])

    assert recipients() == {"rosa.keller", admin_user.username}


def test_a_bad_time_changes_nothing(browse, scheduled, admin_user):
    before = schedules()

    response = post_settings(browse("admin_user"), [admin_user], at="25:99")

    assert response.status_code == 200
    assert "Give a time of day" in response.content.decode()
    assert schedules() == before
    assert recipients() == set()


def test_settings_page_says_the_next_run_and_whether_today_ran(browse, scheduled):
    page = browse("admin_user").get(reverse("coverage:settings")).content.decode()

    assert "27 Nov 2026 02:00" in page  # 02:00 has passed today in New York
    assert "Not run yet today." in page
    assert "COVERAGE_WARNING_DAYS" in page


def test_next_run_is_today_when_the_time_is_still_to_come(scheduled):
    crontab = PeriodicTask.objects.get(name=NIGHTLY_TASK_NAME).crontab
    crontab.hour = "23"
    crontab.save()

    assert nightly_next_run().date() == datetime.date(2026, 11, 26)


@pytest.mark.parametrize("role", ["consultant", "viewer"])
def test_settings_are_refused_to_users_who_are_not_staff(browse, scheduled, role):
    client = browse(role)
    before = schedules()

    assert client.get(reverse("coverage:settings")).status_code == 403
    assert post_settings(client).status_code == 403
    assert schedules() == before


def test_staff_without_the_second_factor_log_in_again_with_it(client, django_user_model):
    staff = make_user(django_user_model, "lena.staff", is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("coverage:settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_user_stops_the_report_on_their_notifications_page(browse, consultant):
    Group.objects.get(name=groups.REPORT_RECIPIENTS).user_set.add(consultant)
    client = browse("consultant")
    assert (
        "Stop emailing me the report"
        in client.get(reverse("coverage:notifications")).content.decode()
    )

    client.post(reverse("coverage:notifications"), {"report": "stop"})

    assert recipients() == set()
    assert "You do not receive" in client.get(reverse("coverage:notifications")).content.decode()


# ------------------------------------------------------------------------------ coverage rules

DAY = NOW.date()


def post_rules(client, *, warning_days="", min_technicians="", admin_user):
    return client.post(
        reverse("coverage:settings"),
        {
            "nightly_time": "02:00",
            "recipients": [admin_user.pk],
            "warning_days": warning_days,
            "min_technicians": min_technicians,
        },
    )


def next_check():
    return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)


@pytest.fixture
def leaving_in_twenty_days():
    """Two technicians qualify today; one leaves in 20 days."""
    exchange = SkillFactory(name="Exchange Server")
    requirement = RequirementFactory(skill=exchange, min_technicians=2)
    TechnicianSkillFactory(skill=exchange, level=4)
    TechnicianSkillFactory(
        skill=exchange,
        level=4,
        technician=TechnicianFactory(available_until=DAY + datetime.timedelta(days=19)),
    )
    return requirement.agreement


def agreement_status(check, agreement):
    return check.agreement_results.get(agreement=agreement).status


def test_the_next_check_uses_the_warning_window_saved_on_the_page(
    browse, scheduled, admin_user, leaving_in_twenty_days, settings
):
    settings.COVERAGE_WARNING_DAYS = 60
    before = next_check()

    response = post_rules(browse("admin_user"), warning_days="10", admin_user=admin_user)
    after = next_check()

    assert response.status_code == 302
    assert (before.warning_days, agreement_status(before, leaving_in_twenty_days)) == (
        60,
        CoverageStatus.AT_RISK,
    )
    assert (after.warning_days, agreement_status(after, leaving_in_twenty_days)) == (
        10,
        CoverageStatus.COVERED,
    )
    before.refresh_from_db()
    assert before.warning_days == 60  # a recorded check keeps what it used


@pytest.mark.parametrize(
    ("posted", "needed", "status"),
    [("", 2, CoverageStatus.AT_RISK), ("1", 1, CoverageStatus.COVERED)],
)
def test_new_requirements_of_the_next_check_need_the_minimum_saved_on_the_page(
    browse, scheduled, admin_user, settings, posted, needed, status
):
    settings.COVERAGE_MIN_TECHNICIANS = 2
    post_rules(browse("admin_user"), min_technicians=posted, admin_user=admin_user)
    sql = SkillFactory(name="SQL Server")
    TechnicianSkillFactory(skill=sql, level=4)
    service = ServiceFactory(name="Managed databases", min_level=3)
    service.skills_in_scope.add(sql)
    agreement = AgreementServiceFactory(service=service).agreement
    ClientTechnologyFactory(client=agreement.client, skill=sql)

    check = next_check()

    assert list(agreement.requirements.values_list("min_technicians", flat=True)) == [needed]
    assert agreement_status(check, agreement) == status


def test_the_page_says_which_values_are_set_here_and_which_come_from_the_environment(
    browse, scheduled, admin_user, settings
):
    settings.COVERAGE_WARNING_DAYS, settings.COVERAGE_MIN_TECHNICIANS = 60, 2
    client = browse("admin_user")

    post_rules(client, warning_days="30", admin_user=admin_user)
    page = client.get(reverse("coverage:settings")).content.decode()

    assert "30 days, set here" in page
    assert "2 qualified technicians per requirement by default, from the environment" in page
    assert coverage_defaults() == CoverageDefaults(
        warning_days=30, min_technicians=2, warning_days_stored=True, min_technicians_stored=False
    )
    assert CoverageSettings.objects.get().updated_by == admin_user


def test_blank_values_go_back_to_the_environment(browse, scheduled, admin_user, settings):
    settings.COVERAGE_WARNING_DAYS = 45
    client = browse("admin_user")
    post_rules(client, warning_days="30", min_technicians="3", admin_user=admin_user)

    post_rules(client, admin_user=admin_user)

    assert (coverage_defaults().warning_days, coverage_defaults().min_technicians) == (45, 2)


@pytest.mark.parametrize(
    ("warning_days", "min_technicians", "message"),
    [
        ("-1", "", "The warning window cannot be negative"),
        ("366", "", "The warning window is at most 365 days."),
        ("soon", "", "Give a whole number of days"),
        ("", "0", "A requirement needs at least 1 qualified technician."),
        ("", "21", "At most 20 technicians per requirement."),
    ],
)
def test_bad_values_are_refused_and_change_nothing(
    browse, scheduled, admin_user, warning_days, min_technicians, message
):
    before = schedules()

    response = post_rules(
        browse("admin_user"),
        warning_days=warning_days,
        min_technicians=min_technicians,
        admin_user=admin_user,
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CoverageSettings.objects.exists()
    assert schedules() == before
    assert recipients() == set()


def test_saving_the_values_marks_the_newest_check_out_of_date(
    browse, scheduled, admin_user, time_machine
):
    CoverageDataChange.objects.update(changed_at=NOW - datetime.timedelta(days=1))
    check = next_check()
    assert coverage_data_changes_since(check) == []
    time_machine.move_to(NOW + datetime.timedelta(minutes=5), tick=False)

    post_rules(browse("admin_user"), warning_days="30", admin_user=admin_user)

    assert [str(change) for change in coverage_data_changes_since(check)] == [
        "1 change of the coverage rules"
    ]


@pytest.mark.parametrize("role", ["consultant", "viewer"])
def test_the_values_are_refused_to_users_who_are_not_staff(browse, scheduled, admin_user, role):
    response = post_rules(browse(role), warning_days="5", admin_user=admin_user)

    assert response.status_code == 403
    assert not CoverageSettings.objects.exists()
