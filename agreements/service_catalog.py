"""The starter service catalog, loaded together with the skill catalog by `load_catalog`.

It lives here rather than in skills/skill_catalog.py because services belong to this app and the
skills app depends on nothing of ours.
"""

from dataclasses import dataclass

from django.db import transaction

from agreements.models import Service
from agreements.services import service_create
from skills.lifecycle import SHIPPED_SNAPSHOT
from skills.models import Level, Skill
from skills.skill_catalog import LoadReport, load_skill_catalog


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    description: str
    skills_in_scope: tuple[str, ...]
    min_level: int = Level.INDEPENDENT


DESKTOP = "Managed Desktop Support"
HELP_DESK = "Help Desk"
SERVERS = "Server Management"
EMAIL = "Email & Microsoft 365 Administration"
NETWORK = "Network & Firewall Management"
BACKUP = "Backup & Disaster Recovery"
SECURITY = "Security Monitoring"
LOB = "Line-of-Business Application Support"
VIRTUALIZATION = "Virtualization Management"
CLOUD = "Cloud Infrastructure Management"

SERVICES = [
    ServiceEntry(
        DESKTOP,
        "Patching, monitoring and hands-on support of the client's workstations and laptops.",
        ("Windows", "macOS"),
    ),
    ServiceEntry(
        HELP_DESK,
        "First-line support by phone, email and remote session for the client's staff.",
        ("Windows", "macOS", "Microsoft 365"),
        min_level=Level.BASIC,
    ),
    ServiceEntry(
        SERVERS,
        "Monitoring, patching and maintenance of on-premises servers and the domain.",
        ("Windows Server", "Ubuntu Server", "Active Directory"),
    ),
    ServiceEntry(
        EMAIL,
        "Mailboxes, licences, Teams and SharePoint, identity and mail flow, on-premises or online.",
        ("Exchange Server", "Microsoft 365", "Microsoft Entra ID"),
    ),
    ServiceEntry(
        NETWORK,
        "Firewall rules, VPNs, switching and Wi-Fi, firmware updates and monitoring.",
        ("Cisco IOS", "SonicWall SonicOS", "Fortinet FortiOS", "Ubiquiti UniFi"),
    ),
    ServiceEntry(
        BACKUP,
        "Backup jobs, off-site copies, restore tests and the recovery plan.",
        ("Veeam Backup & Replication", "Datto BCDR"),
    ),
    ServiceEntry(
        SECURITY,
        "Endpoint detection and response, alert triage and incident handling.",
        ("Microsoft Defender for Endpoint", "SentinelOne Singularity"),
    ),
    ServiceEntry(
        LOB,
        "Updates, backups and vendor liaison for the applications the business runs on.",
        (
            "QuickBooks Desktop",
            "Dentrix",
            "Clio",
            "AutoCAD",
            "IDEXX Cornerstone",
            "Microsoft SQL Server",
        ),
    ),
    ServiceEntry(
        VIRTUALIZATION,
        "Hypervisor hosts, virtual machines, capacity and host updates.",
        ("Hyper-V", "VMware vSphere"),
    ),
    ServiceEntry(
        CLOUD,
        "Virtual machines, networks and cost control in the public cloud.",
        ("Microsoft Azure", "Amazon Web Services"),
    ),
]


@transaction.atomic
def load_catalog(*, lifecycle=SHIPPED_SNAPSHOT) -> LoadReport:
    """Load the whole starter catalog: skills and certifications with the `lifecycle` snapshot,
    then services.

    Get-or-create by name (ignoring case); an existing service keeps its scope and level.
    """
    report = load_skill_catalog(lifecycle=lifecycle)
    skills = {skill.name.lower(): skill for skill in Skill.objects.all()}
    for entry in SERVICES:
        if Service.objects.filter(name__iexact=entry.name).exists():
            continue
        service_create(
            name=entry.name,
            description=entry.description,
            skills=[
                skills[name.lower()] for name in entry.skills_in_scope if name.lower() in skills
            ],
            min_level=entry.min_level,
        )
        report.services += 1
    return report
