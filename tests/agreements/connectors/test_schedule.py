"""Scheduled syncs: one beat entry starts the connections whose time of day has come, once; the
sync task is safe to run twice, and a connection has one sync at a time."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from agreements.connectors.models import SyncRun
from agreements.connectors.services import sync_run_execute, sync_run_start, syncs_due_start
from agreements.connectors.tasks import sync_run
from agreements.coverage.schedule import CONNECTOR_SYNCS_TASK, coverage_schedule_setup
from core.models import hour_before_nightly_run

pytestmark = pytest.mark.django_db


def at(hour, minute):
    local = timezone.get_current_timezone()
    return datetime.datetime(2026, 12, 7, hour, minute, tzinfo=local)


def test_the_default_time_is_an_hour_before_the_nightly_check(settings):
    settings.COVERAGE_REPORT_TIME = "02:00"

    assert hour_before_nightly_run() == datetime.time(1, 0)


def test_a_connection_starts_once_when_its_time_has_come(connection):
    connection.schedule_time = datetime.time(1, 0)
    connection.save()

    with time_machine.travel(at(0, 55), tick=False):
        assert syncs_due_start() == []
    with time_machine.travel(at(1, 5), tick=False):
        started = syncs_due_start()
    with time_machine.travel(at(1, 10), tick=False):
        again = syncs_due_start()

    assert [run.trigger for run in started] == [SyncRun.Trigger.SCHEDULE]
    assert again == []


def test_a_connection_without_schedule_is_not_started(connection):
    connection.schedule_time = datetime.time(1, 0)
    connection.schedule_enabled = False
    connection.save()

    with time_machine.travel(at(1, 5), tick=False):
        assert syncs_due_start() == []


def test_the_beat_schedule_has_the_entry_that_starts_them(db):
    coverage_schedule_setup()

    entry = PeriodicTask.objects.get(task=CONNECTOR_SYNCS_TASK)
    assert entry.interval.every == 15


def test_the_sync_task_is_safe_to_run_twice(catalog, connection, ninjaone):
    run = sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    sync_run(run.pk)
    requests = ninjaone.requests
    sync_run(run.pk)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.REVIEW
    assert ninjaone.requests == requests


def test_a_second_sync_is_refused_while_one_waits_for_review(catalog, connection):
    sync_run_execute(run=sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL))

    with pytest.raises(ValidationError, match="waiting for review"):
        sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL)
