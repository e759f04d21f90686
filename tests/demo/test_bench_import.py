import json

import pytest
from django.core.management import call_command

from clients.models import Client

pytestmark = pytest.mark.django_db


def test_bench_import_prints_its_figures_and_cleans_up(capsys):
    call_command("bench_import", clients=2, devices=4)
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["rows"] == 4 * 25
    assert figures["environment_rows_written"] == 2 * 25
    assert figures["total_seconds"] >= figures["preview_seconds"] > 0
    assert not Client.objects.filter(name__startswith="Bench Import Client").exists()
