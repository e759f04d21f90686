"""The syncs run on the worker. The schedule is one beat entry (every
CONNECTOR_SCHEDULE_MINUTES) that starts the connections whose time of day has come, rather than
a django-celery-beat entry per connection: a connection's schedule stays one row of its own,
edited with it, and nothing has to keep two tables in step when it is renamed or deleted.
Safe to run twice: a run no longer running is left alone."""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from agreements.connectors.models import SyncRun
from agreements.connectors.services import sync_run_execute, syncs_due_start


# A sync may take its whole time limit, and the write after it: longer than the other tasks.
@shared_task(
    name="connectors.sync",
    soft_time_limit=settings.CONNECTOR_SYNC_TIME_LIMIT_SECONDS + 300,
    time_limit=settings.CONNECTOR_SYNC_TIME_LIMIT_SECONDS + 360,
)
def sync_run(run_id: int) -> None:
    run = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING, progress=0).first()
    if run is None:
        return
    # Claimed with a conditional update: a second delivery of the task finds it taken.
    if not SyncRun.objects.filter(pk=run_id, progress=0).update(progress=1):
        return
    sync_run_execute(run=run)


@shared_task(name="connectors.start_due_syncs")
def start_due_syncs() -> None:
    for run in syncs_due_start():
        transaction.on_commit(lambda run_id=run.pk: sync_run.delay(run_id))
