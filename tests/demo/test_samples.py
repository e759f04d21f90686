"""The sample files in demo/samples/ import into the demo without an error."""

from pathlib import Path

import pytest

from agreements.imports.flow import import_batch_create
from demo.portfolio import seed_demo

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "samples"
KINDS = {
    "1-clients.csv": "clients",
    "2-contacts.csv": "contacts",
    "3-technicians.csv": "technicians",
    "4-environment.csv": "environment",
    "4-environment.xlsx": "environment",
    "5-technician-skills.csv": "technician_skills",
    "6-certifications.csv": "certifications",
    "7-agreements.csv": "agreements",
    "rmm-software-inventory.csv": "environment",
}


def test_every_sample_previews_without_errors(consultant):
    seed_demo()
    assert sorted(path.name for path in SAMPLES.iterdir()) == sorted(KINDS)
    for name, kind in KINDS.items():
        batch = import_batch_create(
            user=consultant, kind=kind, filename=name, data=(SAMPLES / name).read_bytes()
        )
        assert batch.preview["counts"]["error"] == 0, (name, batch.preview["rows"][:2])
    assert batch.preview["unknown_products"] == [{"name": "Acme Imaging Bridge 4", "rows": 6}]
