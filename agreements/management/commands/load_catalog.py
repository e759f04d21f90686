import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agreements.service_catalog import load_catalog
from skills.lifecycle import SHIPPED_SNAPSHOT, LifecycleFileError, lifecycle_snapshot_read


def _day(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--taken-on must be a date written YYYY-MM-DD, not {value!r}."
        ) from None
    if day > timezone.localdate():
        # A day to come would make the file newer than any real data loaded after it.
        raise CommandError(f"--taken-on cannot be after today, not {value}.")
    return day


class Command(BaseCommand):
    help = (
        "Load the starter catalog: skill categories, skills with versions, certifications and "
        "services, and the versions' end-of-support dates and successors from lifecycle data. "
        "Safe to run again: only what is missing is added, and lifecycle data changes a "
        "product's versions only when it is newer than the data loaded last for that product."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lifecycle",
            metavar="PATH",
            default=SHIPPED_SNAPSHOT,
            help="Lifecycle data: a snapshot in our format (as skills/data/lifecycle.json, the "
            "default), endoflife.date's API v1 JSON of a product, or an endoflife.date product "
            "file (Markdown with front matter, with --taken-on).",
        )
        parser.add_argument(
            "--taken-on",
            metavar="YYYY-MM-DD",
            help="The day of the data of an endoflife.date product file (required for one; the "
            "other formats give their own).",
        )
        parser.add_argument(
            "--product",
            default="",
            help="The endoflife.date product a product file describes, when its permalink does "
            "not say it.",
        )

    def handle(self, *args, **options):
        taken_on = _day(options["taken_on"]) if options["taken_on"] else None
        try:
            snapshot = lifecycle_snapshot_read(
                options["lifecycle"], taken_on=taken_on, product=options["product"]
            )
            report = load_catalog(lifecycle=snapshot)
        except LifecycleFileError as error:
            raise CommandError(f"Nothing loaded: {error}") from None
        self.stdout.write(f"Catalog: {report}.")
