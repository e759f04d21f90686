"""The beat schedule, stored with django-celery-beat: the nightly check at COVERAGE_REPORT_TIME
and the sweep that makes sure no night is lost (DESIGN "The nightly job"), and the app's other
regular jobs: the reminders, the worker's heartbeat, the removal of expired API tokens, of
uploads no import names and of evidence files no proposal names, the start of the PSA and RMM
syncs whose time has come, and the lifecycle refresh when LIFECYCLE_URL is set."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

NIGHTLY_TASK_NAME = "Nightly coverage check"
NIGHTLY_TASK = "agreements.tasks.run_nightly_coverage"
SWEEP_TASK_NAME = "Coverage sweep (late or lost nightly runs)"
SWEEP_TASK = "agreements.tasks.sweep_nightly_coverage"
REMINDERS_TASK_NAME = "Daily reminders (notice deadlines, certifications, goals)"
REMINDERS_TASK = "agreements.tasks.send_reminders"
HEARTBEAT_TASK_NAME = "Worker heartbeat (for /health/)"
HEARTBEAT_TASK = "core.tasks.record_worker_heartbeat"
EXPIRED_TOKENS_TASK_NAME = "Daily removal of expired API tokens"
EXPIRED_TOKENS_TASK = "agreements.api.delete_expired_tokens"
UPLOADS_CLEANUP_TASK_NAME = "Daily removal of uploaded files no import names"
UPLOADS_CLEANUP_TASK = "imports.delete_orphan_uploads"
EVIDENCE_CLEANUP_TASK_NAME = "Daily removal of evidence files no proposal names"
EVIDENCE_CLEANUP_TASK = "skills.delete_orphan_evidence"
LIFECYCLE_TASK_NAME = "Daily lifecycle refresh (LIFECYCLE_URL)"
LIFECYCLE_TASK = "skills.tasks.refresh_lifecycle"
CONNECTOR_SYNCS_TASK_NAME = "PSA and RMM syncs whose time has come"
CONNECTOR_SYNCS_TASK = "connectors.start_due_syncs"


@dataclass(frozen=True)
class ScheduleChange:
    name: str
    action: str  # "created", "reset", "kept", "removed"
    when: str


def _crontab(hour: int, minute: int) -> CrontabSchedule:
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    return crontab


def _entry(name, task, *, force, when, **schedule) -> ScheduleChange:
    entry = PeriodicTask.objects.select_for_update().filter(name=name).first()
    if entry is None:
        PeriodicTask.objects.create(name=name, task=task, **schedule)
        return ScheduleChange(name, "created", when)
    if not force:
        return ScheduleChange(name, "kept", str(entry.scheduler))
    entry.task = task
    entry.crontab = entry.interval = entry.solar = entry.clocked = None
    for field, value in schedule.items():
        setattr(entry, field, value)
    entry.one_off = False
    entry.enabled = True
    entry.save()
    return ScheduleChange(name, "reset", when)


@transaction.atomic
def coverage_schedule_setup(*, force: bool = False) -> list[ScheduleChange]:
    """Create the nightly check (daily at COVERAGE_REPORT_TIME in TIME_ZONE), the sweep (every
    COVERAGE_SWEEP_MINUTES), the reminders (daily at REMINDER_TIME), the worker's heartbeat
    (every minute, for /health/), the removal of expired API tokens, of uploads no import names
    and of evidence files no proposal names (daily, at no particular time), and the lifecycle
    refresh (daily at LIFECYCLE_REFRESH_TIME) when LIFECYCLE_URL is set, removed when it is not.
    Entries an admin changed are kept unless `force`."""
    at = datetime.datetime.strptime(settings.COVERAGE_REPORT_TIME, "%H:%M")
    reminders_at = datetime.datetime.strptime(settings.REMINDER_TIME, "%H:%M")
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=settings.COVERAGE_SWEEP_MINUTES, period=IntervalSchedule.MINUTES
    )
    every_minute, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.MINUTES
    )
    every_day, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.DAYS)
    connector_interval, _ = IntervalSchedule.objects.get_or_create(
        every=settings.CONNECTOR_SCHEDULE_MINUTES, period=IntervalSchedule.MINUTES
    )
    changes = [
        _entry(
            NIGHTLY_TASK_NAME,
            NIGHTLY_TASK,
            force=force,
            when=f"daily at {at:%H:%M} {settings.TIME_ZONE}",
            crontab=_crontab(at.hour, at.minute),
        ),
        _entry(
            SWEEP_TASK_NAME,
            SWEEP_TASK,
            force=force,
            when=f"every {settings.COVERAGE_SWEEP_MINUTES} minutes",
            interval=interval,
        ),
        _entry(
            REMINDERS_TASK_NAME,
            REMINDERS_TASK,
            force=force,
            when=f"daily at {reminders_at:%H:%M} {settings.TIME_ZONE}",
            crontab=_crontab(reminders_at.hour, reminders_at.minute),
        ),
        _entry(
            HEARTBEAT_TASK_NAME,
            HEARTBEAT_TASK,
            force=force,
            when="every minute",
            interval=every_minute,
        ),
        _entry(
            EXPIRED_TOKENS_TASK_NAME,
            EXPIRED_TOKENS_TASK,
            force=force,
            when="every day",
            interval=every_day,
        ),
        _entry(
            UPLOADS_CLEANUP_TASK_NAME,
            UPLOADS_CLEANUP_TASK,
            force=force,
            when="every day",
            interval=every_day,
        ),
        _entry(
            EVIDENCE_CLEANUP_TASK_NAME,
            EVIDENCE_CLEANUP_TASK,
            force=force,
            when="every day",
            interval=every_day,
        ),
        _entry(
            CONNECTOR_SYNCS_TASK_NAME,
            CONNECTOR_SYNCS_TASK,
            force=force,
            when=f"every {settings.CONNECTOR_SCHEDULE_MINUTES} minutes",
            interval=connector_interval,
        ),
    ]
    lifecycle = _lifecycle_entry(force=force)
    return changes if lifecycle is None else [*changes, lifecycle]


def _lifecycle_entry(*, force: bool) -> ScheduleChange | None:
    """The lifecycle refresh while LIFECYCLE_URL is set; once it is unset, the entry goes."""
    if not settings.LIFECYCLE_URL:
        removed, _ = PeriodicTask.objects.filter(name=LIFECYCLE_TASK_NAME).delete()
        if removed:
            return ScheduleChange(LIFECYCLE_TASK_NAME, "removed", "LIFECYCLE_URL is not set")
        return None
    refresh_at = datetime.datetime.strptime(settings.LIFECYCLE_REFRESH_TIME, "%H:%M")
    return _entry(
        LIFECYCLE_TASK_NAME,
        LIFECYCLE_TASK,
        force=force,
        when=f"daily at {refresh_at:%H:%M} {settings.TIME_ZONE}",
        crontab=_crontab(refresh_at.hour, refresh_at.minute),
    )


def nightly_time() -> tuple[int, int]:
    """(hour, minute) of the nightly check: the beat entry's when it has a plain time, else
    COVERAGE_REPORT_TIME."""
    entry = PeriodicTask.objects.filter(name=NIGHTLY_TASK_NAME).select_related("crontab").first()
    crontab = entry.crontab if entry is not None else None
    if crontab is not None and crontab.hour.isdigit() and crontab.minute.isdigit():
        return int(crontab.hour), int(crontab.minute)
    at = datetime.datetime.strptime(settings.COVERAGE_REPORT_TIME, "%H:%M")
    return at.hour, at.minute


@transaction.atomic
def nightly_time_set(*, hour: int, minute: int) -> PeriodicTask:
    """Run the nightly check daily at hour:minute (TIME_ZONE) from now on.

    The time is written to the nightly task's own crontab. A crontab another periodic task also
    uses is left as it is, and the nightly task gets one of its own.
    """
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValidationError({"nightly_time": "Give a time of day between 00:00 and 23:59."})
    entry = PeriodicTask.objects.select_for_update().filter(name=NIGHTLY_TASK_NAME).first()
    if entry is None:
        coverage_schedule_setup()
        entry = PeriodicTask.objects.select_for_update().get(name=NIGHTLY_TASK_NAME)
    crontab = entry.crontab
    shared = (
        crontab is not None
        and PeriodicTask.objects.filter(crontab=crontab).exclude(pk=entry.pk).exists()
    )
    if crontab is None or shared:
        crontab = CrontabSchedule()
    crontab.minute, crontab.hour = str(minute), str(hour)
    crontab.day_of_week = crontab.day_of_month = crontab.month_of_year = "*"
    crontab.timezone = settings.TIME_ZONE
    crontab.save()
    entry.crontab = crontab
    entry.interval = entry.solar = entry.clocked = None
    entry.save()
    return entry


def nightly_next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """When the nightly check runs next (aware, in TIME_ZONE)."""
    now = timezone.localtime(now)
    hour, minute = nightly_time()
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at <= now:
        next_day = now.date() + datetime.timedelta(days=1)
        at = timezone.make_aware(datetime.datetime.combine(next_day, datetime.time(hour, minute)))
    return at
