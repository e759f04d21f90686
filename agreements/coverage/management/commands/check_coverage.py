import json

from django.core.management.base import BaseCommand

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageStatus
from core.formatting import count_text, money
from core.management.options import run_date_option


def worst_reason(agreement) -> str:
    if not agreement.requirements:
        return "No requirements: add services the client runs, or a manual requirement."
    worst = max(agreement.requirements, key=lambda r: CoverageStatus.severity_of(r.status))
    return worst.reason


class Command(BaseCommand):
    help = "Print the coverage of every active agreement on a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to check, as YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--json", action="store_true", help="One JSON object per agreement, one per line."
        )

    def handle(self, *args, date=None, json=False, **options):
        day = run_date_option(date)
        result = evaluate_coverage(day=day)
        if json:
            self.write_json_lines(result)
        else:
            self.write_table(result)

    def write_json_lines(self, result):
        for agreement in result.agreements:
            row = {
                "date": result.day.isoformat(),
                "agreement_id": agreement.agreement_id,
                "reference": agreement.reference,
                "title": agreement.title,
                "client": agreement.client_name,
                "status": agreement.status,
                "annual_value": str(agreement.annual_value),
                "reason": worst_reason(agreement),
            }
            self.stdout.write(json.dumps(row))

    def write_table(self, result):
        header = ("Reference", "Client", "Status", "Annual value", "Reason")
        rows = [
            (
                agreement.reference,
                agreement.client_name,
                CoverageStatus(agreement.status).label,
                money(agreement.annual_value),
                worst_reason(agreement),
            )
            for agreement in result.agreements
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

        def line(row):
            cells = [row[i].rjust(w) if i == 3 else row[i].ljust(w) for i, w in enumerate(widths)]
            return "  ".join([*cells, row[4]]).rstrip()

        self.stdout.write(f"Coverage on {result.day.isoformat()}")
        self.stdout.write(line(header))
        for row in rows:
            self.stdout.write(line(row))
        counts = ", ".join(
            f"{result.counts.get(status, 0)} {status.label.lower()}" for status in CoverageStatus
        )
        at_risk = result.arr_uncovered + result.arr_at_risk
        self.stdout.write(
            f"{count_text(len(result.agreements), 'agreement')}: {counts}. "
            f"{money(at_risk)} of {money(result.arr_total)} ARR at risk."
        )
