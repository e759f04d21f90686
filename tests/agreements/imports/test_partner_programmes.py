"""Partner programmes and their rules in files: previewed, written all or nothing, matched on
their natural keys, and round-tripped through their exports."""

import datetime
from decimal import Decimal

import pytest

from agreements.imports.models import ImportBatch
from agreements.imports.selectors import kind_export
from skills.models import PartnerProgram, PartnerRule
from tests.agreements.imports.conftest import csv_bytes, saved_state, statuses
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    PartnerRuleFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ms102(catalog):
    return CertificationFactory(name="MS-102")


@pytest.fixture
def modern_work(ms102):
    return PartnerProgramFactory(
        vendor="Microsoft", tier="Solutions Partner — Modern Work", yearly_benefit=Decimal("18000")
    )


def errors_of(batch) -> list[str]:
    return [error for row in batch.preview["rows"] for error in row["errors"]]


def test_programmes_preview_new_changed_unchanged_and_import(modern_work, upload, confirm):
    PartnerProgramFactory(vendor="Cisco", tier="Select", yearly_benefit=Decimal("5000"))
    lines = [
        "Vendor,Tier,Renewal date,Yearly benefit,Notes",
        "microsoft,Solutions Partner — Modern Work,2027-07-01,18000.00,",
        "Cisco,Select,,5000.00,",
        'Fortinet,Advanced Partner,2027-03-31,"$9,500",Engage programme',
    ]

    batch = upload("partner_programmes", csv_bytes(lines))

    assert list(statuses(batch).values()) == ["changed", "unchanged", "new"]
    assert confirm(batch).state == ImportBatch.State.IMPORTED
    assert list(
        PartnerProgram.objects.order_by("vendor").values_list(
            "vendor", "tier", "renewal_date", "yearly_benefit"
        )
    ) == [
        ("Cisco", "Select", None, Decimal("5000.00")),
        ("Fortinet", "Advanced Partner", datetime.date(2027, 3, 31), Decimal("9500.00")),
        (
            "Microsoft",
            "Solutions Partner — Modern Work",
            datetime.date(2027, 7, 1),
            Decimal("18000.00"),
        ),
    ]


def test_rules_import_certifications_and_skills_at_a_level(modern_work, ms102, upload, confirm):
    intune = SkillFactory(name="Intune")
    lines = [
        "Vendor,Tier,Certification,Skill,Level,Technicians",
        "Microsoft,Solutions Partner — Modern Work,ms-102,,,2",
        f"Microsoft,Solutions Partner — Modern Work,,{intune.name},4,1",
    ]

    batch = upload("partner_rules", csv_bytes(lines))

    assert errors_of(batch) == []
    assert list(statuses(batch).values()) == ["new", "new"]
    confirm(batch)
    assert [str(rule) for rule in PartnerRule.objects.order_by("pk")] == [
        "Microsoft Solutions Partner — Modern Work: 2 technicians certified MS-102",
        "Microsoft Solutions Partner — Modern Work: 1 technician with Intune at level 4 or above",
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            "Microsoft,Gold,MS-102,,,2",
            "Row 2, tier: 'Microsoft Gold' is not a partner programme in Covered (import the "
            "programmes first, or check the spelling)",
        ),
        (
            "Microsoft,Solutions Partner — Modern Work,MS-102,Intune,4,2",
            "Row 2, skill: name a certification or a skill, not both",
        ),
        (
            "Microsoft,Solutions Partner — Modern Work,,Intune,,2",
            "Row 2, level: is empty: say the level of Intune it asks for",
        ),
        (
            "Microsoft,Solutions Partner — Modern Work,MS-900,,,2",
            "Row 2, certification: 'MS-900' is not a certification of the catalog",
        ),
        (
            "Microsoft,Solutions Partner — Modern Work,,,,2",
            "Row 2, certification: is empty: name a certification, or a skill and a level",
        ),
    ],
)
def test_a_bad_rule_row_is_refused_and_nothing_is_written(
    modern_work, ms102, upload, confirm, line, error
):
    SkillFactory(name="Intune")
    PartnerRuleFactory(program=modern_work, certification=ms102, min_technicians=1)
    before = saved_state()

    batch = upload(
        "partner_rules", csv_bytes(["Vendor,Tier,Certification,Skill,Level,Technicians", line])
    )

    assert errors_of(batch) == [error]
    confirm(batch)
    assert saved_state() == before


def test_a_bad_programme_row_is_refused_and_nothing_is_written(modern_work, upload, confirm):
    before = saved_state()

    batch = upload(
        "partner_programmes",
        csv_bytes(["Vendor,Tier,Renewal date,Yearly benefit,Notes", "Cisco,Select,,-200,"]),
    )

    assert statuses(batch) == {"Cisco Select": "error"}
    confirm(batch)
    assert saved_state() == before


def test_exports_import_back_unchanged(modern_work, ms102, upload):
    PartnerRuleFactory(program=modern_work, certification=ms102, min_technicians=2)
    PartnerRuleFactory(program=modern_work, skill=SkillFactory(name="Intune"), min_level=4)

    programmes = upload("partner_programmes", kind_export("partner_programmes", "csv"))
    rules = upload("partner_rules", kind_export("partner_rules", "xlsx"), filename="rules.xlsx")

    assert list(statuses(programmes).values()) == ["unchanged"]
    assert list(statuses(rules).values()) == ["unchanged", "unchanged"]
