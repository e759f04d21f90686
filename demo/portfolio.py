"""The demo MSP: eight small-business clients, six technicians, two competitors.

Arranged so that every page has something to show on the first visit:

- the eight active agreements book exactly $165,000 a year (plus a draft and an expired one,
  which do not count);
- Harlow & Pierce runs Exchange 2016, and nobody supports it at level 3 → **uncovered**;
- Brennan's plant network (Cisco IOS, and the CCNA its contract demands) is Tomás Reyes's alone,
  and Tomás is not on the after-hours rota: its 24×7 support is **uncovered at night**;
- only Grace Lindqvist supports QuickBooks 2022 for Kessler & Ng → **at risk, thin** (single
  point of failure);
- Grace Lindqvist and Kevin Brandt, Northlight's only AutoCAD people, are both off over the
  holidays → **at risk, lapsing** on the first working day of their time off;
- Kevin Brandt holds no baseline certification; Cedar Creek's notice date is two weeks away;
  Tomás Reyes's CCNA expires within the warning window;
- competitors sell VoIP phones and awareness training, which we do not offer, and security
  monitoring, which only one of our technicians can deliver;
- the firm's Cisco Select Integrator tier needs a CCNA holder, and Tomás's is its only one: the
  programme is **at risk** from the day after his CCNA expires; the Fortinet and Microsoft
  tiers are met.

The team's time: the firm and most of the team are in New York; Samir Haddad works from London,
and Riverbend's office is in Chicago. Helen Okafor and Tomás Reyes work 8 to 6, Grace Lindqvist
and Priya Natarajan 9 to 5, Kevin Brandt mornings; Helen and Samir take turns, a week
each, on the "After-hours" rota that carries the 24×7 and 12×5 agreements outside office hours.

Dates are relative to the day of the seed. Everything is created through the services, so
derived requirements are synced as they would be from the UI. Demo rows are recognised by client
names, technician emails, competitor names and the rota's name: a second run leaves existing
ones alone.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agreements.imports.models import ImportKind, ImportMappingPreset
from agreements.models import Agreement, Service
from agreements.planning.models import Competitor
from agreements.planning.services import competitor_create, competitor_offering_create
from agreements.selectors import annual_value_active_on
from agreements.service_catalog import (
    BACKUP,
    CLOUD,
    DESKTOP,
    EMAIL,
    HELP_DESK,
    LOB,
    NETWORK,
    SECURITY,
    SERVERS,
    VIRTUALIZATION,
    load_catalog,
)
from agreements.services import agreement_create, requirement_create
from clients.models import Client
from clients.services import client_create, client_technology_add, contact_create
from core.models import add_months
from skills.models import (
    Certification,
    OnCallRota,
    PartnerProgram,
    Skill,
    SkillVersion,
    Technician,
    TimeOff,
    TrainingGoal,
)
from skills.partners.services import partner_program_create, partner_rule_create
from skills.services import (
    technician_certification_add,
    technician_create,
    technician_skill_set,
    training_goal_create,
    training_goal_start,
)
from skills.skill_catalog import CCNA, MCP
from skills.team_time.services import (
    override_create,
    rota_member_add,
    rota_save,
    time_off_save,
    working_hours_replace,
)
from skills.weekly_patterns import parse_pattern

# ------------------------------------------------------------------------------ the data

LONDON = "Europe/London"
CHICAGO = "America/Chicago"


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    annual_value: Decimal
    services: tuple[str, ...]
    status: str = Agreement.Status.ACTIVE
    started_months_ago: int = 0  # the first of that month
    term_months: int | None = None  # None: evergreen
    ends_in_days: int | None = None  # instead of a term: a fixed number of days from today
    starts_in_days: int | None = None  # instead of started_months_ago: a future start
    notice_days: int = 60
    auto_renew: bool = True
    billing_cycle: str = Agreement.BillingCycle.MONTHLY
    support_hours: str = Agreement.SupportHours.BUSINESS
    sla_response_hours: int = 4
    certifications_required: tuple[tuple[str, int], ...] = ()  # (certification, technicians)
    notes: str = ""


@dataclass(frozen=True)
class DemoClient:
    name: str
    industry: str
    seats: int
    phone: str
    email: str
    website: str
    address: str
    contacts: tuple[tuple[str, str, str, str], ...]  # (name, role, email, phone); first is primary
    environment: tuple[tuple[str, str | None, int], ...]  # (skill, version label, quantity)
    agreements: tuple[DemoAgreement, ...]
    notes: str = ""
    time_zone: str = ""  # "" is the firm's (settings.TIME_ZONE)


@dataclass(frozen=True)
class DemoTechnician:
    name: str
    email: str
    notes: str
    skills: tuple[tuple[str, int, str | None, str | None], ...]  # (skill, level, oldest, newest)
    certifications: tuple[tuple[str, int], ...]  # (certification, earned this many days ago)
    # (certification, expires in this many days): a certification close to expiry
    expiring: tuple[tuple[str, int], ...] = ()
    time_zone: str = ""  # "" is the firm's (settings.TIME_ZONE)
    working_hours: str = ""  # a weekly pattern, "Mon-Fri 08:00-18:00"; "" works the default


@dataclass(frozen=True)
class DemoGoal:
    technician_email: str
    due_in_days: int
    reason: str
    cost: Decimal
    skill: str | None = None
    target_level: int | None = None
    target_version: str | None = None
    certification: str | None = None
    status: str = TrainingGoal.Status.PLANNED  # or in progress


@dataclass(frozen=True)
class DemoTimeOff:
    technician_email: str
    kind: str
    note: str
    starts_in_days: int | None = None  # None: the holidays (holidays_off)
    days: int = 1


@dataclass(frozen=True)
class DemoRota:
    name: str
    time_zone: str
    members: tuple[str, ...]  # technician emails, the first takes the first turn
    hours: str  # a weekly pattern in the rota's zone
    notes: str
    # A cover: the second member takes the first's turn from Saturday 09:00 to Sunday 09:00.
    cover_note: str


# The people who look after the demo clients and own their agreements: named users without a
# password (they do not log in), so that pages show owners and account managers by name.
ACCOUNT_MANAGERS = (
    ("dana.whitfield", "Dana", "Whitfield", "dana.whitfield@covered.example"),
    ("omar.beckett", "Omar", "Beckett", "omar.beckett@covered.example"),
)

CLIENTS = (
    DemoClient(
        name="Bayview Family Dental",
        industry="Dental practice",
        seats=14,
        phone="(555) 014-2210",
        email="frontdesk@bayviewdental.example",
        website="https://bayviewdental.example",
        address="118 Harbor Street, Suite 2\nPort Adela, ME 04101",
        contacts=(
            ("Renee Castillo", "Practice manager", "renee@bayviewdental.example", "(555) 014-2211"),
            ("Dr. Alan Whitfield", "Owner, DDS", "alan@bayviewdental.example", "(555) 014-2219"),
        ),
        environment=(
            ("Windows", "10", 10),
            ("Windows", "11", 4),
            ("Windows Server", "2016", 1),
            ("Active Directory", None, 1),
            ("Dentrix", None, 1),
            ("Microsoft 365", None, 14),
            ("SonicWall SonicOS", "6.5", 1),
            ("Veeam Backup & Replication", "11", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Managed IT services",
                annual_value=Decimal("21600.00"),
                services=(DESKTOP, SERVERS, LOB, BACKUP, NETWORK),
                started_months_ago=14,
                term_months=36,
            ),
            DemoAgreement(
                title="Break-fix support block",
                annual_value=Decimal("6000.00"),
                services=(DESKTOP,),
                status=Agreement.Status.EXPIRED,
                started_months_ago=26,
                term_months=12,
                auto_renew=False,
                billing_cycle=Agreement.BillingCycle.ANNUAL,
                notes="Replaced by the managed services agreement.",
            ),
        ),
        notes="Imaging PCs in every operatory; the Dentrix server is also the file server.",
    ),
    DemoClient(
        name="Harlow & Pierce LLP",
        industry="Law firm",
        seats=22,
        phone="(555) 020-7400",
        email="office@harlowpierce.example",
        website="https://harlowpierce.example",
        address="400 Court Square, 5th floor\nPort Adela, ME 04101",
        contacts=(
            ("Miriam Feld", "Office administrator", "mfeld@harlowpierce.example", "(555) 020-7401"),
            ("James Pierce", "Managing partner", "jpierce@harlowpierce.example", "(555) 020-7410"),
        ),
        environment=(
            ("Windows", "10", 14),
            ("Windows", "11", 8),
            ("Windows Server", "2016", 2),
            ("Active Directory", None, 1),
            ("Exchange Server", "2016", 1),
            ("Microsoft 365", None, 22),
            ("Clio", None, 22),
            ("SonicWall SonicOS", "7.0", 1),
            ("Veeam Backup & Replication", "11", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Managed IT and email",
                annual_value=Decimal("30000.00"),
                services=(DESKTOP, SERVERS, EMAIL, BACKUP),
                started_months_ago=5,
                term_months=24,
                support_hours=Agreement.SupportHours.EXTENDED,
                sla_response_hours=2,
                notes="Clio is hosted and supported by its vendor; we look after the rest.",
            ),
            DemoAgreement(
                title="Exchange to Microsoft 365 migration",
                annual_value=Decimal("8400.00"),
                services=(EMAIL,),
                status=Agreement.Status.DRAFT,
                starts_in_days=30,
                term_months=12,
                auto_renew=False,
                billing_cycle=Agreement.BillingCycle.QUARTERLY,
                notes="Proposal sent; waiting for the partners' meeting.",
            ),
        ),
        notes="Still on an on-premises Exchange 2016 server; mailboxes hold decades of mail.",
    ),
    DemoClient(
        name="Kessler & Ng CPAs",
        industry="Accounting firm",
        seats=12,
        phone="(555) 031-8800",
        email="info@kesslerng.example",
        website="https://kesslerng.example",
        address="77 Elm Avenue\nWestbrook, ME 04092",
        contacts=(
            ("Linda Kessler", "Partner", "linda@kesslerng.example", "(555) 031-8801"),
            ("Owen Pratt", "Office manager", "owen@kesslerng.example", "(555) 031-8805"),
        ),
        environment=(
            ("Windows", "11", 12),
            ("Windows Server", "2019", 1),
            ("Active Directory", None, 1),
            ("Microsoft 365", None, 12),
            ("QuickBooks Desktop", "2022", 12),
            ("Fortinet FortiOS", "7.0", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Managed IT services",
                annual_value=Decimal("18000.00"),
                services=(DESKTOP, SERVERS, EMAIL, LOB),
                started_months_ago=20,
                notice_days=30,
                auto_renew=False,
                notes="Tax season (February to April) needs same-day response.",
            ),
        ),
        notes="QuickBooks 2022 in multi-user mode on the server; upgrade planned after tax season.",
    ),
    DemoClient(
        name="Northlight Architecture Studio",
        industry="Architecture",
        seats=10,
        phone="(555) 045-3030",
        email="studio@northlight-arch.example",
        website="https://northlight-arch.example",
        address="9 Mill Yard, Building C\nSaco, ME 04072",
        contacts=(
            ("Sofia Brenner", "Principal", "sofia@northlight-arch.example", "(555) 045-3031"),
        ),
        environment=(
            ("Windows", "11", 7),
            ("macOS", "14 Sonoma", 3),
            ("AutoCAD", "2023", 7),
            ("Microsoft 365", None, 10),
            ("Windows Server", "2019", 1),
            ("Veeam Backup & Replication", "12", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Studio IT support",
                annual_value=Decimal("15600.00"),
                services=(DESKTOP, LOB, BACKUP),
                started_months_ago=3,
                term_months=12,
            ),
        ),
    ),
    DemoClient(
        name="Cedar Creek Veterinary Clinic",
        industry="Veterinary clinic",
        seats=9,
        phone="(555) 052-6060",
        email="hello@cedarcreekvet.example",
        website="https://cedarcreekvet.example",
        address="2150 Route 1\nScarborough, ME 04074",
        contacts=(
            ("Dr. Hannah Moreau", "Owner, DVM", "hannah@cedarcreekvet.example", "(555) 052-6061"),
            ("Luis Ortega", "Clinic manager", "luis@cedarcreekvet.example", "(555) 052-6062"),
        ),
        environment=(
            ("Windows", "10", 9),
            ("Windows Server", "2016", 1),
            ("Active Directory", None, 1),
            ("Microsoft 365", None, 9),
            ("SonicWall SonicOS", "6.5", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Managed IT services",
                annual_value=Decimal("14400.00"),
                services=(DESKTOP, SERVERS, NETWORK),
                ends_in_days=75,
                notice_days=60,
                auto_renew=False,
                notes="Renewal to be discussed before the notice date.",
            ),
        ),
    ),
    DemoClient(
        name="Summit Ridge Realty",
        industry="Real-estate agency",
        seats=18,
        phone="(555) 067-1200",
        email="team@summitridgerealty.example",
        website="https://summitridgerealty.example",
        address="45 Congress Street\nPort Adela, ME 04101",
        contacts=(
            ("Carla Jennings", "Broker-owner", "carla@summitridgerealty.example", "(555) 067-1201"),
        ),
        environment=(
            ("Windows", "11", 10),
            ("macOS", "13 Ventura", 8),
            ("Microsoft 365", None, 18),
            ("Microsoft Entra ID", None, 1),
        ),
        agreements=(
            DemoAgreement(
                title="Help desk and Microsoft 365",
                annual_value=Decimal("19200.00"),
                services=(HELP_DESK, DESKTOP, EMAIL),
                started_months_ago=9,
                term_months=36,
            ),
        ),
        notes="Agents work from home and the road; no server on site.",
    ),
    DemoClient(
        name="Riverbend Community Food Bank",
        industry="Nonprofit",
        seats=8,
        phone="(555) 073-4545",
        email="info@riverbendfoodbank.example",
        website="https://riverbendfoodbank.example",
        address="300 Depot Road\nJoliet, IL 60432",
        contacts=(
            (
                "Teresa Quinlan",
                "Executive director",
                "teresa@riverbendfoodbank.example",
                "(555) 073-4546",
            ),
        ),
        environment=(
            ("Windows", "10", 8),
            ("Microsoft 365", None, 8),
        ),
        agreements=(
            DemoAgreement(
                title="Nonprofit help desk",
                annual_value=Decimal("9600.00"),
                services=(HELP_DESK, EMAIL),
                started_months_ago=2,
                term_months=12,
                billing_cycle=Agreement.BillingCycle.ANNUAL,
            ),
        ),
        notes=(
            "Microsoft 365 Business Premium through the nonprofit grant. The office is in "
            "Illinois: support hours are Chicago time."
        ),
        time_zone=CHICAGO,
    ),
    DemoClient(
        name="Brennan Precision Machining",
        industry="Manufacturing",
        seats=25,
        phone="(555) 088-9100",
        email="office@brennanprecision.example",
        website="https://brennanprecision.example",
        address="12 Industrial Park Drive\nBiddeford, ME 04005",
        contacts=(
            ("Gary Brennan", "Owner", "gary@brennanprecision.example", "(555) 088-9101"),
            ("Nadia Kowalski", "Controller", "nadia@brennanprecision.example", "(555) 088-9107"),
        ),
        environment=(
            ("Windows", "10", 25),
            ("Windows Server", "2019", 3),
            ("Active Directory", None, 1),
            ("Hyper-V", None, 2),
            ("Microsoft SQL Server", "2016", 1),
            ("Cisco IOS", "15", 4),
            ("Veeam Backup & Replication", "11", 1),
        ),
        agreements=(
            DemoAgreement(
                title="Managed infrastructure, 24×7",
                annual_value=Decimal("36600.00"),
                services=(DESKTOP, SERVERS, NETWORK, VIRTUALIZATION, BACKUP, LOB),
                started_months_ago=11,
                term_months=36,
                support_hours=Agreement.SupportHours.ALWAYS,
                sla_response_hours=1,
                certifications_required=((CCNA, 1),),
                notes="The contract requires a CCNA-certified engineer for the plant network.",
            ),
        ),
        notes="The ERP runs on SQL Server 2016; the shop floor runs two shifts.",
    ),
)

TECHNICIANS = (
    DemoTechnician(
        name="Helen Okafor",
        email="helen.okafor@keystone-it.example",
        notes="Founder and senior systems engineer; on the after-hours rota.",
        working_hours="Mon-Fri 08:00-18:00",
        skills=(
            ("Windows Server", 5, "2012 R2", "2022"),
            ("Active Directory", 5, None, None),
            ("Exchange Server", 4, "2019", "SE"),
            ("Microsoft 365", 4, None, None),
            ("Microsoft Entra ID", 4, None, None),
            ("Hyper-V", 4, None, None),
            ("Veeam Backup & Replication", 4, "11", "12"),
            ("Microsoft SQL Server", 3, "2016", "2022"),
            ("SonicWall SonicOS", 3, "6.5", "7.0"),
            ("Windows", 4, "10", "11"),
        ),
        certifications=(
            (MCP, 5200),
            ("MCSA: Windows Server 2016", 2900),
            ("Veeam Certified Engineer (VMCE)", 300),
        ),
    ),
    DemoTechnician(
        name="Tomás Reyes",
        email="tomas.reyes@keystone-it.example",
        notes="Network and firewall lead.",
        working_hours="Mon-Fri 08:00-18:00",
        skills=(
            ("Cisco IOS", 4, "15", "XE 17"),
            ("SonicWall SonicOS", 4, "6.5", "7.1"),
            ("Fortinet FortiOS", 4, "7.0", "7.4"),
            ("Ubiquiti UniFi", 3, None, None),
            ("Windows", 3, "10", "11"),
            ("Windows Server", 3, "2016", "2022"),
        ),
        certifications=((MCP, 3700), ("Fortinet NSE 4", 210), ("SonicWall SNSA", 150)),
        expiring=((CCNA, 45),),
    ),
    DemoTechnician(
        name="Grace Lindqvist",
        email="grace.lindqvist@keystone-it.example",
        notes="Desktop, Microsoft 365 and line-of-business applications.",
        working_hours="Mon-Fri 09:00-17:00",
        skills=(
            ("Windows", 4, "10", "11"),
            ("macOS", 4, "12 Monterey", "15 Sequoia"),
            ("Microsoft 365", 4, None, None),
            ("Microsoft Entra ID", 3, None, None),
            ("QuickBooks Desktop", 4, "2021", "2024"),
            ("Dentrix", 3, None, None),
            ("Clio", 3, None, None),
            ("AutoCAD", 3, "2022", "2025"),
        ),
        certifications=(
            (MCP, 3000),
            ("Microsoft 365 Certified: Modern Desktop Administrator Associate", 120),
            ("CompTIA A+", 600),
        ),
    ),
    DemoTechnician(
        name="Kevin Brandt",
        email="kevin.brandt@keystone-it.example",
        notes="Help desk; joined last year, works mornings.",
        working_hours="Mon-Fri 09:00-13:00",
        skills=(
            ("Windows", 3, "10", "11"),
            ("macOS", 3, "13 Ventura", "15 Sequoia"),
            ("Microsoft 365", 3, None, None),
            ("Exchange Server", 2, "2016", "2019"),
            ("QuickBooks Desktop", 2, "2022", "2024"),
            ("Dentrix", 3, None, None),
            ("Clio", 3, None, None),
            ("AutoCAD", 3, "2023", "2025"),
        ),
        certifications=(("CompTIA A+", 240),),
    ),
    DemoTechnician(
        name="Samir Haddad",
        email="samir.haddad@keystone-it.example",
        notes="Infrastructure: virtualization, backup, databases. Works from London; on the "
        "after-hours rota.",
        time_zone=LONDON,
        working_hours="Mon-Fri 09:00-17:00",
        skills=(
            ("Windows Server", 4, "2016", "2025"),
            ("Windows", 3, "10", "11"),
            ("Microsoft 365", 3, None, None),
            ("Active Directory", 3, None, None),
            ("Hyper-V", 3, None, None),
            ("VMware vSphere", 4, "6.7", "8.0"),
            ("Veeam Backup & Replication", 4, "10", "12"),
            ("Microsoft SQL Server", 3, "2016", "2019"),
            ("Cisco IOS", 2, "15", "XE 16"),
            ("Exchange Server", 3, "2019", "SE"),
            ("Microsoft Defender for Endpoint", 3, None, None),
            ("Microsoft Azure", 3, None, None),
        ),
        certifications=((MCP, 2200), ("VMware VCP-DCV", 730), ("CompTIA Security+", 420)),
    ),
    DemoTechnician(
        name="Priya Natarajan",
        email="priya.natarajan@keystone-it.example",
        notes="Desktop and Apple support; joined this year.",
        working_hours="Mon-Fri 09:00-17:00",
        skills=(
            ("Windows", 3, "10", "11"),
            ("macOS", 4, "12 Monterey", "15 Sequoia"),
            ("Microsoft 365", 3, None, None),
            ("Dentrix", 3, None, None),
        ),
        certifications=((MCP, 330), ("CompTIA A+", 800)),
    ),
)

GRACE = "grace.lindqvist@keystone-it.example"
KEVIN = "kevin.brandt@keystone-it.example"
TOMAS = "tomas.reyes@keystone-it.example"

TIME_OFF = (
    # Northlight's only AutoCAD people are away on the same days.
    DemoTimeOff(technician_email=GRACE, kind=TimeOff.Kind.VACATION, note="Family visit"),
    DemoTimeOff(technician_email=KEVIN, kind=TimeOff.Kind.VACATION, note="Skiing trip"),
    DemoTimeOff(
        technician_email=TOMAS,
        kind=TimeOff.Kind.TRAINING,
        note="CCNA recertification course",
        starts_in_days=10,
        days=2,
    ),
)

ROTA = DemoRota(
    name="After-hours",
    time_zone="",
    members=("helen.okafor@keystone-it.example", "samir.haddad@keystone-it.example"),
    hours="Mon-Fri 00:00-09:00, Mon-Fri 17:00-24:00, Sat-Sun 00:00-24:00",
    notes=(
        "Carries the 24×7 and 12×5 agreements outside office hours (Monday to Friday 9 to 5 "
        "is covered by the office). Hand-off on Mondays at 09:00."
    ),
    cover_note="Samir covers: Helen is away that weekend.",
)

# (competitor, website, notes, offerings: (our service or None, free-text name, monthly price))
COMPETITORS = (
    (
        "Tri-County Tech Partners",
        "https://tricountytech.example",
        "Sells IT and phones as one bundle; aggressive on price for practices under 20 seats.",
        (
            (DESKTOP, "", Decimal("1450.00")),
            (EMAIL, "", Decimal("600.00")),
            (NETWORK, "", Decimal("750.00")),
            (BACKUP, "", Decimal("500.00")),
            (None, "VoIP phone systems", Decimal("900.00")),
        ),
    ),
    (
        "BlueHarbor Managed IT",
        "https://blueharbor-it.example",
        "Leads with security; won two law firms in town last year.",
        (
            (DESKTOP, "", Decimal("1600.00")),
            (SECURITY, "", Decimal("1100.00")),
            (BACKUP, "", Decimal("650.00")),
            (CLOUD, "", Decimal("1200.00")),
            (None, "Cybersecurity awareness training", Decimal("300.00")),
            (None, "VoIP phone systems", Decimal("850.00")),
        ),
    ),
)

GOALS = (
    DemoGoal(
        technician_email="kevin.brandt@keystone-it.example",
        skill="Exchange Server",
        target_level=3,
        target_version="2016",
        due_in_days=45,
        status=TrainingGoal.Status.IN_PROGRESS,
        reason="Harlow & Pierce runs Exchange 2016 and nobody supports it at level 3.",
        cost=Decimal("1250.00"),
    ),
    DemoGoal(
        technician_email="kevin.brandt@keystone-it.example",
        certification=MCP,
        due_in_days=90,
        reason="Every technician should hold a baseline certification.",
        cost=Decimal("165.00"),
    ),
    DemoGoal(
        technician_email="samir.haddad@keystone-it.example",
        skill="QuickBooks Desktop",
        target_level=3,
        target_version="2022",
        due_in_days=-10,
        reason="Only Grace Lindqvist supports QuickBooks for Kessler & Ng.",
        cost=Decimal("400.00"),
    ),
    DemoGoal(
        technician_email="tomas.reyes@keystone-it.example",
        certification=CCNA,
        due_in_days=38,
        status=TrainingGoal.Status.IN_PROGRESS,
        reason="Recertify before the CCNA expires; Brennan's contract requires a CCNA holder.",
        cost=Decimal("300.00"),
    ),
)

# (vendor, tier, renewal in days, yearly benefit, notes, rules: a certification's name or a
# (skill, level), and the minimum number of technicians)
PROGRAMMES = (
    (
        "Cisco",
        "Select Integrator",
        200,
        Decimal("6500.00"),
        "Partner discount on switching and routing hardware for client projects.",
        ((CCNA, 1), (("Cisco IOS", 3), 1)),
    ),
    (
        "Fortinet",
        "Engage Advocate Partner",
        290,
        Decimal("3000.00"),
        "Deal registration and renewal margins on FortiGate subscriptions.",
        (("Fortinet NSE 4", 1), (("Fortinet FortiOS", 3), 1)),
    ),
    (
        "Microsoft",
        "Solutions Partner — Modern Work",
        120,
        Decimal("9000.00"),
        "Partner benefits: internal-use licences and the CSP margin on Microsoft 365.",
        ((("Microsoft 365", 4), 2),),
    ),
)

# ------------------------------------------------------------------------------ loading


class DemoDataError(Exception):
    """The catalog lacks something the demo needs, e.g. a version a user replaced by their own."""


@dataclass
class DemoReport:
    removed: dict[str, int] = field(default_factory=dict)
    clients: int = 0
    agreements: int = 0
    technicians: int = 0
    competitors: int = 0
    training_goals: int = 0
    rotas: int = 0
    programmes: int = 0
    catalog: str = ""
    active_clients: int = 0
    active_annual_value: Decimal = Decimal("0.00")

    @property
    def created(self):
        return sum(
            (
                self.clients,
                self.agreements,
                self.technicians,
                self.competitors,
                self.training_goals,
                self.rotas,
                self.programmes,
            )
        )


class _Catalog:
    """Looks up catalog rows by name, failing with a message that says what is missing."""

    def __init__(self):
        self.skills = {skill.name.lower(): skill for skill in Skill.objects.all()}
        self.versions = {
            (version.skill_id, version.label.lower()): version
            for version in SkillVersion.objects.all()
        }
        self.certifications = {c.name.lower(): c for c in Certification.objects.all()}
        self.services = {s.name.lower(): s for s in Service.objects.all()}

    @staticmethod
    def _get(rows, key, what):
        try:
            return rows[key.lower()]
        except KeyError:
            raise DemoDataError(f"The catalog has no {what} named “{key}”.") from None

    def skill(self, name):
        return self._get(self.skills, name, "skill")

    def version(self, skill, label):
        if label is None:
            return None
        try:
            return self.versions[(skill.pk, label.lower())]
        except KeyError:
            raise DemoDataError(f"The catalog has no version “{label}” of {skill.name}.") from None

    def certification(self, name):
        return self._get(self.certifications, name, "certification")

    def service(self, name):
        return self._get(self.services, name, "service")


def _name_filter(names):
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    return query


def demo_clients():
    return Client.objects.filter(_name_filter(c.name for c in CLIENTS))


def demo_technicians():
    return Technician.objects.filter(email__in=[t.email for t in TECHNICIANS])


def demo_competitors():
    return Competitor.objects.filter(_name_filter(name for name, *_ in COMPETITORS))


def demo_rotas():
    return OnCallRota.objects.filter(name__iexact=ROTA.name)


def demo_programmes():
    query = Q()
    for vendor, tier, *_ in PROGRAMMES:
        query |= Q(vendor__iexact=vendor, tier__iexact=tier)
    return PartnerProgram.objects.filter(query)


def demo_remove() -> dict[str, int]:
    """Delete the demo rows (and what hangs off them); the catalog and users stay."""
    _, programme_rows = demo_programmes().delete()
    clients = demo_clients()
    _, agreements = Agreement.objects.filter(client__in=clients).delete()
    _, client_rows = clients.delete()
    _, rota_rows = demo_rotas().delete()
    _, technician_rows = demo_technicians().delete()
    _, competitor_rows = demo_competitors().delete()
    removed = {}
    for rows in (
        agreements,
        client_rows,
        rota_rows,
        technician_rows,
        competitor_rows,
        programme_rows,
    ):
        for label, count in rows.items():
            removed[label] = removed.get(label, 0) + count
    return removed


def _agreement_dates(spec: DemoAgreement, today: datetime.date):
    if spec.ends_in_days is not None:
        end_date = today + datetime.timedelta(days=spec.ends_in_days)
        return add_months(end_date, -12) + datetime.timedelta(days=1), end_date
    if spec.starts_in_days is not None:
        start_date = today + datetime.timedelta(days=spec.starts_in_days)
    else:
        start_date = add_months(today.replace(day=1), -spec.started_months_ago)
    if spec.term_months is None:
        return start_date, None
    return start_date, add_months(start_date, spec.term_months) - datetime.timedelta(days=1)


def _account_managers() -> list:
    """The demo's account managers, made when missing (a name they were given is kept)."""
    managers = []
    for username, first_name, last_name, email in ACCOUNT_MANAGERS:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": email},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        managers.append(user)
    return managers


def _seed_client(
    spec: DemoClient, catalog: _Catalog, today: datetime.date, report: DemoReport, manager
):
    client = client_create(
        **({"time_zone": spec.time_zone} if spec.time_zone else {}),
        account_manager=manager,
        name=spec.name,
        industry=spec.industry,
        seats=spec.seats,
        phone=spec.phone,
        email=spec.email,
        website=spec.website,
        address=spec.address,
        notes=spec.notes,
    )
    for position, (name, role, email, phone) in enumerate(spec.contacts):
        contact_create(
            client=client, name=name, role=role, email=email, phone=phone, is_primary=position == 0
        )
    for skill_name, label, quantity in spec.environment:
        skill = catalog.skill(skill_name)
        client_technology_add(
            client=client, skill=skill, version=catalog.version(skill, label), quantity=quantity
        )
    for agreement_spec in spec.agreements:
        start_date, end_date = _agreement_dates(agreement_spec, today)
        agreement = agreement_create(
            client=client,
            owner=manager,
            title=agreement_spec.title,
            start_date=start_date,
            end_date=end_date,
            annual_value=agreement_spec.annual_value,
            services=[catalog.service(name) for name in agreement_spec.services],
            status=agreement_spec.status,
            notice_days=agreement_spec.notice_days,
            auto_renew=agreement_spec.auto_renew,
            billing_cycle=agreement_spec.billing_cycle,
            support_hours=agreement_spec.support_hours,
            sla_response_hours=agreement_spec.sla_response_hours,
            notes=agreement_spec.notes,
        )
        for certification_name, technicians in agreement_spec.certifications_required:
            requirement_create(
                agreement=agreement,
                certification=catalog.certification(certification_name),
                min_technicians=technicians,
                notes="Required by the contract.",
            )
        report.agreements += 1
    report.clients += 1


def _seed_technician(spec: DemoTechnician, catalog: _Catalog, today: datetime.date):
    technician = technician_create(
        **({"time_zone": spec.time_zone} if spec.time_zone else {}),
        name=spec.name,
        email=spec.email,
        status=Technician.Status.ACTIVE,
        available_until=None,
        user=None,
        notes=spec.notes,
    )
    if spec.working_hours:
        working_hours_replace(technician=technician, periods=parse_pattern(spec.working_hours))
    for skill_name, level, oldest, newest in spec.skills:
        skill = catalog.skill(skill_name)
        technician_skill_set(
            technician=technician,
            skill=skill,
            level=level,
            oldest_version=catalog.version(skill, oldest),
            newest_version=catalog.version(skill, newest),
            last_used=today - datetime.timedelta(days=7),
        )
    for certification_name, earned_days_ago in spec.certifications:
        technician_certification_add(
            technician=technician,
            certification=catalog.certification(certification_name),
            earned_on=today - datetime.timedelta(days=earned_days_ago),
        )
    for certification_name, expires_in_days in spec.expiring:
        certification = catalog.certification(certification_name)
        expires_on = today + datetime.timedelta(days=expires_in_days)
        technician_certification_add(
            technician=technician,
            certification=certification,
            earned_on=add_months(expires_on, -(certification.validity_months or 36)),
            expires_on=expires_on,
        )
    return technician


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    """`day`, or the Monday after it when it falls on a weekend."""
    return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def holidays_off(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The holidays two of the team take off together: Christmas Eve to New Year's Day when
    Christmas Eve is 3 to 45 days away, so that it falls inside the warning window; otherwise the
    week (Monday to Sunday) that starts three weeks from `today`'s Monday."""
    christmas_eve = datetime.date(today.year, 12, 24)
    if 3 <= (christmas_eve - today).days <= 45:
        return christmas_eve, datetime.date(today.year + 1, 1, 1)
    first = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=3)
    return first, first + datetime.timedelta(days=6)


def _seed_time_off(spec: DemoTimeOff, technician: Technician, today: datetime.date):
    if spec.starts_in_days is None:
        first_day, last_day = holidays_off(today)
    else:
        first_day = _weekday_on_or_after(today + datetime.timedelta(days=spec.starts_in_days))
        last_day = first_day + datetime.timedelta(days=spec.days - 1)
    time_off_save(
        time_off=None,
        technician=technician,
        fields={"first_day": first_day, "last_day": last_day, "kind": spec.kind, "note": spec.note},
    )


ROTA_WEEKS_BEFORE = 4  # the rota's first hand-off: this many weeks before today's Monday


def _local(day: datetime.date, zone: str, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


def _seed_rota(spec: DemoRota, today: datetime.date):
    """The rota with weekly turns handed off on Mondays at 09:00, and one cover: the second
    member covers the weekend of the first member's next turn that starts after today."""
    members = {t.email: t for t in demo_technicians().filter(email__in=spec.members)}
    zone = spec.time_zone or settings.TIME_ZONE
    monday = today - datetime.timedelta(days=today.weekday())
    rota = rota_save(
        rota=None,
        fields={
            "name": spec.name,
            "time_zone": zone,
            "starts_at": _local(monday - datetime.timedelta(weeks=ROTA_WEEKS_BEFORE), zone),
            "rotation_days": 7,
            "notes": spec.notes,
        },
        periods=parse_pattern(spec.hours),
    )
    ordered = [members[email] for email in spec.members if email in members]
    for technician in ordered:
        rota_member_add(rota=rota, technician=technician)
    if len(ordered) >= 2:
        # Turn k begins k weeks after the first hand-off and belongs to ordered[k % n].
        count = len(ordered)
        turn = -(-(ROTA_WEEKS_BEFORE + 1) // count) * count
        saturday = monday + datetime.timedelta(weeks=turn - ROTA_WEEKS_BEFORE, days=5)
        override_create(
            rota=rota,
            technician=ordered[1],
            starts_at=_local(saturday, zone),
            ends_at=_local(saturday + datetime.timedelta(days=1), zone),
            note=spec.cover_note,
        )
    return rota


def _seed_competitor(name, website, notes, offerings, catalog: _Catalog):
    competitor = competitor_create(name=name, website=website, notes=notes)
    for service_name, offering_name, price in offerings:
        competitor_offering_create(
            competitor=competitor,
            service=catalog.service(service_name) if service_name else None,
            name=offering_name,
            price=price,
        )


def _seed_goal(spec: DemoGoal, technician: Technician, catalog: _Catalog, today: datetime.date):
    skill = catalog.skill(spec.skill) if spec.skill else None
    certification = catalog.certification(spec.certification) if spec.certification else None
    goal = training_goal_create(
        technician=technician,
        skill=skill,
        target_level=spec.target_level,
        target_version=catalog.version(skill, spec.target_version) if skill else None,
        certification=certification,
        due_date=today + datetime.timedelta(days=spec.due_in_days),
        reason=spec.reason,
        cost=spec.cost,
    )
    if spec.status == TrainingGoal.Status.IN_PROGRESS:
        training_goal_start(goal=goal)


# How an RMM's software inventory (one row per device and product) names its columns; the
# sample inventory (demo/samples/) is read with it.
RMM_PRESET_NAME = "RMM software inventory (one row per device)"
RMM_PRESET = {
    "organization": "client",
    "device name": "device",
    "software": "product",
    "display version": "",
}


@transaction.atomic
def seed_demo(*, reset: bool = False, today: datetime.date | None = None) -> DemoReport:
    """Load the catalog and the demo MSP; with `reset`, remove the demo rows first."""
    today = today or timezone.localdate()
    report = DemoReport()
    if reset:
        report.removed = demo_remove()
    report.catalog = str(load_catalog())
    catalog = _Catalog()

    existing_clients = {name.lower() for name in demo_clients().values_list("name", flat=True)}
    managers = _account_managers()
    for position, spec in enumerate(CLIENTS):
        if spec.name.lower() not in existing_clients:
            _seed_client(spec, catalog, today, report, managers[position % len(managers)])

    existing_emails = set(demo_technicians().values_list("email", flat=True))
    created_technicians = {}
    for spec in TECHNICIANS:
        if spec.email not in existing_emails:
            created_technicians[spec.email] = _seed_technician(spec, catalog, today)
            report.technicians += 1

    existing_competitors = {n.lower() for n in demo_competitors().values_list("name", flat=True)}
    for name, website, notes, offerings in COMPETITORS:
        if name.lower() not in existing_competitors:
            _seed_competitor(name, website, notes, offerings, catalog)
            report.competitors += 1

    # Goals come with their technician: one a user deleted or closed is not planted again.
    for spec in GOALS:
        if spec.technician_email in created_technicians:
            _seed_goal(spec, created_technicians[spec.technician_email], catalog, today)
            report.training_goals += 1

    # Time off comes with its technician too; the rota when there is none of its name.
    for spec in TIME_OFF:
        if spec.technician_email in created_technicians:
            _seed_time_off(spec, created_technicians[spec.technician_email], today)
    if not demo_rotas().exists():
        _seed_rota(ROTA, today)
        report.rotas += 1

    existing_programmes = {
        (vendor.lower(), tier.lower())
        for vendor, tier in demo_programmes().values_list("vendor", "tier")
    }
    for vendor, tier, renews_in_days, benefit, notes, rules in PROGRAMMES:
        if (vendor.lower(), tier.lower()) not in existing_programmes:
            programme = partner_program_create(
                vendor=vendor,
                tier=tier,
                renewal_date=today + datetime.timedelta(days=renews_in_days),
                yearly_benefit=benefit,
                notes=notes,
            )
            for asked, minimum in rules:
                if isinstance(asked, str):
                    held = {"certification": catalog.certification(asked)}
                else:
                    held = {"skill": catalog.skill(asked[0]), "min_level": asked[1]}
                partner_rule_create(program=programme, min_technicians=minimum, **held)
            report.programmes += 1

    ImportMappingPreset.objects.get_or_create(
        kind=ImportKind.ENVIRONMENT, name=RMM_PRESET_NAME, defaults={"mapping": RMM_PRESET}
    )

    report.active_clients = demo_clients().filter(status=Client.Status.ACTIVE).count()
    report.active_annual_value = annual_value_active_on(
        Agreement.objects.filter(client__in=demo_clients()), day=today
    )
    return report
