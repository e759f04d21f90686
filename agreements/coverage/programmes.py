"""Partner programmes in a coverage check (DESIGN "Technicians keep their own skills"): for each
programme, whether the team meets every rule of its tier on the check's day.

A rule counts the technicians available on the day (as coverage does) who hold its certification
(valid on the day) or have its skill at its level or above. As in the engine, each one counts up
to a *last day*: their last working day or, for a certification, its expiry, whichever is first.
A rule is not met when fewer than its minimum count on the day; at risk when the count drops
below the minimum within the warning window W, the day after the minimum-th latest last day;
met otherwise. A programme is as bad as its worst rule. Five queries whatever the number of
programmes, rules and technicians.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from agreements.coverage.models import ProgrammeStatus
from core.formatting import day_text, join_names, some_names
from skills.models import (
    PartnerProgram,
    PartnerRule,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)

NO_END = datetime.date.max
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: int
    text: str  # "2 technicians certified MS-102"
    needed: int
    has: int  # qualified on the day
    lasting: int  # still qualified at the end of the window
    status: str
    lapses_on: datetime.date | None
    sentence: str  # "needs 2 technicians certified MS-102; has 2, Jade Okafor's lapses 12 Jan 2027"
    qualified: tuple[tuple[int, str], ...] = ()  # (technician id, name), by name
    certification_id: int | None = None
    skill_id: int | None = None
    min_level: int | None = None

    @property
    def missing(self) -> int:
        """People to train (or renew) to keep the rule met through the window."""
        return max(self.needed - self.lasting, 0)

    def as_json(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "text": self.text,
            "needed": self.needed,
            "has": self.has,
            "lasting": self.lasting,
            "status": self.status,
            "lapses_on": self.lapses_on,
            "qualified": [list(person) for person in self.qualified],
            "certification_id": self.certification_id,
            "skill_id": self.skill_id,
            "min_level": self.min_level,
        }


@dataclass(frozen=True)
class ProgrammeOutcome:
    programme_id: int
    label: str
    status: str
    reason: str
    lapses_on: datetime.date | None
    benefit: Decimal
    renewal_date: datetime.date | None
    rules: tuple[RuleOutcome, ...] = field(default=())

    @property
    def at_stake(self) -> bool:
        return self.status != ProgrammeStatus.MET

    @property
    def status_label(self) -> str:
        return ProgrammeStatus(self.status).label

    @property
    def status_color(self) -> str:
        return ProgrammeStatus(self.status).color


def programme_outcomes(*, day: datetime.date, warning_days: int) -> list[ProgrammeOutcome]:
    """Every partner programme as the team stands on `day`, by name."""
    horizon = day + datetime.timedelta(days=warning_days)
    programmes = list(PartnerProgram.objects.order_by("vendor", "tier"))
    rules = defaultdict(list)
    for rule in PartnerRule.objects.select_related("certification", "skill").order_by("pk"):
        rules[rule.program_id].append(rule)
    every_rule = [rule for programme_rules in rules.values() for rule in programme_rules]
    team = {
        pk: (name, available_until or NO_END)
        for pk, name, available_until in Technician.objects.available_on(day)
        .order_by("name", "pk")
        .values_list("pk", "name", "available_until")
    }
    position = {pk: index for index, pk in enumerate(team)}
    certified = defaultdict(dict)  # certification id -> {technician id: expires on}
    certification_ids = {rule.certification_id for rule in every_rule if rule.certification_id}
    if certification_ids:
        for technician_id, certification_id, expires_on in (
            TechnicianCertification.objects.valid_on(day)
            .filter(certification_id__in=certification_ids, technician_id__in=list(team))
            .values_list("technician_id", "certification_id", "expires_on")
        ):
            certified[certification_id][technician_id] = expires_on or NO_END
    levels = defaultdict(dict)  # skill id -> {technician id: level}
    skill_ids = {rule.skill_id for rule in every_rule if rule.skill_id}
    if skill_ids:
        for technician_id, skill_id, level in TechnicianSkill.objects.filter(
            skill_id__in=skill_ids, technician_id__in=list(team)
        ).values_list("technician_id", "skill_id", "level"):
            levels[skill_id][technician_id] = level

    def holders(rule: PartnerRule) -> dict[int, tuple[datetime.date, bool]]:
        """{technician id: (last qualified day, whether the certification ends it)}."""
        found = {}
        if rule.certification_id:
            for technician_id, expires_on in certified[rule.certification_id].items():
                last_working_day = team[technician_id][1]
                found[technician_id] = (
                    min(expires_on, last_working_day),
                    expires_on < last_working_day,
                )
        else:
            for technician_id, level in levels[rule.skill_id].items():
                if level >= rule.min_level:
                    found[technician_id] = (team[technician_id][1], False)
        return found

    def rule_outcome(rule: PartnerRule) -> RuleOutcome:
        qualified = holders(rule)
        ids = sorted(qualified, key=position.__getitem__)
        names = [team[pk][0] for pk in ids]
        has, needed = len(ids), rule.min_technicians
        lasting = sum(1 for last, _ in qualified.values() if last >= horizon)
        needs = f"needs {rule.requirement_text}; has {has}"
        lapses_on = None
        if has < needed:
            status = ProgrammeStatus.NOT_MET
            sentence = f"{needs} ({some_names(names)})" if names else needs
        else:
            last_day = sorted((last for last, _ in qualified.values()), reverse=True)[needed - 1]
            if last_day < horizon:
                status, lapses_on = ProgrammeStatus.AT_RISK, last_day + ONE_DAY
                causes = []
                for pk in ids:
                    last, by_expiry = qualified[pk]
                    if last != last_day:
                        continue
                    if by_expiry:
                        causes.append(f"{team[pk][0]}'s lapses {day_text(lapses_on)}")
                    else:
                        causes.append(f"{team[pk][0]}'s last day is {day_text(last)}")
                sentence = f"{needs}, {join_names(causes)}"
            else:
                status, sentence = ProgrammeStatus.MET, needs
        return RuleOutcome(
            rule_id=rule.pk,
            text=rule.requirement_text,
            needed=needed,
            has=has,
            lasting=lasting,
            status=status,
            lapses_on=lapses_on,
            sentence=sentence,
            qualified=tuple(zip(ids, names, strict=True)),
            certification_id=rule.certification_id,
            skill_id=rule.skill_id,
            min_level=rule.min_level,
        )

    outcomes = []
    for programme in programmes:
        checked = tuple(rule_outcome(rule) for rule in rules[programme.pk])
        status = ProgrammeStatus.worst(rule.status for rule in checked)
        label = str(programme)
        shown = [rule for rule in checked if rule.status == status] if checked else []
        reason = f"{label}: {_sentences(shown)}" if shown else f"{label}: no rules recorded"
        lapses = [rule.lapses_on for rule in checked if rule.lapses_on is not None]
        outcomes.append(
            ProgrammeOutcome(
                programme_id=programme.pk,
                label=label,
                status=status.value,
                reason=reason,
                lapses_on=min(lapses) if lapses else None,
                benefit=programme.yearly_benefit,
                renewal_date=programme.renewal_date,
                rules=checked,
            )
        )
    return outcomes


def _sentences(rules) -> str:
    """The rules' sentences after the programme's name, each one after the first capitalised."""
    sentences = [rules[0].sentence] + [
        rule.sentence[:1].upper() + rule.sentence[1:] for rule in rules[1:]
    ]
    return ". ".join(sentences)
