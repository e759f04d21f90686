"""An RMM software inventory exported as it comes (Windows-1252, semicolons, one row per device,
build numbers in the version column, a publisher column, a site name spelled differently, a
partial export): it previews without blocking, each odd row is offered its choice, confirming
writes exactly the expected environment, and importing it again changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.imports.flow import (
    import_batch_kind_set,
    import_client_choose,
    import_client_map,
    import_product_ignore,
    import_product_map,
    import_version_choose,
    import_version_map,
)
from agreements.imports.models import ImportBatch
from agreements.imports.services import import_preset_save
from clients.models import Client, ClientAlias, ClientTechnology
from skills.models import Skill, SkillAlias
from tests.agreements.imports.conftest import csv_bytes, saved_state, statuses
from tests.clients.factories import ClientFactory, ClientTechnologyFactory

pytestmark = pytest.mark.django_db

INVENTORY = [
    "Site;Device;Software Name;Publisher;Version",
    "Northlight Architects;NL-PC01;Microsoft Windows 11 Pro;Microsoft Corporation;10.0.22631",
    "Northlight Architects;NL-PC02;Microsoft Windows 11 Pro;Microsoft Corporation;10.0.22631",
    "Northlight Architects;NL-PC03;Microsoft Windows 11 Pro;Microsoft Corporation;10.0.22631",
    "Northlight Architects;NL-PC01;QuickBooks Desktop Pro 2022;Intuit Inc.;32.0",
    "Northlight Architects;NL-PC02;QuickBooks Desktop Pro 2022;Intuit Inc.;32.0",
    "Northlight Architects;NL-PC03;QuickBooks Desktop Enterprise;Intuit Inc.;24.0",
    "Northlight Architects;NL-SRV01;Veeam Agent for Microsoft Windows;Veeam Software;6.1.0.349",
    "Northlight Architects;NL-SRV01;Veeam Backup & Replication;Veeam Software;12.1.2.172",
    "Northlight Architects;NL-PC02;Plotter Café Ütility;Plotware;2.1",
    "Northlight Architecture;NL-PC04;Microsoft Windows 11 Pro;Microsoft Corporation;10.0.22631",
    "Northlight Architects;NL-PC05;;Microsoft Corporation;10.0.22631",
]
DATA = csv_bytes(INVENTORY, encoding="cp1252")


def skill(name):
    return Skill.objects.get(name=name)


def version(name, label):
    return skill(name).versions.get(label=label)


@pytest.fixture
def northlight(catalog):
    client = ClientFactory(name="Northlight Architects")
    ClientTechnologyFactory(
        client=client, skill=skill("Windows"), version=version("Windows", "11"), quantity=9
    )
    return client


def windows_row(batch):
    return next(row for row in batch.preview["rows"] if row["key"].endswith("Windows 11"))


def environment(client):
    return sorted(
        (tech.skill.name, tech.version.label if tech.version else "", tech.quantity)
        for tech in ClientTechnology.objects.filter(client=client).select_related(
            "skill", "version"
        )
    )


def test_the_inventory_previews_without_blocking_and_lists_each_odd_row(northlight, upload):
    batch = upload("environment", DATA, filename="inventory.csv")

    assert batch.state == ImportBatch.State.READY
    assert batch.preview["unknown_clients"] == [{"name": "Northlight Architecture", "rows": 1}]
    # The agent's name holds "Windows", but its publisher is not Windows' vendor.
    assert batch.preview["unknown_products"] == [
        {"name": "Plotter Café Ütility", "rows": 1},
        {"name": "Veeam Agent for Microsoft Windows", "rows": 1},
    ]
    assert [
        (entry["name"], entry["version"], entry["skill"])
        for entry in batch.preview["unknown_versions"]
    ] == [("QuickBooks Desktop Enterprise", "24.0", "QuickBooks Desktop")]
    # The version in the product name wins over the build number of the version column.
    assert statuses(batch) == {
        "Northlight Architects: Windows 11": "changed",
        "Northlight Architects: QuickBooks Desktop 2022": "new",
        "Northlight Architects: Veeam Backup & Replication 12": "new",
        "(no product)": "error",
    }
    assert windows_row(batch)["warnings"] == ["the file lists 3, Covered has 9: a partial export?"]
    error = next(row for row in batch.preview["rows"] if row["status"] == "error")
    assert error["errors"] == ["Row 12, product: is empty"]


def test_choosing_for_each_odd_row_then_confirming_writes_exactly_the_environment(
    northlight, upload, confirm
):
    batch = upload("environment", DATA, filename="inventory.csv")
    batch = import_client_map(batch=batch, name="Northlight Architecture", client=northlight)
    batch = import_version_map(
        batch=batch,
        name="QuickBooks Desktop Enterprise",
        version_label="24.0",
        version=version("QuickBooks Desktop", "2024"),
    )
    batch = import_product_map(
        batch=batch,
        name="Veeam Agent for Microsoft Windows",
        skill=skill("Veeam Backup & Replication"),
    )
    assert [entry["version"] for entry in batch.preview["unknown_versions"]] == ["6.1.0.349"]
    batch = import_version_choose(
        batch=batch,
        name="Veeam Agent for Microsoft Windows",
        version_label="6.1.0.349",
        without_version=True,
    )
    batch = import_product_ignore(batch=batch, name="Plotter Café Ütility")
    assert batch.preview["unknown_clients"] == []
    assert batch.preview["unknown_products"] == []
    assert batch.preview["unknown_versions"] == []
    assert windows_row(batch)["warnings"] == ["the file lists 4, Covered has 9: a partial export?"]

    batch = confirm(batch)

    assert batch.state == ImportBatch.State.IMPORTED, batch.message
    assert batch.preview["left_out"] == [12]
    assert environment(northlight) == [
        ("QuickBooks Desktop", "2022", 2),
        ("QuickBooks Desktop", "2024", 1),
        ("Veeam Backup & Replication", "", 1),
        ("Veeam Backup & Replication", "12", 1),
        ("Windows", "11", 4),
    ]
    assert ClientAlias.objects.get().client == northlight
    assert SkillAlias.objects.filter(
        pattern="QuickBooks Desktop Enterprise 24.0", version__label="2024"
    ).exists()
    assert Client.objects.count() == 1

    after_first = saved_state()
    again = upload("environment", DATA, filename="inventory.csv")
    # The client's other spelling and the version are remembered; the choices made for this
    # file only (without a version, left out) are offered again.
    assert again.preview["unknown_clients"] == []
    assert [entry["version"] for entry in again.preview["unknown_versions"]] == ["6.1.0.349"]
    assert set(statuses(again).values()) == {"unchanged", "error"}
    assert confirm(again).state == ImportBatch.State.IMPORTED
    assert saved_state() == after_first


def test_an_unknown_client_can_be_created_or_left_out(catalog, upload, confirm):
    lines = ["Customer;Software", "Harbor Dental;Windows 11", "Ghost Co;Windows 11"]
    batch = upload("environment", csv_bytes(lines, separator=";"))
    assert [entry["name"] for entry in batch.preview["unknown_clients"]] == [
        "Ghost Co",
        "Harbor Dental",
    ]
    batch = import_client_choose(batch=batch, name="Harbor Dental", create=True)
    batch = import_client_choose(batch=batch, name="Ghost Co", create=False)
    assert statuses(batch) == {"Harbor Dental (new client): Windows 11": "new"}
    assert Client.objects.count() == 0

    confirm(batch)

    harbor = Client.objects.get()
    assert harbor.name == "Harbor Dental"
    assert environment(harbor) == [("Windows", "11", 1)]


def test_the_preview_page_offers_the_choices_and_applies_them(northlight, consultant_client):
    consultant_client.post(
        reverse("imports:start"),
        {
            "kind": "environment",
            "date_order": "mdy",
            "file": SimpleUploadedFile("inventory.csv", DATA),
        },
    )
    batch = ImportBatch.objects.get()
    url = reverse("imports:batch", args=[batch.pk])
    page = consultant_client.get(url).content.decode()
    assert "Client names Covered does not know" in page
    assert "Versions the catalog does not know" in page
    assert "the file lists 3, Covered has 9: a partial export?" in page
    assert "Confirm and import without that row" in page

    consultant_client.post(
        url, {"action": "client", "name": "Northlight Architecture", "choice": str(northlight.pk)}
    )
    enterprise = {"action": "version", "name": "QuickBooks Desktop Enterprise"}
    enterprise |= {"version_label": "24.0", "skill": skill("QuickBooks Desktop").pk}
    refused = consultant_client.post(url, {**enterprise, "choice": "not a version"}, follow=True)
    assert "Choose a version, import without a version, or leave out." in refused.text
    consultant_client.post(url, {**enterprise, "choice": "without"})
    batch.refresh_from_db()
    assert batch.preview["unknown_clients"] == []
    assert batch.preview["unknown_versions"] == []

    confirmed = consultant_client.post(url, {"action": "confirm"}, follow=True)
    assert "Left out row 12." in confirmed.text
    assert ("QuickBooks Desktop", "", 1) in environment(northlight)
    assert ("Windows", "11", 4) in environment(northlight)


def test_an_inventory_uploaded_as_clients_is_offered_as_an_environment_file(northlight, upload):
    batch = upload("clients", DATA, filename="inventory.csv")
    assert batch.options["suggested_kind"] == "environment"
    assert batch.preview["missing"] == ["Name"]

    batch = import_batch_kind_set(batch=batch, kind="environment")

    assert batch.kind == "environment"
    assert batch.options["suggested_kind"] == ""
    assert batch.preview["unknown_clients"] == [{"name": "Northlight Architecture", "rows": 1}]


def test_a_file_that_fits_its_kind_is_offered_no_other(northlight, upload):
    batch = upload("environment", DATA, filename="inventory.csv")
    assert batch.options["suggested_kind"] == ""


def test_the_preset_chosen_sets_the_kind(northlight, upload):
    batch = upload("environment", DATA, filename="inventory.csv")
    preset = import_preset_save(batch=batch, name="Our RMM")

    following = upload("clients", DATA, filename="inventory.csv", preset=preset)

    assert following.kind == "environment"
    assert following.options["preset"] == "Our RMM"


def test_the_preview_page_offers_the_kind_the_file_fits(northlight, consultant_client):
    consultant_client.post(
        reverse("imports:start"),
        {"kind": "clients", "date_order": "mdy", "file": SimpleUploadedFile("i.csv", DATA)},
    )
    batch = ImportBatch.objects.get()
    url = reverse("imports:batch", args=[batch.pk])
    assert "This looks like another kind of file" in consultant_client.get(url).text

    consultant_client.post(url, {"action": "kind", "kind": "environment"})

    batch.refresh_from_db()
    assert batch.kind == "environment"
    assert "This looks like another kind of file" not in consultant_client.get(url).text
