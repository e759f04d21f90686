from django.core.management.base import BaseCommand, CommandError

from agreements.coverage.models import CoverageRun
from agreements.coverage.report import TRANSIENT_EMAIL_ERRORS, coverage_report_send
from agreements.coverage.runs import coverage_run_execute
from core.formatting import count_text, money
from core.management.options import run_date_option


class Command(BaseCommand):
    help = (
        "Run the nightly coverage job now, in this process: check coverage for the date, update "
        "flags and email the report. A date already run is not run again; its report is sent "
        "unless it was sent already."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run, as YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options):
        day = run_date_option(date)
        run = coverage_run_execute(run_date=day)
        if run is None:
            run = CoverageRun.objects.get(run_date=day)
            self.stdout.write(f"Coverage for {day.isoformat()} was already run; not run again.")
        else:
            figures = run.coverage_check
            agreements = count_text(figures.agreements_count, "agreement")
            self.stdout.write(
                f"Checked coverage for {day.isoformat()}: {agreements}, "
                f"{figures.uncovered_count} uncovered, {figures.at_risk_count} at risk, "
                f"{money(figures.arr_at_risk_total)} of {money(figures.arr_total)} ARR at "
                f"risk; flags {figures.new_flags_count} new, "
                f"{figures.resolved_flags_count} resolved, {figures.open_flags_count} open."
            )
        if run.email_status == CoverageRun.EmailStatus.SENT:
            self.stdout.write(
                f"Report already sent at {run.sent_at.isoformat(timespec='seconds')}."
            )
            return
        try:
            status = coverage_report_send(run_id=run.pk)
        except TRANSIENT_EMAIL_ERRORS as exc:
            raise CommandError(f"The report could not be sent: {exc}") from None
        run.refresh_from_db()
        if status == CoverageRun.EmailStatus.SKIPPED:
            self.stdout.write(
                "Report not sent: the group “Coverage report recipients” has no active member "
                "with an email address."
            )
        else:
            self.stdout.write(
                f"Report sent to {count_text(run.recipients_count, 'recipient')} at "
                f"{run.sent_at.isoformat(timespec='seconds')}."
            )
