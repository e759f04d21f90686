"""The pre-sale check of a prospect (DESIGN "Before signing"): services, the technologies it
runs (free text read through SkillAlias), a start date. The same engine judges the deal: the
client, its environment and a draft agreement are written in a transaction that is always rolled
back, so the derived requirements come from the same rules as a real agreement's and nothing
stays. "Add the plan" and "Create the client" redo the same input for real.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from agreements.coverage.drafts_and_end_of_support import Migration, migrations_needed
from agreements.coverage.models import CoverageStatus
from agreements.coverage.selectors import agreement_presale_verdict
from agreements.models import Agreement
from agreements.services import agreement_create
from clients.models import Client
from clients.services import client_create, client_technology_add
from core.time_zones import default_time_zone
from skills.models import Skill, SkillVersion, Technician
from skills.selectors import product_matcher
from skills.services import training_goal_create

MAX_LINES = 200
DUE_DAYS_BEFORE_START = 7


@dataclass(frozen=True)
class Technology:
    text: str  # as typed
    skill: Skill
    version: SkillVersion | None


@dataclass
class ProspectInput:
    services: list
    technologies: str
    start_date: datetime.date
    annual_value: Decimal | None = None
    support_hours: str = Agreement.SupportHours.BUSINESS
    sla_response_hours: int = 4
    name: str = ""


@dataclass(frozen=True)
class PlannedGoal:
    requirement: str  # for a migration, the version moved to ("Exchange Server SE at level 3+")
    technician_id: int
    technician: str
    gap: str
    skill_id: int | None
    target_level: int | None
    target_version_id: int | None
    certification_id: int | None
    due_date: datetime.date
    migrating_from: str = ""  # "Exchange Server 2013", the version out of support it replaces


@dataclass
class ProspectResult:
    verdict: object  # agreements.coverage.selectors.PresaleVerdict
    technologies: list[Technology]
    unknown: list[str]
    requirements: list  # engine RequirementCoverage, for the labels, statuses and reasons
    plan: list[PlannedGoal] = field(default_factory=list)
    # Requirements some qualify for, but fewer than needed: who, how many more, who is nearest.
    short_of: list[str] = field(default_factory=list)
    # Requirements nobody has the skill for.
    without_candidate: list[str] = field(default_factory=list)
    annual_value: Decimal | None = None
    # The prospect's time zone, the firm's own: where its support window's hours are read.
    time_zone: str = field(default_factory=default_time_zone)
    # What the prospect runs out of support: the migrations it needs (drafts_and_end_of_support)
    migrations: list[Migration] = field(default_factory=list)

    @property
    def at_stake(self) -> Decimal | None:
        """The deal's value when the team cannot plainly deliver it (at risk or uncovered)."""
        if self.verdict.status not in (CoverageStatus.AT_RISK, CoverageStatus.UNCOVERED):
            return None
        return self.annual_value


def technologies_read(text: str) -> tuple[list[Technology], list[str]]:
    """Lines (or comma-separated items) matched to skills and versions; the rest unknown."""
    items = [item.strip() for line in text.splitlines() for item in line.split(",")]
    items = [item for item in items if item][:MAX_LINES]
    if not items:
        return [], []
    matcher = product_matcher()
    matches = [(item, matcher.match(item)) for item in items]
    skills = Skill.objects.in_bulk({m.skill_id for _, m in matches if m})
    versions = SkillVersion.objects.in_bulk(
        {m.version_id for _, m in matches if m and m.version_id}
    )
    found, unknown, seen = [], [], set()
    for item, match in matches:
        if match is None:
            unknown.append(item)
        elif (match.skill_id, match.version_id) not in seen:
            seen.add((match.skill_id, match.version_id))
            found.append(Technology(item, skills[match.skill_id], versions.get(match.version_id)))
    return found, unknown


def _write(prospect: ProspectInput, technologies: list[Technology], *, name: str) -> Agreement:
    client = client_create(name=name, status=Client.Status.PROSPECT)
    for technology in technologies:
        client_technology_add(client=client, skill=technology.skill, version=technology.version)
    return agreement_create(
        client=client,
        title="Managed services",
        status=Agreement.Status.DRAFT,
        start_date=prospect.start_date,
        annual_value=prospect.annual_value or Decimal("0"),
        services=prospect.services,
        support_hours=prospect.support_hours,
        sla_response_hours=prospect.sla_response_hours,
    )


def _due_date(start_date: datetime.date, day: datetime.date) -> datetime.date:
    return max(start_date - datetime.timedelta(days=DUE_DAYS_BEFORE_START), day)


def prospect_check(*, prospect: ProspectInput, day: datetime.date) -> ProspectResult:
    """The verdict on the deal, and the training plan that would close its gaps."""
    technologies, unknown = technologies_read(prospect.technologies)
    with transaction.atomic():
        agreement = _write(prospect, technologies, name=f"Prospect {secrets.token_hex(8)}")
        verdict, coverage = agreement_presale_verdict(agreement=agreement, day=day)
        rows = {row.pk: row for row in agreement.requirements.all()}
        requirements = list(coverage.requirements)
        migrations = migrations_needed(coverage, day=verdict.day)
        transaction.set_rollback(True)
    result = ProspectResult(
        verdict=verdict,
        technologies=technologies,
        unknown=unknown,
        requirements=requirements,
        annual_value=prospect.annual_value,
        migrations=[
            migrations[r.requirement_id] for r in requirements if r.requirement_id in migrations
        ],
    )
    due = _due_date(prospect.start_date, day)
    for requirement in requirements:
        row = rows[requirement.requirement_id]
        migration = migrations.get(requirement.requirement_id)
        trained_for, target_version_id, migrating_from = requirement, row.version_id, ""
        if migration is not None:
            # Never train on a version out of support: on the version moved to, if the team
            # does not cover it yet (none while no version of the chain is supported).
            if not migration.needs_training:
                continue
            trained_for = migration.target_coverage
            target_version_id, migrating_from = migration.move.target_id, migration.move.label
        elif requirement.status == CoverageStatus.COVERED:
            continue
        if trained_for.shortfall:
            result.short_of.append(f"{trained_for.label}: {trained_for.shortfall}")
        if not trained_for.candidates:
            if not trained_for.qualified_count:
                result.without_candidate.append(trained_for.label)
            continue
        nearest = trained_for.candidates[0]
        result.plan.append(
            PlannedGoal(
                requirement=trained_for.label,
                technician_id=nearest.technician_id,
                technician=nearest.name,
                gap=nearest.gap,
                skill_id=row.skill_id,
                target_level=row.min_level if row.skill_id else None,
                target_version_id=target_version_id,
                certification_id=row.certification_id,
                due_date=due,
                migrating_from=migrating_from,
            )
        )
    return result


@transaction.atomic
def prospect_plan_add(*, result: ProspectResult, reason: str) -> int:
    """Add the proposed goals to the plan of attack; returns how many."""
    technicians = Technician.objects.in_bulk({goal.technician_id for goal in result.plan})
    for goal in result.plan:
        training_goal_create(
            technician=technicians[goal.technician_id],
            due_date=goal.due_date,
            skill_id=goal.skill_id,
            target_level=goal.target_level,
            target_version_id=goal.target_version_id,
            certification_id=goal.certification_id,
            reason=reason[:255],
        )
    return len(result.plan)


@transaction.atomic
def prospect_client_create(*, prospect: ProspectInput) -> Agreement:
    """The client (a prospect), its environment and a draft agreement, from the same input."""
    technologies, _ = technologies_read(prospect.technologies)
    return _write(prospect, technologies, name=prospect.name)
