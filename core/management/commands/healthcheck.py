import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client


class Command(BaseCommand):
    help = (
        "Ask /health/ from inside the process, as a container healthcheck does; exit 0 when it "
        "answers 200, 1 otherwise. --scope web checks the database only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scope", choices=["all", "web"], default="all")

    def handle(self, *args, scope, **options):
        # In-process, as one of the site's own hosts: no port, no HTTPS redirect to know of.
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        response = Client(raise_request_exception=False).get(
            "/health/", {"scope": scope}, headers={"host": host}, secure=True
        )
        self.stdout.write(json.dumps(response.json()))
        if response.status_code != 200:
            raise SystemExit(1)
