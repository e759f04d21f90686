"""The coverage engine: which active agreements can the team deliver on a given day?

Implements DESIGN "Coverage rules" and "Coverage through the support window" set-based: a fixed
number of queries per evaluation, whatever the number of agreements, requirements or
technicians. Eight queries read agreements, requirements (with their agreement's support hours
and client's time zone), technicians (with their zone), technician skills, technician
certifications, skills, versions and certifications as plain tuples; six more read the team's
time (team_time.TeamTime: working hours, time off, rotas, members, rota hours, overrides).
The matching happens in Python with dicts keyed by skill and by certification, and requirements
that ask for the same thing share one computation.

Qualification only changes over time in one direction: a technician counts up to and including
`available_until` (their last working day), and a certification up to and including `expires_on`.
So each technician qualified on D has a *last qualified day* (the earlier of `available_until` and
the certification's `expires_on`, or none), and the count of qualified technicians on any later day
is the number of last days on or after it. Hence:

- `lasting_count` (|L|) counts the last days on or after D + W;
- the head count lapses the day after the min_technicians-th latest last day, when that falls
  inside (D, D + W]: the first date the count drops below min_technicians.

The support window (team_time.py) then decides, per requirement, with Q its qualified set:
1. |Q| = 0: uncovered ("No active technician has …");
2. a slot of the window in the client's days D … D+6 where no one of Q is at work or on call:
   uncovered, the reason naming the first gap and the hours of the week uncovered;
3. a slot of the window in D … D+W−1 where no one of Q is present (time off, last working
   days) and certified: at risk, lapsing on that slot's local date (the client's);
4. otherwise the head count: covered when |L| ≥ min_technicians, else at risk.
The kind of at risk is *thin* when fewer than min_technicians qualify on D, *lapsing* otherwise
(`RiskKind`); an at-risk agreement is thin when any of its requirements is. A thin requirement
names who qualifies ("Only Dana Ortiz qualifies (2 needed)"), and gets a `lapses_on` only from a
dated gap (rule 3), whose sentence follows. When a dated gap and a head-count lapse both apply,
`lapses_on` is the earlier date and the reason names that cause first ("Coverage lapses on 16
Jan 2027: Dana Ortiz's CCNA expires on 15 Jan 2027"); a gap caused by the same last day or
expiry on or after the head count's date adds nothing to the reason (its gap is still
recorded). Every non-covered requirement carries its first gap (start, end, GapCause) and the
hours a week uncovered; a head-count-only at risk has none.

Speed. Evaluating means, per distinct (skill, version, level, certification, min_technicians,
support hours, client zone): the counts, the status, and for a requirement that is not covered
its lapse date, first gap and reason. The support window is decided per distinct (skill,
version, level, certification, support hours, client zone), from bitmaps built once per
technician; a team without hours, time off or rotas in the client's zone skips them when someone
lasts past the window (TeamTime.always_covered). The agreements' statuses, the counts per status,
ARR and revenue dependence come from those memoised outcomes. The per-requirement result objects
(`AgreementCoverage.requirements`), the qualified technicians of covered requirements and the
nearest candidates are built only when read, once: at 150,000 requirements, building them all
costs more than the evaluation itself.

`agreement_ids` narrows the evaluation to those agreements among the ones active on the day; as
a list, the team's time is read for the technicians who hold what those agreements need.
`hypothetical` requirements (a version a client moves to) are judged in 8x5 in the firm's zone
unless asked otherwise; an agreement's own hypotheticals take its support hours and zone.
"""

import datetime
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from agreements.coverage.models import CoverageStatus, GapCause, RiskKind
from agreements.coverage.team_time import (
    NO_FINDING,
    Finding,
    QualifiedTime,
    SlotAxis,
    TeamTime,
    Wording,
    finding,
)
from agreements.models import Agreement, Requirement, requirement_label
from core.formatting import day_text, join_names
from core.selectors import coverage_defaults
from core.time_zones import default_time_zone
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
ZERO_HOURS = Decimal("0")
BUSINESS_HOURS = Agreement.SupportHours.BUSINESS.value
SAME_AS_HEAD_COUNT = frozenset((GapCause.LAST_DAY.value, GapCause.CERTIFICATION_EXPIRY.value))

COVERED = CoverageStatus.COVERED.value
AT_RISK = CoverageStatus.AT_RISK.value
UNCOVERED = CoverageStatus.UNCOVERED.value
NOT_ASSESSED = CoverageStatus.NOT_ASSESSED.value
STATUS_OF_SEVERITY = {CoverageStatus.severity_of(value): value for value in CoverageStatus.values}
THIN = RiskKind.THIN.value
LAPSING = RiskKind.LAPSING.value


# Result classes are plain (not frozen) slotted dataclasses: a frozen dataclass sets each field
# through object.__setattr__, which made building 150,000 results ten times slower. They are
# still hashable (unsafe_hash) and meant to be read, not changed.


@dataclass(slots=True, unsafe_hash=True)
class Candidate:
    """A technician close to qualifying: right skill, but level too low or version out of range."""

    technician_id: int
    name: str
    level: int
    version_range: str
    gap: str  # e.g. "level 2 of 3 needed", "knows 2019 – 2022, client runs 2016"


@dataclass(slots=True, unsafe_hash=True)
class RequirementCoverage:
    requirement_id: int | None  # None for a hypothetical requirement (CoverageResult.hypothetical)
    agreement_id: int | None
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
    risk_kind: str  # RiskKind value when at risk (thin or lapsing), else ""
    candidates: tuple[Candidate, ...] = ()  # filled for uncovered and at-risk requirements
    # The first gap in the support window (None for covered and head-count-only at risk), its
    # GapCause value, and the hours of a week of the window nobody qualified covers.
    gap_starts_at: datetime.datetime | None = None
    gap_ends_at: datetime.datetime | None = None
    gap_cause: str = ""
    uncovered_hours: Decimal = Decimal("0")

    @property
    def qualified_count(self):
        return len(self.qualified_ids)

    @property
    def shortfall(self) -> str:
        """Who is short for a requirement some qualify for, but fewer than needed, and who is
        nearest: "Tomás Rivera qualifies; 1 more needed. Nearest: Ana Diaz (level 2 of 3
        needed)." Empty when nobody qualifies or enough do."""
        count = self.qualified_count
        if not count or count >= self.min_technicians:
            return ""
        verb = "qualifies" if count == 1 else "qualify"
        more = self.min_technicians - count
        text = f"{join_names(self.qualified_names)} {verb}; {more} more needed."
        if self.candidates:
            nearest = ", ".join(
                f"{candidate.name} ({candidate.gap})" for candidate in self.candidates[:3]
            )
            return f"{text} Nearest: {nearest}."
        return f"{text} Nobody else is close: hire, or train someone from scratch."

    @property
    def risk_detail(self) -> str:
        """ "only 1 of 2 qualify", "covered through 15 Jan 2027"; "" unless at risk."""
        return RiskKind.detail(
            self.risk_kind,
            qualified_count=self.qualified_count,
            min_technicians=self.min_technicians,
            lapses_on=self.lapses_on,
        )


class AgreementCoverage:
    """One active agreement's coverage. Its `requirements` results, in the model's order, are
    built from the evaluation's memoised outcomes when first read (no query). `risk_kind` is
    thin when any of its at-risk requirements is thin, lapsing when none is, "" unless it is
    at risk."""

    __slots__ = (
        "agreement_id",
        "reference",
        "title",
        "client_id",
        "client_name",
        "annual_value",
        "status",
        "risk_kind",
        "_rows",
        "_matcher",
        "_requirements",
        "_non_covered",
    )

    def __init__(
        self,
        agreement_id,
        reference,
        title,
        client_id,
        client_name,
        annual_value,
        status,
        risk_kind,
        rows,
        matcher,
    ):
        self.agreement_id = agreement_id
        self.reference = reference
        self.title = title
        self.client_id = client_id
        self.client_name = client_name
        self.annual_value: Decimal = annual_value
        self.status: str = status  # CoverageStatus value, incl. not_assessed
        self.risk_kind: str = risk_kind
        self._rows = rows
        self._matcher = matcher
        self._requirements = None
        self._non_covered = None

    @property
    def requirements(self) -> tuple[RequirementCoverage, ...]:
        if self._requirements is None:
            self._requirements = self._matcher.requirement_coverages(self._rows)
        return self._requirements

    @property
    def non_covered_requirements(self) -> tuple[RequirementCoverage, ...]:
        """The results of the requirements the team does not cover, in the model's order,
        building none for the covered ones (most requirements of a flagged agreement): the
        memoised outcomes tell which they are."""
        if self._non_covered is None:
            if self._requirements is not None:
                self._non_covered = tuple(r for r in self._requirements if r.status != COVERED)
            else:
                outcome = self._matcher.outcome
                self._non_covered = self._matcher.requirement_coverages(
                    [row for row in self._rows if outcome(row[2:])[0] != COVERED]
                )
        return self._non_covered

    def version_needs(self):
        """(requirement, skill, version, min level, min technicians) of each requirement that
        names a version, without building result objects."""
        return [
            (row[1], row[2], row[3], row[4], row[6]) for row in self._rows if row[3] is not None
        ]

    def hypothetical(self, **requirement) -> RequirementCoverage:
        """CoverageResult.hypothetical, from the evaluation this agreement is part of, in this
        agreement's support hours and client zone."""
        if self._rows:
            requirement.setdefault("support_hours", self._rows[0][7])
            requirement.setdefault("zone", self._rows[0][8])
        return self._matcher.hypothetical(**requirement)

    def qualified_times(self, requirement_id=None) -> list[QualifiedTime]:
        """When the qualified technicians of each requirement (or only `requirement_id`) are
        scheduled and present: what the week grid counts."""
        return [
            self._matcher.qualified_time(row[2:6])
            for row in self._rows
            if requirement_id is None or row[1] == requirement_id
        ]

    @property
    def team_time(self) -> TeamTime:
        """The team's time the evaluation read (the week grid reuses it)."""
        return self._matcher.team_time

    def support_hours_and_zone(self) -> tuple[str, str]:
        """The agreement's support hours and client zone, as its requirements were judged in
        (an agreement without requirements has none: ("", ""))."""
        return tuple(self._rows[0][7:9]) if self._rows else ("", "")

    def requirement_counts(self) -> dict[int, tuple[int, int, int]]:
        """{requirement id: (severity of its status, |Q|, |L|)}, read from the evaluation's
        memoised outcomes: no result object is built."""
        outcome = self._matcher.outcome
        return {row[1]: outcome(row[2:])[1:4] for row in self._rows}

    def __repr__(self):
        return (
            f"<AgreementCoverage {self.agreement_id} {self.reference} {self.status} "
            f"({len(self._rows)} requirements)>"
        )


@dataclass
class CoverageResult:
    day: datetime.date
    warning_days: int
    agreements: list[AgreementCoverage]
    arr_total: Decimal  # every agreement active on the day, not_assessed ones included
    arr_uncovered: Decimal
    arr_at_risk: Decimal  # arr_thin + arr_lapsing
    arr_thin: Decimal
    arr_lapsing: Decimal
    revenue_dependence: dict[int, Decimal]  # skill id -> ARR of active agreements requiring it
    counts: dict[str, int] = field(default_factory=dict)  # CoverageStatus value -> agreements
    risk_counts: dict[str, int] = field(default_factory=dict)  # RiskKind value -> agreements
    matcher: "_Matcher | None" = field(default=None, repr=False, compare=False)

    def hypothetical(self, **requirement) -> RequirementCoverage:
        """How the same team on the same day would meet a requirement no agreement has (yet),
        e.g. the version a client moves to when its own reaches end of support: the rules of a
        real one, without requirement or agreement ids. The version must have been read by the
        evaluation (a full evaluation reads them all; one of a few agreements, the versions of
        their skills). See _Matcher.hypothetical for the arguments."""
        return self.matcher.hypothetical(**requirement)

    @property
    def requirements(self) -> list[RequirementCoverage]:
        """Every requirement's result; builds them all (see `non_covered_requirements`)."""
        return [r for a in self.agreements for r in a.requirements]

    @property
    def non_covered_requirements(self) -> list[RequirementCoverage]:
        """The uncovered and at-risk requirements only, building no result for the requirements
        of covered agreements (most of them)."""
        return [
            r
            for a in self.agreements
            if a.status in (UNCOVERED, AT_RISK)
            for r in a.non_covered_requirements
        ]


def evaluate_coverage(
    *,
    day: datetime.date,
    agreement_ids=None,
    exclude_technician_ids=(),
    warning_days: int | None = None,
    as_if_active: bool = False,
) -> CoverageResult:
    """Evaluate every agreement active on `day` (or only `agreement_ids`).

    `exclude_technician_ids` treats those technicians as gone. `as_if_active` evaluates the
    listed `agreement_ids` whatever their status and dates (the pre-sale check of a draft).
    Reads only: it does not sync derived requirements or touch flags; callers do that first.
    Without `warning_days`, the window in force is read (core.selectors.coverage_defaults, one
    more query).
    """
    warning_days = coverage_defaults().warning_days if warning_days is None else warning_days
    inputs = _inputs_read(
        day=day,
        agreement_ids=agreement_ids,
        exclude_technician_ids=exclude_technician_ids,
        as_if_active=as_if_active,
    )
    matcher = _Matcher(
        horizon=day + datetime.timedelta(days=warning_days),
        team_time=inputs.team_time(day=day, warning_days=warning_days),
        **inputs.team(),
    )
    return _result(day=day, warning_days=warning_days, inputs=inputs, matcher=matcher)


def evaluate_coverage_without(
    *,
    day: datetime.date,
    technician_ids,
    agreement_ids=None,
    warning_days: int | None = None,
) -> tuple[CoverageResult, CoverageResult]:
    """(as things are, as they would be without `technician_ids`): the what-if's two sides,
    from one read of the data. A requirement that none of those technicians has the skill or
    the certification of has the same outcome on both sides, so the second side reuses it."""
    warning_days = coverage_defaults().warning_days if warning_days is None else warning_days
    gone = set(technician_ids)
    inputs = _inputs_read(day=day, agreement_ids=agreement_ids, exclude_technician_ids=())
    horizon = day + datetime.timedelta(days=warning_days)
    team_time = inputs.team_time(day=day, warning_days=warning_days)
    as_is = _Matcher(horizon=horizon, team_time=team_time, **inputs.team())
    without = _Matcher(
        horizon=horizon,
        team_time=team_time,
        **inputs.team(without=gone),
        same_as=as_is,
        touched_skills={row[1] for row in inputs.technician_skills if row[0] in gone},
        touched_certifications={
            row[1] for row in inputs.technician_certifications if row[0] in gone
        },
    )
    return tuple(
        _result(day=day, warning_days=warning_days, inputs=inputs, matcher=matcher)
        for matcher in (as_is, without)
    )


@dataclass
class _Inputs:
    """What an evaluation reads, as tuples: eight queries (and those of `team_time`)."""

    technicians: list  # (id, name, available_until, time zone) of those available on the day
    technician_skills: list  # (technician, skill, level, oldest version, newest version)
    technician_certifications: list  # (technician, certification, expires_on), valid on the day
    skills: list
    versions: list
    certifications: list
    # (agreement, requirement, skill, version, min level, certification, needed, support
    # hours, client zone): row[2:] is what decides the outcome, so requirements asking the same
    # share it.
    requirement_rows: list
    agreement_rows: list  # (id, reference, title, client, client name, annual value), in order
    narrowed: bool = False  # read for a list of agreements: the team's time is read for them

    def team_time(self, *, day, warning_days) -> TeamTime:
        """The team's time over the client days D … D + max(7, W) − 1, for the technicians who
        hold a skill or certification read."""
        holders = {row[0] for row in self.technician_skills}
        holders.update(row[0] for row in self.technician_certifications)
        return TeamTime(
            axis=SlotAxis(day=day, days=max(7, warning_days)),
            technicians=[row for row in self.technicians if row[0] in holders],
            technician_ids_filter=sorted(holders) if self.narrowed else None,
        )

    def team(self, *, without=frozenset()) -> dict:
        """The _Matcher's arguments, leaving out the technicians `without`."""
        return {
            "technicians": [row for row in self.technicians if row[0] not in without],
            "technician_skills": self.technician_skills,
            "technician_certifications": self.technician_certifications,
            "skills": self.skills,
            "versions": self.versions,
            "certifications": self.certifications,
        }


def _inputs_read(*, day, agreement_ids, exclude_technician_ids, as_if_active=False) -> _Inputs:
    """With `agreement_ids` a list (a few agreements, e.g. the agreement page's one), the
    skills, versions and certifications, and who holds them, are read for those agreements'
    requirements only: one agreement costs the same at any size. A queryset of agreement ids
    (the what-if's, often thousands) is only a filter: repeating it in every read costs more
    than it saves."""
    agreements = Agreement.objects.active_on(day)
    if as_if_active:
        if agreement_ids is None or isinstance(agreement_ids, QuerySet):
            raise ValueError("as_if_active evaluates a list of agreement ids")
        agreements = Agreement.objects.all()
    technicians = Technician.objects.available_on(day).exclude(
        id__in=_as_lookup_values(exclude_technician_ids)
    )
    requirements = Requirement.objects.filter(agreement__in=agreements.values("id"))
    technician_skills = TechnicianSkill.objects.filter(technician__in=technicians.values("id"))
    technician_certifications = TechnicianCertification.objects.valid_on(day).filter(
        technician__in=technicians.values("id")
    )
    skills, versions = Skill.objects.all(), SkillVersion.objects.all()
    certifications = Certification.objects.all()
    if agreement_ids is not None:
        agreements = agreements.filter(id__in=_as_lookup_values(agreement_ids))
        requirements = Requirement.objects.filter(agreement__in=agreements.values("id"))
    if agreement_ids is not None and not isinstance(agreement_ids, QuerySet):
        wanted_skills = requirements.order_by().values("skill_id")
        wanted_certifications = requirements.order_by().values("certification_id")
        technician_skills = technician_skills.filter(skill__in=wanted_skills)
        technician_certifications = technician_certifications.filter(
            certification__in=wanted_certifications
        )
        skills = skills.filter(id__in=wanted_skills)
        versions = versions.filter(skill__in=wanted_skills)
        certifications = certifications.filter(id__in=wanted_certifications)
    # Each agreement's support hours and client zone come with it (the client is joined for
    # its name already), and go onto its requirements' rows here: joining them to 150,000
    # requirements in SQL cost more than the whole evaluation of the support window.
    agreement_rows = list(
        agreements.order_by("client__name", "reference").values_list(
            "id",
            "reference",
            "title",
            "client_id",
            "client__name",
            "annual_value",
            "support_hours",
            "client__time_zone",
        )
    )
    place = {row[0]: row[6:] for row in agreement_rows}
    return _Inputs(
        technicians=list(
            technicians.order_by().values_list("id", "name", "available_until", "time_zone")
        ),
        technician_skills=_integer_rows(
            technician_skills.order_by().values_list(
                "technician_id", "skill_id", "level", "oldest_version_id", "newest_version_id"
            )
        ),
        technician_certifications=list(
            technician_certifications.order_by().values_list(
                "technician_id", "certification_id", "expires_on"
            )
        ),
        skills=list(skills.order_by().values_list("id", "name")),
        versions=list(versions.order_by().values_list("id", "label", "rank")),
        certifications=list(certifications.order_by().values_list("id", "name")),
        requirement_rows=[
            (*row, *place[row[0]])
            for row in _integer_rows(
                requirements.order_by().values_list(
                    "agreement_id",
                    "id",
                    "skill_id",
                    "version_id",
                    "min_level",
                    "certification_id",
                    "min_technicians",
                )
            )
        ],
        agreement_rows=[row[:6] for row in agreement_rows],
        narrowed=agreement_ids is not None and not isinstance(agreement_ids, QuerySet),
    )


def _result(*, day, warning_days, inputs: _Inputs, matcher) -> CoverageResult:
    rows_by_agreement = defaultdict(list)
    worst_by_agreement = {}
    thin_agreements = set()
    # (severity, is thin) per outcome key: what the agreements' statuses and kinds need.
    severities = {}
    for row in inputs.requirement_rows:
        agreement_id = row[0]
        rows_by_agreement[agreement_id].append(row)
        key = row[2:]
        found = severities.get(key)
        if found is None:
            outcome = matcher.outcome(key)
            found = severities[key] = (outcome[1], outcome[6] == THIN)
        severity, thin = found
        if severity > worst_by_agreement.get(agreement_id, -1):
            worst_by_agreement[agreement_id] = severity
        if thin:
            thin_agreements.add(agreement_id)

    results = []
    counts = dict.fromkeys(CoverageStatus.values, 0)
    risk_counts = dict.fromkeys(RiskKind.values, 0)
    zero = Decimal("0")
    arr_total = arr_uncovered = arr_thin = arr_lapsing = zero
    revenue_dependence = defaultdict(lambda: zero)
    for row in inputs.agreement_rows:
        agreement_id, annual_value = row[0], row[5]
        rows = rows_by_agreement.get(agreement_id, ())
        worst = worst_by_agreement.get(agreement_id)
        status = NOT_ASSESSED if worst is None else STATUS_OF_SEVERITY[worst]
        counts[status] += 1
        arr_total += annual_value
        risk_kind = ""
        if status == UNCOVERED:
            arr_uncovered += annual_value
        elif status == AT_RISK:
            if agreement_id in thin_agreements:
                risk_kind = THIN
                arr_thin += annual_value
            else:
                risk_kind = LAPSING
                arr_lapsing += annual_value
            risk_counts[risk_kind] += 1
        for skill_id in {row[2] for row in rows}:
            if skill_id is not None:
                revenue_dependence[skill_id] += annual_value
        results.append(AgreementCoverage(*row, status, risk_kind, rows, matcher))
    return CoverageResult(
        day=day,
        warning_days=warning_days,
        agreements=results,
        arr_total=arr_total,
        arr_uncovered=arr_uncovered,
        arr_at_risk=arr_thin + arr_lapsing,
        arr_thin=arr_thin,
        arr_lapsing=arr_lapsing,
        revenue_dependence=dict(revenue_dependence),
        counts=counts,
        risk_counts=risk_counts,
        matcher=matcher,
    )


def _integer_rows(queryset):
    """The rows of a values_list() queryset of integer columns, fetched in one go.

    Django fetches 100 rows at a time and passes each through its converters: at 150,000
    requirements that took three times as long as the query. Integer columns need no converter
    on any backend. Not with .iterator() either: PostgreSQL plans a server-side cursor for its
    first rows, and on freshly loaded tables that plan ran a hundred times slower.
    """
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # e.g. agreement_ids=[]: Django would not query either
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_lookup_values(ids):
    """A queryset stays a subquery (no extra query); any other iterable becomes a list."""
    return ids if isinstance(ids, QuerySet) else list(ids)


class _Matcher:
    """Answers "who qualifies for this requirement" from in-memory lookups, with memoisation.

    A *wanted* is (skill, version, min level, certification). Requirements with the same wanted
    share the qualified set; those that also share min_technicians share the whole outcome.

    For a skill, the holders who know a version (or any, without one) are kept once per
    (skill, version), sorted by level, highest first, with a running count of those lasting past
    the window: the qualified count at a level is then a binary search, and |L| a lookup.
    """

    def __init__(
        self,
        *,
        horizon,
        team_time,
        technicians,
        technician_skills,
        technician_certifications,
        skills,
        versions,
        certifications,
        same_as=None,
        touched_skills=(),
        touched_certifications=(),
    ):
        """`same_as`: a matcher of the same data with more technicians, whose outcome is
        reused for a requirement whose skill and certification are not in `touched_skills` and
        `touched_certifications` (held by none of the technicians left out here)."""
        self.horizon = horizon
        self.day = team_time.axis.day
        self.warning_days = (horizon - self.day).days
        self.team_time = team_time
        self.same_as = same_as
        self.touched_skills = frozenset(touched_skills)
        self.touched_certifications = frozenset(touched_certifications)
        self.skill_names = dict(skills)
        self.versions = {pk: (label, rank) for pk, label, rank in versions}
        self.certification_names = dict(certifications)

        # Technician id -> name and last working day; the sort position follows the name.
        self.names = {}
        self.last_days = {}
        for pk, name, available_until, _ in sorted(technicians, key=lambda t: (t[1], t[0])):
            self.names[pk] = name
            self.last_days[pk] = NO_END if available_until is None else available_until
        self.position = {pk: index for index, pk in enumerate(self.names)}

        # skill id -> [(technician id, level, oldest (label, rank) or None, newest …)] by name
        self.skill_holders = defaultdict(list)
        for technician_id, skill_id, level, oldest_id, newest_id in technician_skills:
            if technician_id in self.names:
                oldest, newest = self.versions.get(oldest_id), self.versions.get(newest_id)
                self.skill_holders[skill_id].append((technician_id, level, oldest, newest))
        for holders in self.skill_holders.values():
            holders.sort(key=lambda holder: self.position[holder[0]])

        # certification id -> {technician id: expires_on or NO_END}, valid on the day
        self.certificate_holders = defaultdict(dict)
        for technician_id, certification_id, expires_on in technician_certifications:
            if technician_id in self.names:
                self.certificate_holders[certification_id][technician_id] = expires_on or NO_END

        self._ladders = {}
        self._holders_by_level = {}
        self._qualified = {}
        self._outcomes = {}
        self._in_name_order = {}
        self._labels = {}
        self._candidates = {}
        self._details = {}
        self._version_ranges = {}
        self._qualified_times = {}
        self._findings = {}

    # ----------------------------------------------------------------------------- matching

    def _ladder(self, skill_id, version_id):
        """(-levels ascending, technician ids, lasting running count) of the holders of the skill
        who know the version, highest level first (by name within a level)."""
        key = (skill_id, version_id)
        ladder = self._ladders.get(key)
        if ladder is None:
            holders = self._by_level(skill_id)
            if version_id:
                rank = self.versions[version_id][1]
                holders = [
                    holder for holder in holders if rank_in_range(rank, holder[2], holder[3])
                ]
            ladder = self._ladders[key] = (
                [holder[0] for holder in holders],
                [holder[1] for holder in holders],
                list(accumulate((holder[4] for holder in holders), initial=0)),
            )
        return ladder

    def _by_level(self, skill_id):
        """The skill's holders as (-level, technician id, oldest rank, newest rank, lasts past
        the window), highest level first and by name within a level: sorted once per skill,
        each version's ladder keeps this order."""
        found = self._holders_by_level.get(skill_id)
        if found is None:
            last_days, horizon = self.last_days, self.horizon
            found = self._holders_by_level[skill_id] = sorted(
                (
                    (
                        -level,
                        technician_id,
                        None if oldest is None else oldest[1],
                        None if newest is None else newest[1],
                        last_days[technician_id] >= horizon,
                    )
                    for technician_id, level, oldest, newest in self.skill_holders.get(skill_id, ())
                ),
                key=lambda holder: holder[0],
            )
        return found

    def _qualified_of(self, wanted):
        """(|Q|, |L|, qualified technician ids in no particular order) for `wanted`."""
        found = self._qualified.get(wanted)
        if found is not None:
            return found
        skill_id, version_id, min_level, certification_id = wanted
        holders = self.certificate_holders.get(certification_id, {})
        if skill_id is None:
            ids = list(holders)
        else:
            negative_levels, ladder_ids, lasting = self._ladder(skill_id, version_id)
            count = bisect_right(negative_levels, -min_level)
            if certification_id is None:
                found = self._qualified[wanted] = (count, lasting[count], ladder_ids[:count])
                return found
            ids = [t for t in ladder_ids[:count] if t in holders]
        horizon = self.horizon
        lasting_count = sum(1 for t in ids if self.last_day(t, holders) >= horizon)
        found = self._qualified[wanted] = (len(ids), lasting_count, ids)
        return found

    def last_day(self, technician_id, certificate_holders):
        """The last day the technician qualifies: their last working day or, earlier, the day
        the certification (when one is asked for) expires."""
        last_day = self.last_days[technician_id]
        expires_on = certificate_holders.get(technician_id, NO_END)
        return expires_on if expires_on < last_day else last_day

    def qualified_in_name_order(self, wanted):
        """(ids, names) of the technicians qualified for `wanted` on the day, by name."""
        found = self._in_name_order.get(wanted)
        if found is None:
            ids = tuple(sorted(self._qualified_of(wanted)[2], key=self.position.__getitem__))
            found = self._in_name_order[wanted] = (ids, tuple(self.names[t] for t in ids))
        return found

    def outcome(self, key):
        """(status, severity, |Q|, |L|, lapses_on, reason, risk kind, first gap's start, its
        end, its cause, hours a week uncovered) for (*wanted, min_technicians, support hours,
        client zone); the kind is "" unless at risk."""
        outcome = self._outcomes.get(key)
        if outcome is None:
            if self.same_as is not None and not (
                key[0] in self.touched_skills or key[3] in self.touched_certifications
            ):
                outcome = self.same_as.outcome(key)
            else:
                outcome = self._outcome(key[:4], *key[4:])
            self._outcomes[key] = outcome
        return outcome

    def _outcome(self, wanted, needed, support_hours, zone):
        """Rules 1 to 4 of DESIGN "Coverage through the support window"."""
        count, lasting, _ = self._qualified_of(wanted)
        found = self.finding(wanted, support_hours, zone)
        risk_kind = ""
        dated = found.rule == 3
        if count == 0:
            status, lapses_on, reason = UNCOVERED, None, self._nobody_reason(wanted)
        elif found.rule == 2:
            status, lapses_on, reason = UNCOVERED, None, found.reason
        elif count < needed:
            _, names = self.qualified_in_name_order(wanted)
            verb = "qualifies" if count == 1 else "qualify"
            status, risk_kind = AT_RISK, THIN
            reason = f"Only {join_names(names)} {verb} ({needed} needed)"
            lapses_on = found.gap_day if dated else None
            if dated:
                reason = f"{reason}. {found.reason}"
        elif lasting >= needed and not dated:
            status, lapses_on, reason = COVERED, None, ""
        else:
            status, risk_kind = AT_RISK, LAPSING
            head_lapse = self._lapse(wanted, needed) if lasting < needed else None
            if head_lapse is None:
                lapses_on, reason = found.gap_day, found.reason
            elif not dated:
                lapses_on, reason = head_lapse
            elif found.gap.cause in SAME_AS_HEAD_COUNT and found.gap_day >= head_lapse[0]:
                # The gap follows from the departure or expiry the head count names already.
                lapses_on, reason = head_lapse
            elif found.gap_day <= head_lapse[0]:
                lapses_on, reason = found.gap_day, f"{found.reason} {head_lapse[1]}."
            else:
                lapses_on, reason = head_lapse[0], f"{head_lapse[1]}. {found.reason}"
        gap = found.gap if status == UNCOVERED or dated else None
        severity = CoverageStatus.severity_of(status)
        if gap is None:
            return (
                status,
                severity,
                count,
                lasting,
                lapses_on,
                reason,
                risk_kind,
                None,
                None,
                "",
                ZERO_HOURS,
            )
        return (
            status,
            severity,
            count,
            lasting,
            lapses_on,
            reason,
            risk_kind,
            gap.starts_at,
            gap.ends_at,
            gap.cause,
            found.uncovered_hours,
        )

    def qualified_time(self, wanted) -> QualifiedTime:
        """When the technicians qualified for `wanted` on the day are scheduled and present."""
        found = self._qualified_times.get(wanted)
        if found is None:
            certification_id = wanted[3]
            expiries = (
                self.certificate_holders.get(certification_id, {})
                if certification_id is not None
                else None
            )
            found = self._qualified_times[wanted] = self.team_time.qualified_time(
                self._qualified_of(wanted)[2], expiries
            )
        return found

    def finding(self, wanted, support_hours, zone) -> Finding:
        """The support window's rules 1 to 3 for `wanted` in a client zone and support hours."""
        key = (wanted, support_hours, zone)
        found = self._findings.get(key)
        if found is None:
            count, lasting, _ = self._qualified_of(wanted)
            if lasting and self.team_time.always_covered(
                zone, support_hours, self.day, self.warning_days
            ):
                self._findings[key] = NO_FINDING
                return NO_FINDING
            certification_id = wanted[3]
            found = self._findings[key] = finding(
                team=self.team_time,
                ids=self._qualified_of(wanted)[2],
                expiries=(
                    self.certificate_holders.get(certification_id, {})
                    if certification_id is not None
                    else None
                ),
                qualified=lambda: self.qualified_time(wanted),
                zone=zone,
                support_hours=support_hours,
                day=self.day,
                warning_days=self.warning_days,
                wording=lambda: self._wording(wanted),
                certification_name=self.certification_names.get(certification_id, ""),
            )
        return found

    def _wording(self, wanted) -> Wording:
        skill_id, version_id, min_level, certification_id = wanted
        certification = self.certification_names.get(certification_id, "")
        if skill_id is None:
            return Wording(subject=certification, lacking=f"hold {certification}")
        skill = self.skill_names[skill_id]
        if version_id:
            skill = f"{skill} {self.versions[version_id][0]}"
        lacking = f"have {skill} at level {min_level}"
        if certification:
            return Wording(
                subject=f"{skill} with {certification}",
                lacking=f"{lacking} and hold {certification}",
            )
        return Wording(subject=skill, lacking=lacking)

    def _lapse(self, wanted, needed):
        """The count falls below `needed` the day after the needed-th latest last day; the
        reason names every technician whose last qualified day that is, and why."""
        ids, _ = self.qualified_in_name_order(wanted)
        certification_id = wanted[3]
        holders = self.certificate_holders.get(certification_id, {})
        last_days = [(t, self.last_day(t, holders)) for t in ids]
        last_day = sorted((last for _, last in last_days), reverse=True)[needed - 1]
        causes = []
        for technician_id, last in last_days:
            if last != last_day:
                continue
            name = self.names[technician_id]
            if last < self.last_days[technician_id]:
                certification = self.certification_names[certification_id]
                causes.append(f"{name}'s {certification} expires on {day_text(last)}")
            else:
                causes.append(f"{name}'s last day is {day_text(last)}")
        lapses_on = last_day + ONE_DAY
        return lapses_on, f"Coverage lapses on {day_text(lapses_on)}: {join_names(causes)}"

    # ---------------------------------------------------------------------- result objects

    def _sort_key(self, row):
        """Requirements of an agreement in the model's order: skill name, version rank, cert."""
        _, pk, skill_id, version_id, _, certification_id, *_ = row
        return (
            skill_id is None,
            self.skill_names.get(skill_id, ""),
            self.versions[version_id][1] if version_id else -1,
            self.certification_names.get(certification_id, ""),
            pk,
        )

    def requirement_coverages(self, rows):
        """The RequirementCoverage of each row, in the model's order."""
        details, made = self._details, []
        for row in sorted(rows, key=self._sort_key):
            key = row[2:]
            detail = details.get(key)
            if detail is None:
                detail = details[key] = self._detail(key)
            made.append(RequirementCoverage(row[1], row[0], *detail))
        return tuple(made)

    def hypothetical(
        self,
        *,
        skill_id,
        version_id,
        min_level,
        min_technicians,
        certification_id=None,
        moving_from: str = "",
        support_hours: str = BUSINESS_HOURS,
        zone: str = "",
    ) -> RequirementCoverage:
        """A requirement no agreement has. `moving_from`: the label of the version the client
        runs now, when the requirement is the version it moves to; the candidates' gaps then
        name both ("knows 2021 – 2022, client moves from 2022 to 2024"). `support_hours` and
        `zone` (the client's; default the firm's) place it in a support window."""
        key = (
            skill_id,
            version_id,
            min_level,
            certification_id,
            min_technicians,
            support_hours,
            zone or default_time_zone(),
        )
        *detail, candidates, gap_starts_at, gap_ends_at, gap_cause, hours = self._detail(key)
        if moving_from and candidates:
            wanted = key[:4]
            qualified_ids, _ = self.qualified_in_name_order(wanted)
            candidates = self._candidates_of(wanted, qualified_ids, moving_from=moving_from)
        return RequirementCoverage(
            None, None, *detail, candidates, gap_starts_at, gap_ends_at, gap_cause, hours
        )

    def _detail(self, key):
        """Every field of a RequirementCoverage for `key` but the requirement and agreement ids,
        in the dataclass's order."""
        wanted = key[:4]
        skill_id, _, _, certification_id, needed, *_ = key
        (status, _, _, lasting, lapses_on, reason, risk_kind, *gap) = self.outcome(key)
        ids, names = self.qualified_in_name_order(wanted)
        return (
            self._label(wanted),
            skill_id,
            certification_id,
            needed,
            status,
            ids,
            names,
            lasting,
            lapses_on,
            reason,
            risk_kind,
            self._candidates_of(wanted, ids) if status != COVERED else (),
            *gap,
        )

    def _candidates_of(self, wanted, qualified_ids, moving_from=""):
        """Available technicians with the skill who miss the level, the version or the cert:
        everyone with the skill but the `qualified_ids` (those of an at-risk requirement).
        `moving_from`: see `hypothetical`."""
        memo = (wanted, moving_from) if moving_from else wanted
        found = self._candidates.get(memo)
        if found is not None:
            return found
        qualified_ids = set(qualified_ids)
        skill_id, version_id, min_level, certification_id = wanted
        if skill_id is None:
            return ()
        version = self.versions[version_id] if version_id else None
        holders = self.certificate_holders.get(certification_id, {})
        candidates = []
        for technician_id, level, oldest, newest in self.skill_holders.get(skill_id, ()):
            if technician_id in qualified_ids:
                continue
            version_range = self._version_ranges.get((oldest, newest))
            if version_range is None:
                version_range = self._version_ranges[(oldest, newest)] = version_range_text(
                    oldest[0] if oldest else None, newest[0] if newest else None
                )
            gaps = []
            if level < min_level:
                gaps.append(f"level {level} of {min_level} needed")
            if version is not None and not _in_range(version[1], oldest, newest):
                if moving_from:
                    gaps.append(
                        f"knows {version_range}, client moves from {moving_from} to {version[0]}"
                    )
                else:
                    gaps.append(f"knows {version_range}, client runs {version[0]}")
            if certification_id is not None and technician_id not in holders:
                gaps.append(f"does not hold {self.certification_names[certification_id]}")
            candidates.append(
                Candidate(
                    technician_id=technician_id,
                    name=self.names[technician_id],
                    level=level,
                    version_range=version_range,
                    gap="; ".join(gaps),
                )
            )
        # Holders are in name order already; a stable sort keeps it within a level.
        candidates.sort(key=lambda candidate: -candidate.level)
        found = self._candidates[memo] = tuple(candidates)
        return found

    # ------------------------------------------------------------------------------- wording

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
        skill_id, version_id, min_level, certification_id = wanted
        parts = []
        if skill_id is not None:
            version = f" {self.versions[version_id][0]}" if version_id else ""
            parts.append(f"has {self.skill_names[skill_id]}{version} at level {min_level} or above")
        if certification_id is not None:
            parts.append(f"holds {self.certification_names[certification_id]}")
        return f"No active technician {' and '.join(parts)}"


def _in_range(rank, oldest, newest):
    """Whether a technician whose known versions are (label, rank) bounds covers `rank`."""
    return rank_in_range(
        rank, None if oldest is None else oldest[1], None if newest is None else newest[1]
    )


__all__ = [
    "AgreementCoverage",
    "Candidate",
    "CoverageResult",
    "CoverageStatus",
    "RequirementCoverage",
    "evaluate_coverage",
    "evaluate_coverage_without",
]
