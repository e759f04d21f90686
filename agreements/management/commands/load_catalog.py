from django.core.management.base import BaseCommand, CommandError

from agreements.service_catalog import load_catalog
from skills.lifecycle import SHIPPED_SNAPSHOT, LifecycleFileError


class Command(BaseCommand):
    help = (
        "Load the starter catalog: skill categories, skills with versions, certifications and "
        "services, and the versions' end-of-support dates and successors from a lifecycle "
        "snapshot. Safe to run again: only what is missing is added, and a lifecycle snapshot "
        "changes the versions only when it is newer than the one loaded last."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lifecycle",
            metavar="PATH",
            default=SHIPPED_SNAPSHOT,
            help="A lifecycle snapshot file (JSON, as skills/data/lifecycle.json); "
            "default: the one the catalog ships.",
        )

    def handle(self, *args, **options):
        try:
            report = load_catalog(lifecycle=options["lifecycle"])
        except LifecycleFileError as error:
            raise CommandError(f"Nothing loaded: {error}") from None
        self.stdout.write(f"Catalog: {report}.")
