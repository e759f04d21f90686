"""Write the demo's data as the files a new user would import (README "Bring your data")."""

from pathlib import Path

from django.core.management.base import BaseCommand

from agreements.imports.kinds import IMPORT_ORDER
from agreements.imports.selectors import kind_export
from demo.management.commands.bench_import import PRODUCTS, inventory
from demo.portfolio import demo_clients, seed_demo

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


class Command(BaseCommand):
    help = (
        "Load the demo (if missing) and write each kind of import file from it to demo/samples/ "
        "(CSV, and XLSX for the environment), with a small RMM software inventory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", type=Path, default=SAMPLES)

    def handle(self, *args, folder, **options):
        seed_demo()
        folder.mkdir(parents=True, exist_ok=True)
        for number, kind in enumerate(IMPORT_ORDER, start=1):
            name = f"{number}-{kind.replace('_', '-')}"
            (folder / f"{name}.csv").write_bytes(kind_export(kind, "csv"))
        (folder / "4-environment.xlsx").write_bytes(kind_export("environment", "xlsx"))
        # Three demo clients' machines, with a product the catalog does not know.
        names = list(demo_clients().order_by("name").values_list("name", flat=True)[:3])
        products = [*PRODUCTS[:6], *PRODUCTS[16:18], ("Acme Imaging Bridge 4", "4.2")]
        (folder / "rmm-software-inventory.csv").write_bytes(
            inventory(client_names=names, devices=6, products=products)
        )
        self.stdout.write(f"Wrote the sample files to {folder}.")
