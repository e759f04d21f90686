"""Partner programmes in the plan of attack (DESIGN "Technicians keep their own skills": the plan
can add the goals that keep a tier).

For each rule of a programme that the newest data leaves short within the warning window, the
people missing are `needed − lasting` (those still qualified at the window's end). Proposals fill
that shortfall, best first: for a certification, the holders whose certification lapses in the
window renew it (due the day before it lapses), then available technicians who know the skills
the certification covers, highest level first, then the others by name; for a skill, the
technicians closest below the level, then the others. Nobody leaving within the window is
proposed; open goals on the same target count towards the shortfall, and their technicians
are not proposed again. A fixed number of queries whatever the team's size.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from agreements.coverage.programmes import ProgrammeOutcome, RuleOutcome, programme_outcomes
from core.formatting import day_text
from skills.models import (
    Certification,
    PartnerProgram,
    Skill,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)

NEW_GOAL_DAYS = 90  # a new certification or level is due within a quarter, or by the renewal
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class GoalProposal:
    """A training goal that keeps a rule of a programme met."""

    key: str  # "<rule id>-<technician id>", the form's value
    rule_id: int
    rule_text: str
    technician_id: int
    technician_name: str
    certification_id: int | None
    certification_name: str
    skill_id: int | None
    skill_name: str
    target_level: int | None
    due_date: datetime.date
    why: str  # "renews before it lapses on 12 Jan 2027", "level 2 now"
    reason: str  # the goal's reason

    @property
    def target(self) -> str:
        if self.certification_id:
            return self.certification_name
        return f"{self.skill_name} at level {self.target_level}"


@dataclass(frozen=True)
class ProgrammePlan:
    programme: PartnerProgram
    outcome: ProgrammeOutcome
    proposals: tuple[GoalProposal, ...]

    @property
    def short_rules(self) -> list[RuleOutcome]:
        return [rule for rule in self.outcome.rules if rule.missing]


def programme_plan(
    *, programme: PartnerProgram, day: datetime.date, warning_days: int
) -> ProgrammePlan:
    """The goals that keep `programme` met through the window, as the team stands today."""
    outcome = next(
        found
        for found in programme_outcomes(day=day, warning_days=warning_days)
        if found.programme_id == programme.pk
    )
    short = [rule for rule in outcome.rules if rule.missing]
    horizon = day + datetime.timedelta(days=warning_days)
    default_due = day + datetime.timedelta(days=NEW_GOAL_DAYS)
    if programme.renewal_date and day < programme.renewal_date < default_due:
        default_due = programme.renewal_date
    if not short:
        return ProgrammePlan(programme=programme, outcome=outcome, proposals=())
    staying = dict(
        Technician.objects.available_on(horizon).order_by("name", "pk").values_list("pk", "name")
    )
    certification_ids = {rule.certification_id for rule in short if rule.certification_id}
    certifications = {
        certification.pk: certification
        for certification in Certification.objects.filter(
            pk__in=certification_ids
        ).prefetch_related("skills")
    }
    expiring = defaultdict(dict)  # certification id -> {technician id: expires on}
    for technician_id, certification_id, expires_on in TechnicianCertification.objects.filter(
        certification_id__in=certification_ids,
        technician_id__in=list(staying),
        expires_on__gte=day,
        expires_on__lt=horizon,
    ).values_list("technician_id", "certification_id", "expires_on"):
        expiring[certification_id][technician_id] = expires_on
    related_skills = {
        skill.pk
        for certification in certifications.values()
        for skill in certification.skills.all()
    }
    skill_ids = {rule.skill_id for rule in short if rule.skill_id} | related_skills
    levels = defaultdict(dict)  # skill id -> {technician id: level}
    for technician_id, skill_id, level in TechnicianSkill.objects.filter(
        skill_id__in=skill_ids, technician_id__in=list(staying)
    ).values_list("technician_id", "skill_id", "level"):
        levels[skill_id][technician_id] = level
    planned = set()  # the open goals' targets, as the rules' targets read
    for technician_id, certification_id, skill_id, target_level in TrainingGoal.objects.filter(
        status__in=TrainingGoal.OPEN_STATUSES, technician_id__in=list(staying)
    ).values_list("technician_id", "certification_id", "skill_id", "target_level"):
        if certification_id is not None:
            planned.add(("certification", certification_id, technician_id))
        if skill_id is not None:
            for level in range(1, (target_level or 0) + 1):
                planned.add(("skill", skill_id, level, technician_id))
    skill_names = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "name"))
    label = str(programme)
    position = {pk: index for index, pk in enumerate(staying)}
    proposals = []
    for rule in short:
        qualified_ids = {pk for pk, _ in rule.qualified}
        if rule.certification_id:
            target = ("certification", rule.certification_id)
            renewals = sorted(expiring[rule.certification_id].items(), key=lambda item: item[1])
            candidates = [
                (pk, expires_on, f"renews before it lapses on {day_text(expires_on + ONE_DAY)}")
                for pk, expires_on in renewals
            ]
            own_skills = [skill.pk for skill in certifications[rule.certification_id].skills.all()]
            closeness = {
                pk: max((levels[skill_id].get(pk, 0) for skill_id in own_skills), default=0)
                for pk in staying
            }
        else:
            target = ("skill", rule.skill_id, rule.min_level)
            candidates = []
            closeness = {pk: levels[rule.skill_id].get(pk, 0) for pk in staying}
        newcomers = sorted(
            (pk for pk in staying if pk not in qualified_ids),
            key=lambda pk: (-closeness[pk], position[pk]),
        )
        candidates += [(pk, default_due, _closeness_words(rule, closeness[pk])) for pk in newcomers]
        # Open goals on the target already fill part of the shortfall.
        already = sum(1 for item in candidates if (*target, item[0]) in planned)
        candidates = [item for item in candidates if (*target, item[0]) not in planned]
        for technician_id, due_date, why in candidates[: max(rule.missing - already, 0)]:
            proposals.append(
                GoalProposal(
                    key=f"{rule.rule_id}-{technician_id}",
                    rule_id=rule.rule_id,
                    rule_text=rule.text,
                    technician_id=technician_id,
                    technician_name=staying[technician_id],
                    certification_id=rule.certification_id,
                    certification_name=(
                        certifications[rule.certification_id].name if rule.certification_id else ""
                    ),
                    skill_id=rule.skill_id,
                    skill_name=skill_names.get(rule.skill_id, ""),
                    target_level=rule.min_level,
                    due_date=max(due_date, day + ONE_DAY),
                    why=why,
                    reason=f"Keeps {label}: {rule.text}"[:255],
                )
            )
    return ProgrammePlan(programme=programme, outcome=outcome, proposals=tuple(proposals))


def _closeness_words(rule: RuleOutcome, level: int) -> str:
    if not level:
        return "new to it"
    if rule.certification_id:
        return f"knows its skills at level {level}"
    return f"level {level} now"
