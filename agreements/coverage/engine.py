"""The coverage engine: which active agreements can the team deliver on a given day?

Implements DESIGN "Coverage rules" set-based: a fixed number of queries per evaluation,
whatever the number of agreements, requirements or technicians. Eight queries read agreements,
requirements, technicians, technician skills, technician certifications, skills, versions and
certifications as plain tuples; the matching happens in Python with dicts keyed by skill and by
certification, and requirements that ask for the same thing share one computation.

Qualification only changes over time in one direction: a technician stops being available the day
`available_until` is reached, and a certification stops counting the day after `expires_on`. So
each technician qualified on D has a *last qualified day* (the earlier of `available_until - 1` and
the certification's `expires_on`, or none), and the count of qualified technicians on any later day
is the number of last days on or after it. Hence:

- `lasting_count` (|L|) counts the last days on or after D + W;
- `lapses_on` is the day after the min_technicians-th latest last day, when that falls inside
  (D, D + W]: the first date the count drops below min_technicians.

When fewer than min_technicians qualify already on D (a single point of failure), the count never
*drops* below the minimum inside the window, it starts there: `lapses_on` is None and the reason
names who qualifies, e.g. "Only Dana Ortiz qualifies (2 needed)". When the count is fine on D and
drops inside the window, `lapses_on` is that date and the reason says why, e.g. "Coverage lapses on
2027-01-15 when Dana Ortiz's CCNA expires" or "... when Dana Ortiz leaves".

`agreement_ids` narrows the evaluation to those agreements among the ones active on the day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from agreements.models import Agreement, CoverageStatus, Requirement, requirement_label
from skills.models import (
    Certification,
    Skill,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    rank_in_range,
    version_range_text,
)

ONE_DAY = datetime.timedelta(days=1)
NO_END = datetime.date.max


@dataclass(frozen=True, slots=True)
class Candidate:
    """A technician close to qualifying: right skill, but level too low or version out of range."""

    technician_id: int
    name: str
    level: int
    version_range: str
    gap: str  # e.g. "level 2 of 3 needed", "knows 2019 – 2022, client runs 2016"


@dataclass(frozen=True, slots=True)
class RequirementCoverage:
    requirement_id: int
    agreement_id: int
    label: str  # "Exchange 2016 at level 3+", "CCNA", "Cisco IOS at level 3+ and CCNA"
    skill_id: int | None
    certification_id: int | None
    min_technicians: int
    status: str  # CoverageStatus value: covered / at_risk / uncovered
    qualified_ids: tuple[int, ...]  # qualified on the day, by name
    qualified_names: tuple[str, ...]
    lasting_count: int  # |L|: still qualified on day + W
    lapses_on: datetime.date | None
    reason: str  # "" when covered
    candidates: tuple[Candidate, ...] = ()  # filled for uncovered requirements

    @property
    def qualified_count(self):
        return len(self.qualified_ids)


@dataclass(frozen=True, slots=True)
class AgreementCoverage:
    agreement_id: int
    reference: str
    title: str
    client_id: int
    client_name: str
    annual_value: Decimal
    status: str  # CoverageStatus value, incl. not_assessed
    requirements: tuple[RequirementCoverage, ...]


@dataclass
class CoverageResult:
    day: datetime.date
    warning_days: int
    agreements: list[AgreementCoverage]
    arr_total: Decimal
    arr_uncovered: Decimal
    arr_at_risk: Decimal
    revenue_dependence: dict[int, Decimal]  # skill id -> ARR of active agreements requiring it
    counts: dict[str, int] = field(default_factory=dict)  # CoverageStatus value -> agreements

    @property
    def requirements(self):
        return [r for a in self.agreements for r in a.requirements]


def evaluate_coverage(
    *,
    day: datetime.date,
    agreement_ids=None,
    exclude_technician_ids=(),
    warning_days: int | None = None,
) -> CoverageResult:
    """Evaluate every agreement active on `day` (or only `agreement_ids`).

    `exclude_technician_ids` treats those technicians as gone (the what-if). Reads only: it does
    not sync derived requirements or touch flags; callers do that first.
    """
    if warning_days is None:
        warning_days = settings.COVERAGE_WARNING_DAYS
    agreements = Agreement.objects.active_on(day)
    if agreement_ids is not None:
        agreements = agreements.filter(id__in=_as_lookup_values(agreement_ids))
    technicians = Technician.objects.available_on(day).exclude(
        id__in=_as_lookup_values(exclude_technician_ids)
    )

    agreement_rows = list(
        agreements.order_by("client__name", "reference").values_list(
            "id", "reference", "title", "client_id", "client__name", "annual_value"
        )
    )
    requirements_by_agreement = defaultdict(list)
    # Fetched whole, not with .iterator(): PostgreSQL plans a server-side cursor for its first
    # rows, and on freshly loaded tables that plan ran a hundred times slower.
    for row in (
        Requirement.objects.filter(agreement__in=agreements.values("id"))
        .order_by()
        .values_list(
            "id",
            "agreement_id",
            "skill_id",
            "version_id",
            "min_level",
            "certification_id",
            "min_technicians",
        )
    ):
        requirements_by_agreement[row[1]].append(row)

    available_ids = technicians.values("id")
    technician_skills = (
        TechnicianSkill.objects.filter(technician__in=available_ids)
        .order_by()
        .values_list("technician_id", "skill_id", "level", "oldest_version_id", "newest_version_id")
    )
    technician_certifications = (
        TechnicianCertification.objects.valid_on(day)
        .filter(technician__in=available_ids)
        .order_by()
        .values_list("technician_id", "certification_id", "expires_on")
    )
    matcher = _Matcher(
        horizon=day + datetime.timedelta(days=warning_days),
        technicians=technicians.order_by().values_list("id", "name", "available_until"),
        technician_skills=technician_skills,
        technician_certifications=technician_certifications,
        skills=Skill.objects.order_by().values_list("id", "name"),
        versions=SkillVersion.objects.order_by().values_list("id", "label", "rank"),
        certifications=Certification.objects.order_by().values_list("id", "name"),
    )

    results = []
    counts = dict.fromkeys(CoverageStatus.values, 0)
    zero = Decimal("0")
    arr_total = arr_uncovered = arr_at_risk = zero
    revenue_dependence = defaultdict(lambda: zero)
    for agreement_id, reference, title, client_id, client_name, annual_value in agreement_rows:
        rows = requirements_by_agreement.get(agreement_id, ())
        coverages = tuple(
            matcher.requirement_coverage(row) for row in sorted(rows, key=matcher.sort_key)
        )
        worst = CoverageStatus.worst(c.status for c in coverages)
        status = worst.value if worst is not None else CoverageStatus.NOT_ASSESSED.value
        counts[status] += 1
        arr_total += annual_value
        if status == CoverageStatus.UNCOVERED:
            arr_uncovered += annual_value
        elif status == CoverageStatus.AT_RISK:
            arr_at_risk += annual_value
        for skill_id in {row[2] for row in rows if row[2] is not None}:
            revenue_dependence[skill_id] += annual_value
        results.append(
            AgreementCoverage(
                agreement_id=agreement_id,
                reference=reference,
                title=title,
                client_id=client_id,
                client_name=client_name,
                annual_value=annual_value,
                status=status,
                requirements=coverages,
            )
        )
    return CoverageResult(
        day=day,
        warning_days=warning_days,
        agreements=results,
        arr_total=arr_total,
        arr_uncovered=arr_uncovered,
        arr_at_risk=arr_at_risk,
        revenue_dependence=dict(revenue_dependence),
        counts=counts,
    )


def _as_lookup_values(ids):
    """A queryset stays a subquery (no extra query); any other iterable becomes a list."""
    return ids if isinstance(ids, QuerySet) else list(ids)


def join_names(names):
    """Names as a phrase: Ann / Ann and Bob / Ann, Bob and Cy."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class _Matcher:
    """Answers "who qualifies for this requirement" from in-memory lookups, with memoisation.

    Requirements asking for the same (skill, version, level, certification) share the qualified
    set; those that also share min_technicians share the whole outcome.
    """

    def __init__(
        self,
        *,
        horizon,
        technicians,
        technician_skills,
        technician_certifications,
        skills,
        versions,
        certifications,
    ):
        self.horizon = horizon
        self.skill_names = dict(skills)
        self.versions = {pk: (label, rank) for pk, label, rank in versions}
        self.certification_names = dict(certifications)

        # Technician id -> (name, last available day); the sort position follows the name.
        self.technicians = {}
        for pk, name, available_until in sorted(technicians, key=lambda t: (t[1], t[0])):
            last_day = NO_END if available_until is None else available_until - ONE_DAY
            self.technicians[pk] = (name, last_day)
        self.position = {pk: index for index, pk in enumerate(self.technicians)}

        self.skill_holders = defaultdict(list)
        for technician_id, skill_id, level, oldest_id, newest_id in technician_skills:
            if technician_id in self.technicians:
                oldest = self.versions.get(oldest_id)
                newest = self.versions.get(newest_id)
                self.skill_holders[skill_id].append((technician_id, level, oldest, newest))
        for holders in self.skill_holders.values():
            holders.sort(key=lambda holder: self.position[holder[0]])

        self.certificate_holders = defaultdict(dict)
        for technician_id, certification_id, expires_on in technician_certifications:
            if technician_id in self.technicians:
                self.certificate_holders[certification_id][technician_id] = expires_on or NO_END

        self._qualified = {}
        self._outcomes = {}
        self._labels = {}

    def sort_key(self, row):
        """Requirements of an agreement in the model's order: skill name, version rank, cert."""
        pk, _, skill_id, version_id, _, certification_id, _ = row
        return (
            skill_id is None,
            self.skill_names.get(skill_id, ""),
            self.versions[version_id][1] if version_id else -1,
            self.certification_names.get(certification_id, ""),
            pk,
        )

    def requirement_coverage(self, row):
        pk, agreement_id, skill_id, version_id, min_level, certification_id, needed = row
        wanted = (skill_id, version_id, min_level, certification_id)
        outcome = self._outcomes.get((wanted, needed))
        if outcome is None:
            outcome = self._outcomes[(wanted, needed)] = self._outcome(wanted, needed)
        status, ids, names, lasting, lapses_on, reason, candidates = outcome
        return RequirementCoverage(
            requirement_id=pk,
            agreement_id=agreement_id,
            label=self._label(wanted),
            skill_id=skill_id,
            certification_id=certification_id,
            min_technicians=needed,
            status=status,
            qualified_ids=ids,
            qualified_names=names,
            lasting_count=lasting,
            lapses_on=lapses_on,
            reason=reason,
            candidates=candidates,
        )

    # ----------------------------------------------------------------------------- matching

    def _covers(self, version_rank, oldest, newest):
        return rank_in_range(
            version_rank, oldest[1] if oldest else None, newest[1] if newest else None
        )

    def qualified(self, wanted):
        """[(technician id, last qualified day, what ends it)] in name order, for `wanted`."""
        found = self._qualified.get(wanted)
        if found is not None:
            return found
        skill_id, version_id, min_level, certification_id = wanted
        if skill_id is not None:
            version_rank = self.versions[version_id][1] if version_id else None
            technician_ids = [
                technician_id
                for technician_id, level, oldest, newest in self.skill_holders.get(skill_id, ())
                if level >= min_level
                and (version_rank is None or self._covers(version_rank, oldest, newest))
            ]
        else:
            technician_ids = sorted(
                self.certificate_holders.get(certification_id, ()), key=self.position.__getitem__
            )
        holders = self.certificate_holders.get(certification_id, {})
        found = []
        for technician_id in technician_ids:
            last_day, ends_by = self.technicians[technician_id][1], "leaves"
            if certification_id is not None:
                if technician_id not in holders:
                    continue
                if holders[technician_id] < last_day:
                    last_day, ends_by = holders[technician_id], "expires"
            found.append((technician_id, last_day, ends_by))
        self._qualified[wanted] = found
        return found

    def _outcome(self, wanted, needed):
        qualified = self.qualified(wanted)
        ids = tuple(technician_id for technician_id, _, _ in qualified)
        names = tuple(self.technicians[technician_id][0] for technician_id in ids)
        lasting = sum(1 for _, last_day, _ in qualified if last_day >= self.horizon)
        if not qualified:
            return (
                CoverageStatus.UNCOVERED.value,
                ids,
                names,
                lasting,
                None,
                self._nobody_reason(wanted),
                self._candidates(wanted),
            )
        if len(qualified) < needed:
            verb = "qualifies" if len(names) == 1 else "qualify"
            reason = f"Only {join_names(names)} {verb} ({needed} needed)"
            return CoverageStatus.AT_RISK.value, ids, names, lasting, None, reason, ()
        if lasting >= needed:
            return CoverageStatus.COVERED.value, ids, names, lasting, None, "", ()
        # The count falls below `needed` the day after the needed-th latest last day.
        last_day = sorted((last for _, last, _ in qualified), reverse=True)[needed - 1]
        lapses_on = last_day + ONE_DAY
        certification_name = self.certification_names.get(wanted[3], "")
        causes = [
            f"{self.technicians[technician_id][0]} leaves"
            if ends_by == "leaves"
            else f"{self.technicians[technician_id][0]}'s {certification_name} expires"
            for technician_id, last, ends_by in qualified
            if last == last_day
        ]
        reason = f"Coverage lapses on {lapses_on.isoformat()} when {join_names(causes)}"
        return CoverageStatus.AT_RISK.value, ids, names, lasting, lapses_on, reason, ()

    def _candidates(self, wanted):
        """Available technicians with the skill who miss the level, the version or the cert."""
        skill_id, version_id, min_level, certification_id = wanted
        if skill_id is None:
            return ()
        version = self.versions[version_id] if version_id else None
        holders = self.certificate_holders.get(certification_id, {})
        candidates = []
        for technician_id, level, oldest, newest in self.skill_holders.get(skill_id, ()):
            version_range = _version_range(oldest, newest)
            gaps = []
            if level < min_level:
                gaps.append(f"level {level} of {min_level} needed")
            if version is not None and not self._covers(version[1], oldest, newest):
                gaps.append(f"knows {version_range}, client runs {version[0]}")
            if certification_id is not None and technician_id not in holders:
                gaps.append(f"does not hold {self.certification_names[certification_id]}")
            candidates.append(
                Candidate(
                    technician_id=technician_id,
                    name=self.technicians[technician_id][0],
                    level=level,
                    version_range=version_range,
                    gap="; ".join(gaps),
                )
            )
        # Holders are in name order already; a stable sort keeps it within a level.
        candidates.sort(key=lambda candidate: -candidate.level)
        return tuple(candidates)

    # ------------------------------------------------------------------------------- wording

    def _skill_text(self, wanted):
        skill_id, version_id, min_level, _ = wanted
        version = f" {self.versions[version_id][0]}" if version_id else ""
        return f"{self.skill_names[skill_id]}{version}", min_level

    def _label(self, wanted):
        label = self._labels.get(wanted)
        if label is None:
            skill_id, version_id, min_level, certification_id = wanted
            label = self._labels[wanted] = requirement_label(
                skill_name=self.skill_names[skill_id] if skill_id is not None else None,
                version_label=self.versions[version_id][0] if version_id else None,
                min_level=min_level,
                certification_name=(
                    self.certification_names[certification_id]
                    if certification_id is not None
                    else None
                ),
            )
        return label

    def _nobody_reason(self, wanted):
        parts = []
        if wanted[0] is not None:
            skill, min_level = self._skill_text(wanted)
            parts.append(f"has {skill} at level {min_level} or above")
        if wanted[3] is not None:
            parts.append(f"holds {self.certification_names[wanted[3]]}")
        return f"No active technician {' and '.join(parts)}"


def _version_range(oldest, newest):
    return version_range_text(oldest[0] if oldest else None, newest[0] if newest else None)


__all__ = [
    "AgreementCoverage",
    "Candidate",
    "CoverageResult",
    "CoverageStatus",
    "RequirementCoverage",
    "evaluate_coverage",
]
