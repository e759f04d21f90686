"""Product names as RMM and PSA inventories spell them read to the catalog's skills and
versions (skills/aliases.py)."""

import pytest
from django.core.exceptions import ValidationError

from agreements.service_catalog import load_catalog
from skills.models import Skill, SkillAlias, SkillVersion
from skills.selectors import product_matcher
from skills.services import skill_alias_create

pytestmark = pytest.mark.django_db

# (name as an inventory lists it, skill, version label or None)
SPELLINGS = [
    ("Microsoft Exchange Server 2016 CU23", "Exchange Server", "2016"),
    ("Microsoft Exchange Server 2019 Cumulative Update 14", "Exchange Server", "2019"),
    ("Exchange Server Subscription Edition RTM", "Exchange Server", "SE"),
    ("Microsoft Exchange 2013", "Exchange Server", "2013"),
    ("Windows Server 2019 Standard", "Windows Server", "2019"),
    ("Microsoft Windows Server 2022 Datacenter", "Windows Server", "2022"),
    ("Microsoft® Windows Server® 2012 R2 Standard", "Windows Server", "2012 R2"),
    ("Windows Server 2016 Essentials", "Windows Server", "2016"),
    ("Microsoft Windows 10 Pro", "Windows", "10"),
    ("Microsoft Windows 11 Enterprise", "Windows", "11"),
    ("Win 10 Pro for Workstations", "Windows", "10"),
    ("SonicOS 7.0.1-5095", "SonicWall SonicOS", "7.0"),
    ("SonicOS 6.5.4.4-44n", "SonicWall SonicOS", "6.5"),
    ("FortiOS v7.2.8 build1639", "Fortinet FortiOS", "7.2"),
    ("FortiGate FortiOS 7.4.3", "Fortinet FortiOS", "7.4"),
    ("Cisco IOS XE 17.9.4a", "Cisco IOS", "XE 17"),
    ("Ubuntu 22.04.4 LTS", "Ubuntu Server", "22.04 LTS"),
    ("Ubuntu Server 24.04 LTS", "Ubuntu Server", "24.04 LTS"),
    ("macOS Sonoma 14.4", "macOS", "14 Sonoma"),
    ("Veeam Backup & Replication 12.1.2.172", "Veeam Backup & Replication", "12"),
    ("Veeam Backup and Replication 11", "Veeam Backup & Replication", "11"),
    ("VMware ESXi 8.0 Update 2", "VMware vSphere", "8.0"),
    ("Microsoft SQL Server 2019 (64-bit)", "Microsoft SQL Server", "2019"),
    ("SQL Server 2022 Express", "Microsoft SQL Server", "2022"),
    ("Autodesk AutoCAD 2024", "AutoCAD", "2024"),
    ("SentinelOne Agent", "SentinelOne Singularity", None),
    ("Microsoft 365 Apps for enterprise - en-us", "Microsoft 365", None),
    ("Datto SIRIS 5", "Datto BCDR", None),
    ("UniFi Network Application", "Ubiquiti UniFi", None),
    ("Dentrix G7.5", "Dentrix", None),
]


@pytest.fixture
def matcher():
    load_catalog()
    return product_matcher()


@pytest.mark.parametrize(("name", "skill", "label"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_inventory_spelling_maps_to_skill_and_version(matcher, name, skill, label):
    found = matcher.match(name)
    assert found is not None, name
    assert Skill.objects.get(pk=found.skill_id).name == skill
    version = SkillVersion.objects.filter(pk=found.version_id).first()
    assert (version.label if version else None) == label


def test_thirty_spellings_are_checked():
    assert len({name for name, _, _ in SPELLINGS}) == 30


def test_unrelated_name_is_unknown(matcher):
    assert matcher.match("Adobe Acrobat Reader DC") is None


def test_partial_version_is_not_read_as_one(matcher):
    found = matcher.match("Windows 1")
    assert (found.pattern, found.version_id) == ("windows", None)


def test_version_cell_reads_longer_spellings(matcher):
    sonicos = Skill.objects.get(name="SonicWall SonicOS")
    seven = sonicos.versions.get(label="7.0")
    assert matcher.version_for(sonicos.pk, "7.0.1-5095") == seven.pk
    assert matcher.version_for(sonicos.pk, "v7.0") == seven.pk
    assert matcher.version_for(sonicos.pk, "7.01") is None


def test_new_alias_is_matched_with_its_version(matcher):
    exchange = Skill.objects.get(name="Exchange Server")
    skill_alias_create(
        skill=exchange, pattern="  MSX   2016 ", version=exchange.versions.get(label="2016")
    )
    found = product_matcher().match("msx 2016 mailbox role")
    assert (found.skill_id, found.version_id) == (
        exchange.pk,
        exchange.versions.get(label="2016").pk,
    )
    assert SkillAlias.objects.get(skill=exchange, pattern="MSX 2016")


def test_alias_pattern_is_unique_ignoring_case(matcher):
    with pytest.raises(ValidationError):
        skill_alias_create(skill=Skill.objects.get(name="Exchange Server"), pattern="exchange")


def test_alias_version_must_belong_to_its_skill(matcher):
    with pytest.raises(ValidationError):
        skill_alias_create(
            skill=Skill.objects.get(name="Exchange Server"),
            pattern="Odd product",
            version=SkillVersion.objects.get(skill__name="Windows", label="10"),
        )
