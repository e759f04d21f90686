"""RMM inventories: one row per device and product summed into one environment row per client,
product and version; unknown products listed, mapped (a new alias, previewed again) or left
out; the write is all or nothing."""

import pytest

from agreements.coverage.checks import IMPORT_CHANGE, coverage_data_changed_at
from agreements.coverage.models import CoverageDataChange
from agreements.imports import kinds
from agreements.imports.flow import import_product_ignore, import_product_map
from agreements.imports.models import ImportBatch
from clients.models import ClientTechnology
from skills.models import Skill, SkillAlias
from tests.agreements.imports.conftest import csv_bytes, saved_state
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

INVENTORY = [
    "Organization,Device Name,Software,Display Version",
    "Acme Dental,FRONT-01,Microsoft Windows 11 Pro,10.0.22631",
    "Acme Dental,FRONT-02,Microsoft Windows 11 Pro,10.0.22631",
    "Acme Dental,FRONT-02,Microsoft Windows 11 Pro,10.0.22631",
    "Acme Dental,SRV-01,Windows Server 2019 Standard,10.0.17763",
    "Acme Dental,SRV-01,Microsoft Exchange Server 2016 CU23,15.1.2507",
    "Acme Dental,FW-01,SonicOS 7.0.1-5095,",
    "Acme Dental,FRONT-01,Dentrix G7.5,",
    "Acme Dental,FRONT-01,Acme Imaging Bridge 4,4.2",
    "Acme Dental,FRONT-02,Acme Imaging Bridge 4,4.2",
    "Birch Law,LAW-01,Microsoft Windows 11 Pro,10.0.22631",
    "Birch Law,LAW-01,Adobe Acrobat Reader DC,24.1",
]


@pytest.fixture
def clients(catalog):
    return ClientFactory(name="Acme Dental"), ClientFactory(name="Birch Law")


def environment(client):
    return sorted(
        (tech.skill.name, tech.version.label if tech.version else None, tech.quantity)
        for tech in ClientTechnology.objects.filter(client=client).select_related(
            "skill", "version"
        )
    )


def test_inventory_rows_are_summed_per_client_product_and_version(clients, upload, confirm):
    acme, birch = clients
    batch = upload("environment", csv_bytes(INVENTORY))
    assert batch.preview["counts"]["new"] == 6
    confirm(batch)
    assert environment(acme) == [
        ("Dentrix", None, 1),
        ("Exchange Server", "2016", 1),
        ("SonicWall SonicOS", "7.0", 1),
        ("Windows", "11", 2),  # two devices, one of them listed twice
        ("Windows Server", "2019", 1),
    ]
    assert environment(birch) == [("Windows", "11", 1)]


def test_unknown_products_are_listed_with_their_row_counts(clients, upload):
    batch = upload("environment", csv_bytes(INVENTORY))
    assert batch.preview["unknown_products"] == [
        {"name": "Acme Imaging Bridge 4", "rows": 2},
        {"name": "Adobe Acrobat Reader DC", "rows": 1},
    ]
    assert batch.preview["counts"]["error"] == 0


def test_mapping_an_unknown_product_adds_an_alias_and_previews_again(clients, upload, confirm):
    acme, _ = clients
    batch = upload("environment", csv_bytes(INVENTORY))
    dentrix = Skill.objects.get(name="Dentrix")
    batch = import_product_map(batch=batch, name="Acme Imaging Bridge 4", skill=dentrix)
    assert SkillAlias.objects.filter(pattern="Acme Imaging Bridge 4", skill=dentrix).exists()
    assert [entry["name"] for entry in batch.preview["unknown_products"]] == [
        "Adobe Acrobat Reader DC"
    ]
    batch = import_product_ignore(batch=batch, name="Adobe Acrobat Reader DC")
    assert batch.preview["unknown_products"] == []
    confirm(batch)
    # Dentrix on FRONT-01 and the bridge on FRONT-01 and FRONT-02: two devices.
    assert ("Dentrix", None, 2) in environment(acme)


def test_confirmed_import_syncs_requirements_and_marks_coverage_changed(clients, upload, confirm):
    import datetime
    from decimal import Decimal

    from agreements.models import Service
    from agreements.services import agreement_create

    acme, _ = clients
    agreement = agreement_create(
        client=acme,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("9000"),
        status="active",
        services=[Service.objects.get(name="Email & Microsoft 365 Administration")],
    )
    stamp = coverage_data_changed_at()
    confirm(upload("environment", csv_bytes(INVENTORY)))
    assert list(
        agreement.requirements.filter(source="derived").values_list("skill__name", "version__label")
    ) == [("Exchange Server", "2016")]
    assert coverage_data_changed_at() > stamp
    assert CoverageDataChange.objects.get(kind=IMPORT_CHANGE).changes == 1


def test_a_failure_at_the_last_write_leaves_the_database_unchanged(
    clients, upload, confirm, monkeypatch
):
    from tests.clients.factories import ClientTechnologyFactory

    acme, _ = clients
    ClientTechnologyFactory(client=acme, skill=Skill.objects.get(name="Clio"))
    lines = ["Name,Seats", "Acme Dental,40", "Cedar Vets,3", "Dune Labs,5"]
    batch = upload("clients", csv_bytes(lines))
    before = saved_state()
    original = kinds.Plan.write

    def failing_write(plan, **kwargs):
        last = plan.writes[-1]

        def boom():
            last()
            raise RuntimeError("disk full")

        plan.writes[-1] = boom
        return original(plan, **kwargs)

    monkeypatch.setattr(kinds.Plan, "write", failing_write)
    batch = confirm(batch)
    assert saved_state() == before
    assert batch.state == ImportBatch.State.READY
    assert "wrote nothing" in batch.message


def test_a_long_file_is_previewed_and_imported_by_the_worker(clients, upload, confirm, settings):
    from unittest import mock

    from agreements.imports import tasks

    settings.IMPORT_BACKGROUND_ROWS = 5
    with (
        mock.patch.object(tasks.import_preview, "delay_on_commit") as preview_queued,
        mock.patch.object(tasks.import_confirm, "delay_on_commit") as confirm_queued,
    ):
        batch = upload("environment", csv_bytes(INVENTORY))
        assert batch.state == ImportBatch.State.PREVIEWING
        preview_queued.assert_called_once_with(batch.pk)
        tasks.import_preview(batch.pk)
        batch.refresh_from_db()
        assert (batch.state, batch.rows_done, batch.rows_total) == ("ready", 11, 11)

        batch = confirm(batch)
        assert batch.state == ImportBatch.State.IMPORTING
        confirm_queued.assert_called_once()
        assert not ClientTechnology.objects.exists()
        tasks.import_confirm(*confirm_queued.call_args.args)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.IMPORTED
    assert ClientTechnology.objects.count() == 6
    # Run again (a redelivered task), it does nothing.
    tasks.import_confirm(*confirm_queued.call_args.args)
    assert ClientTechnology.objects.count() == 6


def test_thirty_inventory_spellings_import_as_their_skill_and_version(clients, upload, confirm):
    from tests.skills.test_aliases import SPELLINGS

    acme, _ = clients
    lines = ["Company,Computer,Application"] + [
        f'Acme Dental,PC-{number:02d},"{name}"' for number, (name, _, _) in enumerate(SPELLINGS)
    ]
    batch = upload("environment", csv_bytes(lines))
    assert batch.preview["unknown_products"] == []
    assert batch.preview["counts"]["error"] == 0
    confirm(batch)
    expected = {}
    for _, skill, label in SPELLINGS:
        expected[(skill, label)] = expected.get((skill, label), 0) + 1
    assert environment(acme) == sorted(
        (skill, label, count) for (skill, label), count in expected.items()
    )
