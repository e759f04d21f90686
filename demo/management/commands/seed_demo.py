from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run, newest_check
from agreements.coverage.models import CoverageCheck
from core.formatting import money
from demo.portfolio import DemoDataError, seed_demo


class Command(BaseCommand):
    help = (
        "Load the starter catalog and a demo MSP: eight clients whose active agreements total "
        "$165,000 a year, six technicians in two time zones with their working hours and time "
        "off, an after-hours on-call rota, two competitors. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo clients, technicians and competitors first (not the catalog).",
        )

    def handle(self, *args, reset, **options):
        try:
            report = seed_demo(reset=reset)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if report.removed:
            removed = ", ".join(
                f"{count} {label}" for label, count in sorted(report.removed.items())
            )
            self.stdout.write(f"Removed: {removed}.")
        self.stdout.write(f"Catalog: {report.catalog}.")
        if report.created:
            self.stdout.write(
                f"Demo: {report.clients} clients, {report.agreements} agreements, "
                f"{report.technicians} technicians, {report.rotas} on-call rotas, "
                f"{report.competitors} competitors, {report.training_goals} training goals, "
                f"{report.programmes} partner programmes added."
            )
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(
            f"{report.active_clients} active demo clients; active agreements total "
            f"{money(report.active_annual_value)} a year."
        )
        if report.created or newest_check() is None:
            # So that the dashboard has figures on the first visit.
            check = coverage_check_run(
                day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL
            )
            self.stdout.write(
                f"Coverage checked: {check.uncovered_count} uncovered, {check.at_risk_count} "
                f"at risk, {check.covered_count} covered."
            )
