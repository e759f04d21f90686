import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat


class Command(BaseCommand):
    help = "Queue a heartbeat task and wait until a Celery worker has run it (exit 1 if none did)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30, help="seconds to wait")

    def handle(self, *, timeout, **options):
        sent_at = timezone.now()
        record_worker_heartbeat.delay()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            heartbeat = WorkerHeartbeat.objects.filter(seen_at__gte=sent_at).first()
            if heartbeat is not None:
                self.stdout.write(f"Worker {heartbeat.worker} ran the heartbeat task.")
                return
            time.sleep(0.5)
        raise CommandError(f"No Celery worker ran the heartbeat task within {timeout:g} s.")
