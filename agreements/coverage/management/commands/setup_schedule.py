import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TASK_NAME = "Nightly coverage check"
TASK = "agreements.tasks.run_nightly_coverage"


class Command(BaseCommand):
    help = (
        "Create the nightly coverage check in the beat schedule at COVERAGE_REPORT_TIME "
        "(TIME_ZONE). An existing entry keeps the time an admin gave it unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reset an existing entry to COVERAGE_REPORT_TIME and enable it.",
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        at = datetime.datetime.strptime(settings.COVERAGE_REPORT_TIME, "%H:%M")
        hour, minute = at.hour, at.minute
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        when = f"{hour:02d}:{minute:02d} {settings.TIME_ZONE}"
        task = PeriodicTask.objects.select_for_update().filter(name=TASK_NAME).first()
        if task is None:
            PeriodicTask.objects.create(name=TASK_NAME, task=TASK, crontab=crontab)
            self.stdout.write(f"Scheduled “{TASK_NAME}” daily at {when}.")
        elif force:
            task.task = TASK
            task.crontab = crontab
            task.interval = task.solar = task.clocked = None
            task.one_off = False
            task.enabled = True
            task.save()
            self.stdout.write(f"Reset “{TASK_NAME}” to daily at {when}.")
        else:
            self.stdout.write(
                f"“{TASK_NAME}” is already scheduled ({task.scheduler}); kept as it is. "
                "Use --force to reset it to COVERAGE_REPORT_TIME."
            )
