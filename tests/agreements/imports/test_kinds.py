"""Each kind of file: a file with new, changed, unchanged and erroneous rows previews as such;
confirming it imports the rest and names the rows left out; a clean file writes exactly its
rows; importing it again writes nothing."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from agreements.imports.models import ImportBatch
from agreements.models import Agreement
from clients.models import Client, ClientTechnology, Contact
from skills.models import Skill, Technician, TechnicianCertification, TechnicianSkill
from tests.agreements.imports.conftest import csv_bytes, saved_state, statuses
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.skills.factories import (
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(catalog):
    client = ClientFactory(name="Acme Dental", seats=10, industry="Dental")
    ContactFactory(client=client, name="Rosa Díaz", email="rosa@acme.example", is_primary=True)
    return client


@pytest.fixture
def dana(catalog):
    return TechnicianFactory(name="Dana Whitfield", email="dana@msp.example")


def skill(name):
    return Skill.objects.get(name=name)


def version(name, label):
    return skill(name).versions.get(label=label)


def confirmed_without_error_rows(batch):
    """A file with rows that cannot be read is imported without them, and its record names
    them."""
    assert batch.state == ImportBatch.State.IMPORTED, batch.message
    error_rows = [row["row"] for row in batch.preview["rows"] if row["status"] == "error"]
    assert error_rows
    assert batch.preview["left_out"] == error_rows


def import_twice(upload, confirm, kind, lines):
    """Import a clean file, then the same file again: the state after each."""
    batch = confirm(upload(kind, csv_bytes(lines)))
    assert batch.state == ImportBatch.State.IMPORTED, batch.message
    after_first = saved_state()
    again = upload(kind, csv_bytes(lines))
    assert set(statuses(again).values()) == {"unchanged"}
    confirm(again)
    assert saved_state() == after_first
    return after_first


def test_clients(acme, upload, confirm):
    ClientFactory(name="Birch Law", seats=4)
    lines = [
        "Name,Status,Seats,Primary contact,Primary contact email",
        "ACME DENTAL,active,10,Rosa Díaz,rosa@acme.example",
        "Birch Law,active,6,,",
        "Cedar Vets,prospect,3,Tomás Ortega,tomas@cedar.example",
        "Dune Labs,sleeping,3,,",
    ]
    batch = upload("clients", csv_bytes(lines))
    assert statuses(batch) == {
        "ACME DENTAL": "unchanged",
        "Birch Law": "changed",
        "Cedar Vets": "new",
        "Dune Labs": "error",
    }
    errors = [row["errors"] for row in batch.preview["rows"] if row["status"] == "error"]
    assert errors == [["Row 5, status: 'sleeping' is not one of prospect, active, former"]]
    changed = next(row for row in batch.preview["rows"] if row["key"] == "Birch Law")
    assert changed["changes"] == [["Seats", "4", "6"]]
    confirmed_without_error_rows(confirm(batch))

    import_twice(upload, confirm, "clients", lines[:4])
    assert Client.objects.get(name="Birch Law").seats == 6
    cedar = Client.objects.get(name="Cedar Vets")
    assert cedar.status == Client.Status.PROSPECT
    assert list(cedar.contacts.values_list("name", "email", "is_primary")) == [
        ("Tomás Ortega", "tomas@cedar.example", True)
    ]
    assert Client.objects.count() == 3
    assert cedar.history.first().history_user.username == "marcus.consultant"


def test_a_website_without_its_scheme_is_read_as_https(acme, upload, confirm):
    ClientFactory(name="Birch Law", website="https://birchlaw.example")
    lines = [
        "Name,Website",
        "Birch Law,birchlaw.example",
        "Cedar Vets,www.cedarvets.example/clinic",
        "Dune Labs,http://dunelabs.example",
    ]

    batch = upload("clients", csv_bytes(lines))

    assert statuses(batch) == {"Birch Law": "unchanged", "Cedar Vets": "new", "Dune Labs": "new"}
    confirm(batch)
    assert Client.objects.get(name="Cedar Vets").website == "https://www.cedarvets.example/clinic"
    assert Client.objects.get(name="Dune Labs").website == "http://dunelabs.example"


def test_contacts(acme, upload, confirm):
    ContactFactory(client=acme, name="Sam Lee", email="sam@acme.example", role="Office")
    lines = [
        "Client,Name,Email,Role,Primary",
        "Acme Dental,Rosa Díaz,rosa@acme.example,,yes",
        "Acme Dental,Sam Lee,sam@acme.example,Office manager,no",
        "Acme Dental,Kim Park,kim@acme.example,Dentist,no",
        "Nowhere Ltd,Pat Doe,pat@nowhere.example,,no",
    ]
    batch = upload("contacts", csv_bytes(lines))
    assert statuses(batch) == {
        "Acme Dental: Rosa Díaz": "unchanged",
        "Acme Dental: Sam Lee": "changed",
        "Acme Dental: Kim Park": "new",
        "?: Pat Doe": "error",
    }
    error = next(row for row in batch.preview["rows"] if row["status"] == "error")
    assert error["errors"][0].startswith("Row 5, client: 'Nowhere Ltd' is not a client in Covered")
    confirmed_without_error_rows(confirm(batch))
    import_twice(upload, confirm, "contacts", lines[:4])
    assert Contact.objects.get(email="sam@acme.example").role == "Office manager"
    assert Contact.objects.filter(client=acme).count() == 3


def test_two_new_primary_contacts_of_one_client_are_a_row_error(upload, catalog):
    ClientFactory(name="Birch Law")
    lines = [
        "Client,Name,Email,Primary",
        "Birch Law,Nora Vance,nora@birch.example,yes",
        "Birch Law,Owen Hale,owen@birch.example,yes",
        "Birch Law,Ivy Chen,ivy@birch.example,no",
    ]

    batch = upload("contacts", csv_bytes(lines))

    assert statuses(batch) == {
        "Birch Law: Nora Vance": "new",
        "Birch Law: Owen Hale": "error",
        "Birch Law: Ivy Chen": "new",
    }
    error = next(row for row in batch.preview["rows"] if row["status"] == "error")
    assert error["errors"] == ["Row 3: Birch Law's primary contact is already row 2"]
    assert not Contact.objects.exists()


def test_environment(acme, upload, confirm):
    ClientTechnologyFactory(
        client=acme, skill=skill("Windows"), version=version("Windows", "11"), quantity=5
    )
    ClientTechnologyFactory(
        client=acme,
        skill=skill("Exchange Server"),
        version=version("Exchange Server", "2016"),
        quantity=1,
    )
    lines = [
        "Client,Product,Version,Quantity",
        "Acme Dental,Windows,11,7",
        "Acme Dental,Exchange Server,2016,1",
        "Acme Dental,Veeam Backup & Replication,12,2",
        "Acme Dental,Exchange Server,Exchange 2013,1",
        "Acme Dental,Windows,10,a few",
    ]
    batch = upload("environment", csv_bytes(lines))
    assert statuses(batch) == {
        "Acme Dental: Windows 11": "changed",
        "Acme Dental: Exchange Server 2016": "unchanged",
        "Acme Dental: Veeam Backup & Replication 12": "new",
        "Windows": "error",
    }
    # A version the catalog does not know is offered to be mapped, not a row error.
    assert [(entry["name"], entry["version"]) for entry in batch.preview["unknown_versions"]] == [
        ("Exchange Server", "Exchange 2013")
    ]
    error = next(row for row in batch.preview["rows"] if row["status"] == "error")
    assert len(error["errors"]) == 1
    assert error["errors"][0].startswith("Row 6, quantity:")
    confirmed_without_error_rows(confirm(batch))
    import_twice(upload, confirm, "environment", lines[:4])
    assert sorted(
        ClientTechnology.objects.filter(client=acme).values_list("skill__name", "quantity")
    ) == [("Exchange Server", 1), ("Veeam Backup & Replication", 2), ("Windows", 7)]


def test_environment_removes_only_when_replacing(acme, upload, confirm):
    from agreements.imports.flow import import_batch_options_set

    ClientTechnologyFactory(client=acme, skill=skill("Dentrix"), quantity=1)
    lines = ["Client,Product,Version,Quantity", "Acme Dental,Windows,11,7"]
    batch = upload("environment", csv_bytes(lines))
    assert "removed" not in statuses(batch).values()
    batch = import_batch_options_set(batch=batch, replace_environment=True)
    assert statuses(batch)["Acme Dental: Dentrix"] == "removed"
    confirm(batch)
    assert list(
        ClientTechnology.objects.filter(client=acme).values_list("skill__name", flat=True)
    ) == ["Windows"]


def test_technicians(dana, upload, confirm):
    TechnicianFactory(name="Lee Chen", email="lee@msp.example")
    lines = [
        "Name,Email,Status,Last working day",
        "Dana Whitfield,DANA@msp.example,active,",
        "Lee Chen,lee@msp.example,on_leave,2026-09-30",
        "Omar Haddad,omar@msp.example,active,",
        "Bad Date,bad@msp.example,active,2026-02-30",
    ]
    batch = upload("technicians", csv_bytes(lines))
    assert list(statuses(batch).values()) == ["unchanged", "changed", "new", "error"]
    assert batch.preview["rows"][3]["errors"][0].startswith(
        "Row 5, last working day: '2026-02-30' is not a date"
    )
    confirmed_without_error_rows(confirm(batch))
    import_twice(upload, confirm, "technicians", lines[:4])
    lee = Technician.objects.get(email="lee@msp.example")
    assert (lee.status, lee.available_until) == ("on_leave", datetime.date(2026, 9, 30))
    assert Technician.objects.count() == 3


def test_technician_skills(dana, upload, confirm):
    TechnicianSkillFactory(technician=dana, skill=skill("Windows"), level=3)
    TechnicianSkillFactory(technician=dana, skill=skill("Exchange Server"), level=2)
    lines = [
        "Technician email,Skill,Level,Oldest version,Newest version",
        "dana@msp.example,Windows,3,,",
        "dana@msp.example,Exchange Server,4,2016,2019",
        "dana@msp.example,SonicWall SonicOS,2,,",
        "nobody@msp.example,Windows,3,,",
    ]
    batch = upload("technician_skills", csv_bytes(lines))
    assert list(statuses(batch).values()) == ["unchanged", "changed", "new", "error"]
    confirmed_without_error_rows(confirm(batch))
    import_twice(upload, confirm, "technician_skills", lines[:4])
    exchange = TechnicianSkill.objects.get(technician=dana, skill__name="Exchange Server")
    assert (exchange.level, exchange.oldest_version.label, exchange.newest_version.label) == (
        4,
        "2016",
        "2019",
    )
    assert TechnicianSkill.objects.count() == 3


def test_certifications(dana, upload, confirm):
    from skills.models import Certification

    TechnicianCertificationFactory(
        technician=dana,
        certification=Certification.objects.get(name="Cisco CCNA"),
        earned_on=datetime.date(2024, 1, 15),
        expires_on=datetime.date(2027, 1, 15),
    )
    TechnicianCertificationFactory(
        technician=dana,
        certification=Certification.objects.get(name="CompTIA A+"),
        earned_on=datetime.date(2022, 5, 1),
        expires_on=datetime.date(2025, 5, 1),
    )
    lines = [
        "Technician email,Certification,Earned on,Expires on,Credential ID",
        "dana@msp.example,Cisco CCNA,2024-01-15,2027-01-15,",
        "dana@msp.example,CompTIA A+,2025-05-01,,",
        "dana@msp.example,SonicWall SNSA,2025-03-10,,SNSA-1",
        "dana@msp.example,Unknown Cert,2025-03-10,,",
    ]
    batch = upload("certifications", csv_bytes(lines))
    assert list(statuses(batch).values()) == ["unchanged", "changed", "new", "error"]
    confirmed_without_error_rows(confirm(batch))
    import_twice(upload, confirm, "certifications", lines[:4])
    renewed = TechnicianCertification.objects.get(certification__name="CompTIA A+")
    assert (renewed.earned_on, renewed.expires_on) == (
        datetime.date(2025, 5, 1),
        datetime.date(2028, 5, 1),
    )
    assert TechnicianCertification.objects.count() == 3


def test_held_rows_are_named_by_technician_and_what_is_held(dana, upload):
    held_skills = upload(
        "technician_skills",
        csv_bytes(["Technician email,Skill,Level", "dana@msp.example,Windows,3"]),
    )
    held_certifications = upload(
        "certifications",
        csv_bytes(
            [
                "Technician email,Certification,Earned on",
                "DANA@msp.example,cisco  ccna,2024-01-15",
                "dana@msp.example,Unknown Cert,2025-03-10",
            ]
        ),
    )
    assert [row["key"] for row in held_skills.preview["rows"]] == ["dana@msp.example: Windows"]
    assert [(row["key"], row["errors"]) for row in held_certifications.preview["rows"]] == [
        ("dana@msp.example: Cisco CCNA, earned 2024-01-15", []),
        (
            "dana@msp.example: ?, earned 2025-03-10",
            ["Row 3, certification: 'Unknown Cert' is not a certification of the catalog"],
        ),
    ]


def test_agreements(acme, upload, confirm):
    from agreements.models import Service
    from agreements.services import agreement_create

    existing = agreement_create(
        client=acme,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("12000.00"),
        status=Agreement.Status.ACTIVE,
        services=[Service.objects.get(name="Server Management")],
    )
    ClientTechnologyFactory(
        client=acme, skill=skill("Windows Server"), version=version("Windows Server", "2019")
    )
    lines = [
        "Reference,Client,Title,Status,Start date,Annual value,Services",
        f"{existing.reference},Acme Dental,Managed IT,active,2026-01-01,12000.00,Server Management",
        ",Acme Dental,Backup,active,2026-02-01,2400,Backup & Disaster Recovery",
        'AGR-2025-0099,Acme Dental,Old contract,expired,2025-01-01,"1,000.50",',
        ",Acme Dental,Broken,active,someday,100,",
    ]
    batch = upload("agreements", csv_bytes(lines))
    assert list(statuses(batch).values()) == ["unchanged", "new", "new", "error"]
    changed_lines = [lines[0], lines[1].replace("12000.00", "13000.00"), *lines[2:4]]
    batch = upload("agreements", csv_bytes(changed_lines))
    assert list(statuses(batch).values()) == ["changed", "new", "new"]
    import_twice(upload, confirm, "agreements", changed_lines)
    existing.refresh_from_db()
    assert existing.annual_value == Decimal("13000.00")
    old = Agreement.objects.get(reference="AGR-2025-0099")
    assert (old.annual_value, old.status) == (Decimal("1000.50"), "expired")
    assert Agreement.objects.count() == 3
    # The derived requirement of the server service follows the client's Windows Server 2019.
    assert existing.requirements.filter(source="derived", skill__name="Windows Server").exists()


def test_an_imported_reference_is_not_handed_out_again(acme, upload, confirm):
    from agreements.services import agreement_create

    lines = [
        "Reference,Client,Title,Start date,Annual value",
        "AGR-2026-0007,Acme Dental,Imported,2026-01-01,100",
    ]
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        confirm(upload("agreements", csv_bytes(lines)))
        created = agreement_create(
            client=acme, title="Typed in", start_date=datetime.date(2026, 2, 1), annual_value=1
        )
    assert created.reference == "AGR-2026-0008"


@pytest.mark.time_machine(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC), tick=False)
def test_a_technician_skill_the_file_changes_counts_as_assessed_that_day(dana, upload, confirm):
    long_ago = datetime.date(2025, 1, 10)
    TechnicianSkillFactory(technician=dana, skill=skill("Windows"), level=3, assessed_on=long_ago)
    TechnicianSkillFactory(
        technician=dana, skill=skill("Exchange Server"), level=2, assessed_on=long_ago
    )
    lines = [
        "Technician email,Skill,Level",
        "dana@msp.example,Windows,3",
        "dana@msp.example,Exchange Server,4",
    ]

    confirm(upload("technician_skills", csv_bytes(lines)))

    assert dict(TechnicianSkill.objects.values_list("skill__name", "assessed_on")) == {
        "Windows": long_ago,
        "Exchange Server": datetime.date(2026, 11, 26),
    }
