"""The starter catalog: skill categories, skills with ordered versions, certifications.

Plain data an MSP can start from on day one; `load_skill_catalog()` adds what is missing and
leaves alone what a user already changed. Versions are listed oldest first; their ranks step by 10
so that a version added later by hand can slot in between. End-of-support dates and successors are
not kept here: they come from the dated lifecycle snapshot in skills/data/ (see skills.lifecycle).
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from skills.lifecycle import (
    RANK_STEP,
    SHIPPED_SNAPSHOT,
    LifecycleLoad,
    Snapshot,
    lifecycle_snapshot_load,
    lifecycle_snapshot_read,
)
from skills.models import Certification, Skill, SkillAlias, SkillCategory, SkillVersion

DESKTOP_OS = "Desktop OS"
SERVER_OS = "Server OS"
NETWORKING = "Networking"
EMAIL = "Email & Collaboration"
SECURITY = "Security"
BACKUP = "Backup & DR"
LOB_APPS = "Line-of-business apps"
CLOUD = "Cloud"
VIRTUALIZATION = "Virtualization"
IDENTITY = "Identity"
DATABASES = "Databases"

CATEGORIES = [
    DESKTOP_OS,
    SERVER_OS,
    NETWORKING,
    EMAIL,
    SECURITY,
    BACKUP,
    LOB_APPS,
    CLOUD,
    VIRTUALIZATION,
    IDENTITY,
    DATABASES,
]


@dataclass(frozen=True)
class SkillEntry:
    name: str
    category: str
    vendor: str
    description: str = ""
    # version labels, oldest first
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificationEntry:
    name: str
    issuer: str
    validity_months: int | None
    skills: tuple[str, ...] = field(default=())
    is_baseline: bool = False


SKILLS = [
    # Desktop OS
    SkillEntry(
        "Windows",
        DESKTOP_OS,
        "Microsoft",
        "Windows on desktops and laptops.",
        (
            "7",
            "8.1",
            "10",
            "11",
        ),
    ),
    SkillEntry(
        "macOS",
        DESKTOP_OS,
        "Apple",
        "Macs in the office; Apple announces no end of support, so the dates are when security "
        "updates stopped.",
        ("12 Monterey", "13 Ventura", "14 Sonoma", "15 Sequoia", "26 Tahoe"),
    ),
    # Server OS
    SkillEntry(
        "Windows Server",
        SERVER_OS,
        "Microsoft",
        "File, print and application servers running Windows Server.",
        (
            "2012 R2",
            "2016",
            "2019",
            "2022",
            "2025",
        ),
    ),
    SkillEntry(
        "Ubuntu Server",
        SERVER_OS,
        "Canonical",
        "Linux servers; dates are the end of standard support.",
        (
            "20.04 LTS",
            "22.04 LTS",
            "24.04 LTS",
            "26.04 LTS",
        ),
    ),
    # Email & Collaboration
    SkillEntry(
        "Exchange Server",
        EMAIL,
        "Microsoft",
        "On-premises Exchange mail servers.",
        (
            "2013",
            "2016",
            "2019",
            "SE",
        ),
    ),
    SkillEntry(
        "Microsoft 365",
        EMAIL,
        "Microsoft",
        "Exchange Online, Teams, SharePoint and OneDrive tenants, and the Office apps.",
    ),
    # Identity
    SkillEntry(
        "Active Directory",
        IDENTITY,
        "Microsoft",
        "On-premises domains: users, groups, group policy, DNS and DHCP.",
    ),
    SkillEntry(
        "Microsoft Entra ID",
        IDENTITY,
        "Microsoft",
        "Cloud identity (formerly Azure AD): conditional access, MFA, device join.",
    ),
    # Networking
    SkillEntry(
        "Cisco IOS",
        NETWORKING,
        "Cisco",
        "Cisco routers and switches; support ends per hardware platform and release train.",
        ("15", "XE 16", "XE 17"),
    ),
    SkillEntry(
        "SonicWall SonicOS",
        NETWORKING,
        "SonicWall",
        "SonicWall TZ and NSa firewalls; support ends per appliance generation.",
        ("6.5", "7.0", "7.1"),
    ),
    SkillEntry(
        "Fortinet FortiOS",
        NETWORKING,
        "Fortinet",
        "FortiGate firewalls.",
        (
            "6.4",
            "7.0",
            "7.2",
            "7.4",
            "7.6",
        ),
    ),
    SkillEntry(
        "Ubiquiti UniFi",
        NETWORKING,
        "Ubiquiti",
        "UniFi switches, access points and gateways.",
    ),
    # Security
    SkillEntry(
        "Microsoft Defender for Endpoint",
        SECURITY,
        "Microsoft",
        "Endpoint detection and response, managed from the Defender portal.",
    ),
    SkillEntry(
        "SentinelOne Singularity",
        SECURITY,
        "SentinelOne",
        "Endpoint detection and response.",
    ),
    # Backup & DR
    SkillEntry(
        "Veeam Backup & Replication",
        BACKUP,
        "Veeam",
        "Image-level backup and replication of servers and virtual machines.",
        ("10", "11", "12", "13"),
    ),
    SkillEntry(
        "Datto BCDR",
        BACKUP,
        "Kaseya",
        "Datto SIRIS and ALTO backup appliances with cloud virtualization.",
    ),
    # Virtualization
    SkillEntry(
        "Hyper-V",
        VIRTUALIZATION,
        "Microsoft",
        "Hyper-V hosts and failover clusters.",
    ),
    SkillEntry(
        "VMware vSphere",
        VIRTUALIZATION,
        "Broadcom",
        "ESXi hosts and vCenter; dates are the end of general support.",
        (
            "6.7",
            "7.0",
            "8.0",
            "9.0",
            "9.1",
        ),
    ),
    # Cloud
    SkillEntry(
        "Microsoft Azure",
        CLOUD,
        "Microsoft",
        "Virtual machines, networking and backup in Azure.",
    ),
    SkillEntry(
        "Amazon Web Services",
        CLOUD,
        "Amazon",
        "EC2, S3 and networking in AWS.",
    ),
    # Databases
    SkillEntry(
        "Microsoft SQL Server",
        DATABASES,
        "Microsoft",
        "The database behind many line-of-business applications.",
        (
            "2016",
            "2017",
            "2019",
            "2022",
            "2025",
        ),
    ),
    # Line-of-business apps
    SkillEntry(
        "QuickBooks Desktop",
        LOB_APPS,
        "Intuit",
        "Accounting; Intuit discontinues each yearly release after three years.",
        (
            "2021",
            "2022",
            "2023",
            "2024",
        ),
    ),
    SkillEntry(
        "Dentrix",
        LOB_APPS,
        "Henry Schein One",
        "Dental practice management: charting, imaging bridges, scheduling.",
    ),
    SkillEntry(
        "Clio",
        LOB_APPS,
        "Clio",
        "Legal practice management in the cloud, with its desktop integrations.",
    ),
    SkillEntry(
        "AutoCAD",
        LOB_APPS,
        "Autodesk",
        "Drafting and design; licences, add-ins and graphics drivers.",
        ("2022", "2023", "2024", "2025"),
    ),
    SkillEntry(
        "IDEXX Cornerstone",
        LOB_APPS,
        "IDEXX",
        "Veterinary practice management and its lab integrations.",
    ),
]


MCP = "Microsoft Certified Professional (MCP)"
CCNA = "Cisco CCNA"

CERTIFICATIONS = [
    CertificationEntry(
        MCP,
        "Microsoft",
        None,
        ("Windows", "Windows Server"),
        is_baseline=True,
    ),
    CertificationEntry(
        "MCSA: Windows Server 2016",
        "Microsoft",
        None,
        ("Windows Server", "Active Directory", "Hyper-V"),
    ),
    CertificationEntry(
        "Microsoft 365 Certified: Modern Desktop Administrator Associate",
        "Microsoft",
        12,
        ("Windows", "Microsoft 365", "Microsoft Entra ID"),
    ),
    CertificationEntry(
        "Microsoft 365 Certified: Administrator Expert",
        "Microsoft",
        12,
        ("Microsoft 365", "Microsoft Entra ID", "Exchange Server"),
    ),
    CertificationEntry(
        "Microsoft Certified: Azure Administrator Associate",
        "Microsoft",
        12,
        ("Microsoft Azure",),
    ),
    CertificationEntry("CompTIA A+", "CompTIA", 36, ("Windows", "macOS")),
    CertificationEntry(
        "CompTIA Network+",
        "CompTIA",
        36,
        ("Cisco IOS", "SonicWall SonicOS", "Fortinet FortiOS", "Ubiquiti UniFi"),
    ),
    CertificationEntry(
        "CompTIA Security+",
        "CompTIA",
        36,
        ("Microsoft Defender for Endpoint", "SentinelOne Singularity"),
    ),
    CertificationEntry(CCNA, "Cisco", 36, ("Cisco IOS",)),
    CertificationEntry("Fortinet NSE 4", "Fortinet", 24, ("Fortinet FortiOS",)),
    CertificationEntry("SonicWall SNSA", "SonicWall", 24, ("SonicWall SonicOS",)),
    CertificationEntry(
        "Veeam Certified Engineer (VMCE)", "Veeam", None, ("Veeam Backup & Replication",)
    ),
    CertificationEntry("VMware VCP-DCV", "VMware by Broadcom", None, ("VMware vSphere",)),
    CertificationEntry(
        "AWS Certified Solutions Architect – Associate", "Amazon", 36, ("Amazon Web Services",)
    ),
]


# How PSA and RMM inventories name the catalog's products, beyond the skills' own names:
# (pattern, skill, version label or None). A pattern without a version is also read followed by
# any of the skill's version labels (skills/aliases.py), so "SonicOS" covers "SonicOS 7.0.1-5095".
ALIASES = [
    ("Windows 11", "Windows", "11"),
    ("Win 10", "Windows", "10"),
    ("Win 11", "Windows", "11"),
    ("Mac OS", "macOS", None),
    ("OS X", "macOS", None),
    ("Windows Server 2012 R2", "Windows Server", "2012 R2"),
    ("Ubuntu", "Ubuntu Server", None),
    ("Exchange", "Exchange Server", None),
    ("Exchange Server Subscription Edition", "Exchange Server", "SE"),
    ("Exchange Online", "Microsoft 365", None),
    ("Office 365", "Microsoft 365", None),
    ("Microsoft 365 Apps", "Microsoft 365", None),
    ("Active Directory Domain Services", "Active Directory", None),
    ("Azure AD", "Microsoft Entra ID", None),
    ("Azure Active Directory", "Microsoft Entra ID", None),
    ("Entra ID", "Microsoft Entra ID", None),
    ("IOS", "Cisco IOS", None),
    ("IOS-XE 16", "Cisco IOS", "XE 16"),
    ("IOS-XE 17", "Cisco IOS", "XE 17"),
    ("SonicOS", "SonicWall SonicOS", None),
    ("SonicWall", "SonicWall SonicOS", None),
    ("FortiOS", "Fortinet FortiOS", None),
    ("FortiGate", "Fortinet FortiOS", None),
    ("UniFi", "Ubiquiti UniFi", None),
    ("Defender for Endpoint", "Microsoft Defender for Endpoint", None),
    ("Windows Defender Advanced Threat Protection", "Microsoft Defender for Endpoint", None),
    ("SentinelOne", "SentinelOne Singularity", None),
    ("Veeam Backup and Replication", "Veeam Backup & Replication", None),
    ("Veeam B&R", "Veeam Backup & Replication", None),
    ("Datto SIRIS", "Datto BCDR", None),
    ("Datto ALTO", "Datto BCDR", None),
    ("Hyper-V Server", "Hyper-V", None),
    ("VMware ESXi", "VMware vSphere", None),
    ("ESXi", "VMware vSphere", None),
    ("vCenter Server", "VMware vSphere", None),
    ("vSphere", "VMware vSphere", None),
    ("Azure", "Microsoft Azure", None),
    ("AWS", "Amazon Web Services", None),
    ("SQL Server", "Microsoft SQL Server", None),
    ("QuickBooks", "QuickBooks Desktop", None),
    ("QuickBooks Pro", "QuickBooks Desktop", None),
    ("QuickBooks Enterprise", "QuickBooks Desktop", None),
    ("Dentrix G7", "Dentrix", None),
    ("Clio Manage", "Clio", None),
    ("Cornerstone", "IDEXX Cornerstone", None),
]


@dataclass
class LoadReport:
    """What a catalog load created; all zero when everything was already there."""

    categories: int = 0
    skills: int = 0
    versions: int = 0
    certifications: int = 0
    services: int = 0
    aliases: int = 0
    skipped_versions: list[str] = field(default_factory=list)
    lifecycle: LifecycleLoad | None = None

    @property
    def created(self):
        return (
            self.categories
            + self.skills
            + self.versions
            + self.certifications
            + self.services
            + self.aliases
        )

    def __str__(self):
        text = (
            f"{self.categories} categories, {self.skills} skills, {self.versions} versions, "
            f"{self.certifications} certifications, {self.aliases} product aliases, "
            f"{self.services} services added"
        )
        if self.skipped_versions:
            text += f"; rank already taken, not added: {', '.join(self.skipped_versions)}"
        if self.lifecycle is not None:
            text += f"; {self.lifecycle}"
        return text


def _create(model, **values):
    instance = model(**values)
    instance.full_clean()
    instance.save()
    return instance


def _missing_versions(skill, entry, report):
    """Add the catalog versions a skill lacks, unless a user already used that rank."""
    existing = {version.label.lower(): version for version in skill.versions.all()}
    taken_ranks = {version.rank for version in existing.values()}
    for position, label in enumerate(entry.versions, start=1):
        if label.lower() in existing:
            continue
        rank = position * RANK_STEP
        if rank in taken_ranks:
            report.skipped_versions.append(f"{skill.name} {label}")
            continue
        _create(SkillVersion, skill=skill, label=label, rank=rank)
        taken_ranks.add(rank)
        report.versions += 1


@transaction.atomic
def load_skill_catalog(
    report: LoadReport | None = None, *, lifecycle: Path | str | Snapshot = SHIPPED_SNAPSHOT
) -> LoadReport:
    """Get-or-create categories, skills and certifications by name (ignoring case), then load
    the `lifecycle` snapshot, a file or one already read (skills.lifecycle: each product only
    when newer than the data loaded last for it).

    Rows that already exist keep whatever a user changed; only a skill's missing versions are
    filled in. A lifecycle file that cannot be read raises LifecycleFileError before anything
    is written.
    """
    snapshot = lifecycle if isinstance(lifecycle, Snapshot) else lifecycle_snapshot_read(lifecycle)
    report = report or LoadReport()
    categories = {}
    for name in CATEGORIES:
        category = SkillCategory.objects.filter(name__iexact=name).first()
        if category is None:
            category = _create(SkillCategory, name=name)
            report.categories += 1
        categories[name] = category

    skills = {}
    for entry in SKILLS:
        skill = Skill.objects.filter(name__iexact=entry.name).first()
        if skill is None:
            skill = _create(
                Skill,
                name=entry.name,
                category=categories[entry.category],
                vendor=entry.vendor,
                description=entry.description,
            )
            report.skills += 1
        _missing_versions(skill, entry, report)
        skills[entry.name] = skill

    for entry in CERTIFICATIONS:
        if Certification.objects.filter(name__iexact=entry.name).exists():
            continue
        certification = _create(
            Certification,
            name=entry.name,
            issuer=entry.issuer,
            validity_months=entry.validity_months,
            is_baseline=entry.is_baseline,
        )
        certification.skills.set(skills[name] for name in entry.skills)
        report.certifications += 1

    for pattern, skill_name, label in ALIASES:
        if SkillAlias.objects.filter(pattern__iexact=pattern).exists():
            continue
        skill = skills[skill_name]
        version = skill.versions.filter(label=label).first() if label else None
        _create(SkillAlias, skill=skill, pattern=pattern, version=version)
        report.aliases += 1
    report.lifecycle = lifecycle_snapshot_load(snapshot)
    return report
