from django.core.management.base import BaseCommand

from agreements.coverage.schedule import coverage_schedule_setup


class Command(BaseCommand):
    help = (
        "Create the nightly coverage check in the beat schedule at COVERAGE_REPORT_TIME "
        "(TIME_ZONE), the sweep that catches late or lost runs every COVERAGE_SWEEP_MINUTES, "
        "the daily reminders, the worker's heartbeat, the daily removal of expired API "
        "tokens and, when LIFECYCLE_URL is set, the daily lifecycle refresh. Existing entries "
        "keep what an admin gave them unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reset existing entries to the settings and enable them.",
        )

    def handle(self, *args, force=False, **options):
        for change in coverage_schedule_setup(force=force):
            if change.action == "created":
                self.stdout.write(f"Scheduled “{change.name}” {change.when}.")
            elif change.action == "reset":
                self.stdout.write(f"Reset “{change.name}” to {change.when}.")
            elif change.action == "removed":
                self.stdout.write(f"Removed “{change.name}”: {change.when}.")
            else:
                self.stdout.write(
                    f"“{change.name}” is already scheduled ({change.when}); kept as it is. "
                    "Use --force to reset it to the settings."
                )
