"""Time an RMM inventory import: preview and confirm of 10,000 rows (400 devices × 25 products
across 40 clients) on the configured database, printing one JSON line."""

import csv
import io
import json
import time
import tracemalloc

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from agreements.imports.flow import import_batch_create
from agreements.imports.models import ImportBatch
from agreements.imports.services import import_batch_confirm
from agreements.models import Agreement
from agreements.service_catalog import load_catalog
from clients.models import Client, ClientTechnology

CLIENT_PREFIX = "Bench Import Client"
USERNAME = "bench-import"
# How an RMM lists the catalog's products: 25 spellings, each with a version of its own.
PRODUCTS = [
    ("Microsoft Windows 11 Pro", "10.0.22631"),
    ("Microsoft Windows 10 Enterprise", "10.0.19045"),
    ("Windows Server 2019 Standard", "10.0.17763"),
    ("Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
    ("Microsoft Exchange Server 2016 CU23", "15.1.2507"),
    ("Microsoft Exchange Server 2019 CU14", "15.2.1544"),
    ("SonicOS 7.0.1-5095", ""),
    ("FortiOS v7.2.8 build1639", ""),
    ("Cisco IOS XE 17.9.4a", ""),
    ("Ubuntu 22.04.4 LTS", ""),
    ("macOS Sonoma 14.4", ""),
    ("Veeam Backup & Replication 12.1.2.172", ""),
    ("VMware ESXi 8.0 Update 2", ""),
    ("Microsoft SQL Server 2019 (64-bit)", ""),
    ("QuickBooks Desktop 2024", ""),
    ("Autodesk AutoCAD 2024", ""),
    ("SentinelOne Agent", "23.4.2"),
    ("Microsoft 365 Apps for enterprise - en-us", "16.0.17328"),
    ("Datto SIRIS 5", ""),
    ("UniFi Network Application", "8.0.28"),
    ("Dentrix G7.5", ""),
    ("Clio Manage", ""),
    ("IDEXX Cornerstone 9.3", ""),
    ("Microsoft Defender for Endpoint", "4.18"),
    ("Hyper-V Server", ""),
]


def bench_client_names(clients: int) -> list[str]:
    return [f"{CLIENT_PREFIX} {number:02d}" for number in range(1, clients + 1)]


def inventory(*, client_names: list[str], devices: int, products=PRODUCTS) -> bytes:
    """One row per device and product, the devices spread evenly over the clients."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Organization", "Device Name", "Software", "Version"])
    for device in range(devices):
        client = client_names[device % len(client_names)]
        for product, version in products:
            writer.writerow([client, f"WS-{device:04d}", product, version])
    return buffer.getvalue().encode()


class Command(BaseCommand):
    help = (
        "Preview and import a 10,000-row RMM inventory (400 devices × 25 products across 40 "
        "clients) and print the seconds, rows and peak Python memory as one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=40)
        parser.add_argument("--devices", type=int, default=400)
        parser.add_argument("--keep", action="store_true", help="Keep the bench clients.")

    def handle(self, *args, clients, devices, keep, **options):
        if not 1 <= clients <= devices <= 2000:
            raise CommandError("Use 1 ≤ --clients ≤ --devices ≤ 2000.")
        load_catalog()
        self.remove()
        names = bench_client_names(clients)
        Client.objects.bulk_create(Client(name=name) for name in names)
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        data = inventory(client_names=names, devices=devices)
        try:
            tracemalloc.start()
            # In-process, to time the work itself rather than the queue.
            with override_settings(IMPORT_BACKGROUND_ROWS=10**9):
                started = time.perf_counter()
                batch = import_batch_create(
                    user=user, kind="environment", filename="inventory.csv", data=data
                )
                previewed = time.perf_counter()
                batch = import_batch_confirm(batch=batch, user=user)
                imported = time.perf_counter()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            if batch.state != ImportBatch.State.IMPORTED:
                raise CommandError(f"The import did not go through: {batch.message}")
            written = ClientTechnology.objects.filter(
                client__name__startswith=CLIENT_PREFIX
            ).count()
            self.stdout.write(
                json.dumps(
                    {
                        "database": connection.vendor,
                        "rows": batch.rows_total,
                        "environment_rows_written": written,
                        "preview_seconds": round(previewed - started, 2),
                        "import_seconds": round(imported - previewed, 2),
                        "total_seconds": round(imported - started, 2),
                        "file_megabytes": round(len(data) / 1024 / 1024, 2),
                        "peak_python_megabytes": round(peak / 1024 / 1024, 1),
                    }
                )
            )
        finally:
            if not keep:
                self.remove()

    @staticmethod
    def remove():
        bench_clients = Client.objects.filter(name__startswith=CLIENT_PREFIX)
        Agreement.objects.filter(client__in=bench_clients).delete()
        bench_clients.delete()
        for batch in ImportBatch.objects.filter(created_by__username=USERNAME):
            batch.file.delete(save=False)
            batch.delete()
