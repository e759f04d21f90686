"""Competitor gap analysis (DESIGN "Gap analysis, plan of attack and looking ahead"), and the
plan's "add to the rota" for the gaps in support hours that training does not close.

For every service competitors offer: how many offer it and at what price, whether we offer it, and
whether we can deliver it — per skill in its scope, the available technicians at or above the
service's minimum level and the versions our active clients run that nobody at that level knows.
Offerings linked to one of our services are grouped by that service; free-text ones by their
name, normalized (case and spacing ignored), and joined to our service of the same name if any.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agreements.coverage.checks import newest_check
from agreements.coverage.first_gaps import gap_hours_text, rota_gaps
from agreements.coverage.models import GapCause
from agreements.models import Agreement, Requirement, Service
from agreements.planning.models import CompetitorOffering
from clients.models import Client, ClientTechnology
from core.choices import ChoiceSet
from core.formatting import join_names
from core.selectors import coverage_defaults
from skills.models import OnCallRota, Technician, TechnicianSkill, rank_in_range


class Delivery(ChoiceSet):
    """Can we deliver a service? From best to worst, each with its badge's colour and what the
    badge says when hovered (`title`)."""

    # every skill has enough technicians and every client version is known
    YES = "yes", "Yes", "success", ""
    THIN = (
        "thin",
        "Thin",
        "warning",
        "Someone for every skill, but fewer technicians than an agreement needs",
    )
    PARTLY = (
        "partly",
        "Partly",
        "warning",
        "A skill nobody has at the level, or a client version nobody knows",
    )
    NO = "no", "No", "danger", "Nobody has any skill it needs at the level"
    # no skills known: a free-text offering, or no scope
    UNKNOWN = (
        "unknown",
        "Unknown",
        "secondary",
        "Link the offering to one of our services, with skills in scope, to assess it",
    )

    def __init__(self, value, color, title):
        super().__init__(value, color)
        self.title = title


@dataclass(frozen=True)
class ClientVersion:
    """A version of a skill our active clients run, and who at the minimum level knows it."""

    version_id: int
    label: str
    rank: int
    client_names: tuple[str, ...]
    technician_names: tuple[str, ...]

    @property
    def is_covered(self) -> bool:
        return bool(self.technician_names)


@dataclass(frozen=True)
class SkillCapacity:
    skill_id: int
    skill_name: str
    min_level: int
    technician_names: tuple[str, ...]  # available today, at or above min_level
    client_versions: tuple[ClientVersion, ...]  # oldest first
    revenue_dependence: Decimal  # ARR of active agreements requiring the skill

    @property
    def technician_count(self) -> int:
        return len(self.technician_names)

    @property
    def uncovered_versions(self) -> tuple[ClientVersion, ...]:
        return tuple(v for v in self.client_versions if not v.is_covered)


@dataclass(frozen=True)
class Gap:
    name: str
    service_id: int | None  # ours, when the offering matches one
    we_offer: bool  # an active service of ours
    min_level: int | None
    competitor_names: tuple[str, ...]
    price_min: Decimal | None  # per month, as advertised
    price_max: Decimal | None
    skills: tuple[SkillCapacity, ...]
    revenue_dependence: Decimal  # ARR of active agreements requiring any of its skills
    delivery: Delivery

    @property
    def competitor_count(self) -> int:
        return len(self.competitor_names)

    @property
    def is_gap(self) -> bool:
        return not self.we_offer or self.delivery != Delivery.YES

    def weakest_skill(self) -> SkillCapacity | None:
        """The skill to train first: fewest technicians, then most client versions unknown."""
        if not self.skills:
            return None
        return min(
            self.skills,
            key=lambda s: (s.technician_count, -len(s.uncovered_versions), -s.revenue_dependence),
        )


def normalized_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _delivery(skills: tuple[SkillCapacity, ...], min_technicians: int) -> Delivery:
    if not skills:
        return Delivery.UNKNOWN
    counts = [skill.technician_count for skill in skills]
    if not any(counts):
        return Delivery.NO
    if not all(counts) or any(skill.uncovered_versions for skill in skills):
        return Delivery.PARTLY
    if min(counts) < min_technicians:
        return Delivery.THIN
    return Delivery.YES


def competitor_gaps(*, day: datetime.date, min_technicians: int | None = None) -> list[Gap]:
    """Every service competitors offer, most offered first, then most revenue at stake.

    Six queries whatever the number of competitors, services, technicians or clients:
    offerings, services, service scopes, technician skills, client environments, requirements;
    one more for the minimum technicians in force when `min_technicians` is not given.
    """
    if min_technicians is None:
        min_technicians = coverage_defaults().min_technicians
    offerings = list(
        CompetitorOffering.objects.order_by("competitor__name", "pk").values_list(
            "competitor__name", "service_id", "name", "price"
        )
    )
    if not offerings:
        return []
    services = {
        pk: (name, is_active, min_level)
        for pk, name, is_active, min_level in Service.objects.values_list(
            "id", "name", "is_active", "min_level"
        )
    }
    service_by_name = {normalized_name(name): pk for pk, (name, _, _) in services.items()}

    # Group the offerings: our service when linked (or named alike), else the normalized name.
    groups: dict[tuple, dict[str, Any]] = {}
    for competitor_name, service_id, offering_name, price in offerings:
        normalized = normalized_name(offering_name)
        service_id = service_id or service_by_name.get(normalized)
        key = ("service", service_id) if service_id else ("name", normalized)
        group = groups.setdefault(
            key,
            {
                "name": services[service_id][0] if service_id else " ".join(offering_name.split()),
                "service_id": service_id,
                "competitors": [],
                "prices": [],
            },
        )
        if competitor_name not in group["competitors"]:
            group["competitors"].append(competitor_name)
        if price is not None:
            group["prices"].append(price)

    service_ids = [group["service_id"] for group in groups.values() if group["service_id"]]
    scope = defaultdict(list)  # service id -> [(skill id, skill name)]
    for service_id, skill_id, skill_name in (
        Service.skills_in_scope.through.objects.filter(service_id__in=service_ids)
        .order_by("skill__name")
        .values_list("service_id", "skill_id", "skill__name")
    ):
        scope[service_id].append((skill_id, skill_name))
    skill_ids = {skill_id for skills in scope.values() for skill_id, _ in skills}

    holders = defaultdict(list)  # skill id -> [(technician name, level, oldest rank, newest rank)]
    for name, skill_id, level, oldest, newest in (
        TechnicianSkill.objects.filter(
            skill_id__in=skill_ids, technician__in=Technician.objects.available_on(day).values("id")
        )
        .order_by("technician__name")
        .values_list(
            "technician__name", "skill_id", "level", "oldest_version__rank", "newest_version__rank"
        )
    ):
        holders[skill_id].append((name, level, oldest, newest))

    client_versions = defaultdict(dict)  # skill id -> version id -> (label, rank, {clients})
    for skill_id, version_id, label, rank, client_name in (
        ClientTechnology.objects.filter(
            skill_id__in=skill_ids, client__status=Client.Status.ACTIVE, version__isnull=False
        )
        .order_by()
        .values_list("skill_id", "version_id", "version__label", "version__rank", "client__name")
    ):
        entry = client_versions[skill_id].setdefault(version_id, (label, rank, set()))
        entry[2].add(client_name)

    agreements_by_skill = defaultdict(dict)  # skill id -> {agreement id: annual value}
    for agreement_id, skill_id, annual_value in (
        Requirement.objects.filter(
            skill_id__in=skill_ids, agreement__in=Agreement.objects.active_on(day)
        )
        .order_by()
        .values_list("agreement_id", "skill_id", "agreement__annual_value")
        .distinct()
    ):
        agreements_by_skill[skill_id][agreement_id] = annual_value

    gaps = []
    for group in groups.values():
        service_id = group["service_id"]
        we_offer = bool(service_id) and services[service_id][1]
        min_level = services[service_id][2] if service_id else None
        skills = []
        revenue_agreements = {}
        for skill_id, skill_name in scope.get(service_id, ()):
            qualified = [h for h in holders[skill_id] if h[1] >= min_level]
            versions = tuple(
                ClientVersion(
                    version_id=version_id,
                    label=label,
                    rank=rank,
                    client_names=tuple(sorted(clients)),
                    technician_names=tuple(
                        name
                        for name, _, oldest, newest in qualified
                        if rank_in_range(rank, oldest, newest)
                    ),
                )
                for version_id, (label, rank, clients) in sorted(
                    client_versions[skill_id].items(), key=lambda item: item[1][1]
                )
            )
            skills.append(
                SkillCapacity(
                    skill_id=skill_id,
                    skill_name=skill_name,
                    min_level=min_level,
                    technician_names=tuple(name for name, *_ in qualified),
                    client_versions=versions,
                    revenue_dependence=sum(agreements_by_skill[skill_id].values(), Decimal("0")),
                )
            )
            revenue_agreements.update(agreements_by_skill[skill_id])
        skills = tuple(skills)
        prices = group["prices"]
        gaps.append(
            Gap(
                name=group["name"],
                service_id=service_id,
                we_offer=we_offer,
                min_level=min_level,
                competitor_names=tuple(group["competitors"]),
                price_min=min(prices) if prices else None,
                price_max=max(prices) if prices else None,
                skills=skills,
                revenue_dependence=sum(revenue_agreements.values(), Decimal("0")),
                delivery=_delivery(skills, min_technicians),
            )
        )
    gaps.sort(key=lambda g: (-g.competitor_count, -g.revenue_dependence, g.name.casefold()))
    return gaps


# ------------------------------------------------------------------------------ add to the rota

ROTA_PROPOSALS_SHOWN = 10
ROTAS_NAMED = 20  # rotas a proposal may name, by name


@dataclass(frozen=True)
class RotaChoice:
    rota_id: int
    name: str
    technician_names: tuple[str, ...]  # of those proposed, who is not on it yet


@dataclass(frozen=True)
class RotaProposal:
    """A requirement uncovered, or lapsing, because nobody qualified is at work or on call in
    some support hours (cause outside_hours or on_call_unqualified), and what closes it: put a
    qualified technician on an on-call rota, or make one."""

    agreement_id: int
    reference: str
    client_name: str
    annual_value: Decimal | None
    requirement_id: int
    label: str
    status: str
    risk_kind: str
    cause: str  # GapCause value
    gap: str  # "Mon 7 Dec 2026 00:00–09:00", in the client's time
    time_zone: str
    uncovered_hours: Decimal
    technician_names: tuple[str, ...]  # qualified, as the check found them
    rotas: tuple[RotaChoice, ...]  # rotas some of them could join; none: make one

    @property
    def cause_label(self) -> str:
        return GapCause(self.cause).label

    @property
    def text(self) -> str:
        """ "Add Dana Ortiz or Sam Lee to the on-call rota “Nights”", "Create an on-call rota
        with Dana Ortiz and Sam Lee for these hours"."""
        if self.rotas:
            rota = self.rotas[0]
            others = (
                f" (or {join_names([r.name for r in self.rotas[1:]])})" if self.rotas[1:] else ""
            )
            names = rota.technician_names
            people = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
            return f"Add {people} to the on-call rota “{rota.name}”{others}"
        return f"Create an on-call rota with {join_names(self.technician_names)} for these hours"


@dataclass(frozen=True)
class RotaProposals:
    coverage_check: object | None  # the newest check, which they come from
    proposals: list[RotaProposal]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.proposals)


def rota_proposals(*, limit: int = ROTA_PROPOSALS_SHOWN) -> RotaProposals:
    """ "Add to the rota" for the requirements the newest check found uncovered or lapsing
    because of hours (first_gaps.rota_gaps), the most valuable first: up to `limit` proposals
    and how many there are. At most five queries (the check, its rows, their count, the rotas,
    their members)."""
    check = newest_check()
    if check is None:
        return RotaProposals(None, [], 0)
    rows = rota_gaps(check).select_related("agreement__client")
    shown = list(rows[:limit])
    if not shown:
        return RotaProposals(check, [], 0)
    total = rows.count() if len(shown) == limit else len(shown)
    rotas = list(OnCallRota.objects.order_by("name").prefetch_related("members")[:ROTAS_NAMED])
    proposals = []
    for row in shown:
        qualified = [(pk, name) for pk, name in row.qualified]
        choices = []
        for rota in rotas:
            members = {member.technician_id for member in rota.members.all()}
            missing = tuple(name for pk, name in qualified if pk not in members)
            if missing:
                choices.append(RotaChoice(rota.pk, rota.name, missing))
        zone = row.agreement.client.time_zone
        proposals.append(
            RotaProposal(
                agreement_id=row.agreement_id,
                reference=row.agreement.reference,
                client_name=row.agreement.client.name,
                annual_value=row.annual_value,
                requirement_id=row.requirement_id,
                label=row.label,
                status=row.status,
                risk_kind=row.risk_kind,
                cause=row.gap_cause,
                gap=gap_hours_text(row.gap_starts_at, row.gap_ends_at, zone),
                time_zone=zone,
                uncovered_hours=row.uncovered_hours,
                technician_names=tuple(name for _, name in qualified),
                rotas=tuple(choices),
            )
        )
    return RotaProposals(check, proposals, total)
