from django.core.management.base import BaseCommand

from agreements.catalog import load_catalog


class Command(BaseCommand):
    help = (
        "Load the starter catalog: skill categories, skills with versions, certifications and "
        "services. Safe to run again: only what is missing is added."
    )

    def handle(self, *args, **options):
        report = load_catalog()
        self.stdout.write(f"Catalog: {report}.")
