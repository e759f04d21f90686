"""What a change does to coverage, said on the page that made it.

While a page's request runs, every write that coverage depends on (agreements/coverage/checks.py
`coverage_data_touch`, the receiver of their signals) is collected here: which agreements,
clients, services, skills, certifications and technicians it touches. After the request,
agreements/coverage/middleware.py turns that into the agreements active today whose
requirements the change touches, evaluates only those and compares the result with their open
flags: "This change resolves 2 flags on 2 agreements ($24,000) and opens none." Up to
IMPACT_MAX_AGREEMENTS agreements are evaluated in the request; above that a task does it and
the page that shows its answer is linked.
"""

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from agreements.coverage.engine import COVERED, evaluate_coverage
from agreements.coverage.models import CoverageFlag
from agreements.models import Agreement, AgreementService, Requirement, Service
from clients.models import ClientTechnology
from core.formatting import count_text, money
from skills.models import (
    Certification,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)

IMPACT_KEPT_SECONDS = 24 * 60 * 60  # how long the answer of a large change's task waits to be read


@dataclass
class ChangedData:
    """What the writes of one request touched, by the ids coverage can follow to agreements."""

    agreement_ids: set[int] = field(default_factory=set)
    client_ids: set[int] = field(default_factory=set)
    service_ids: set[int] = field(default_factory=set)
    skill_ids: set[int] = field(default_factory=set)
    certification_ids: set[int] = field(default_factory=set)
    technician_ids: set[int] = field(default_factory=set)

    def __bool__(self):
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def as_json(self) -> dict[str, list[int]]:
        return {name: sorted(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, list[int]]) -> "ChangedData":
        return cls(**{name: set(data.get(name, ())) for name in cls.__dataclass_fields__})


_collected: contextvars.ContextVar[ChangedData | None] = contextvars.ContextVar(
    "coverage_changes_collected", default=None
)


@contextmanager
def changes_collected() -> Iterator[ChangedData]:
    """Collect, while the block runs, what the writes coverage depends on touch."""
    token = _collected.set(ChangedData())
    try:
        yield _collected.get()
    finally:
        _collected.reset(token)


def change_collect(*, sender=None, instance=None, **kwargs) -> None:
    """Note what a written `instance` touches, when a request collects changes, once the write
    commits: a write rolled back (the prospect check's trial agreement) touches nothing."""
    changes = _collected.get()
    if changes is None or instance is None:
        return
    touched = _touched_by(instance)
    if touched is not None:
        name, pk = touched
        transaction.on_commit(lambda: getattr(changes, name).add(pk))


def _touched_by(instance) -> tuple[str, int] | None:
    """(the field of ChangedData, the id) a written instance touches."""
    if isinstance(instance, Agreement):
        return "agreement_ids", instance.pk
    if isinstance(instance, AgreementService | Requirement):
        return "agreement_ids", instance.agreement_id
    if isinstance(instance, Service):
        return "service_ids", instance.pk
    if isinstance(instance, ClientTechnology):
        return "client_ids", instance.client_id
    if isinstance(instance, Technician):
        return "technician_ids", instance.pk
    if isinstance(instance, TechnicianSkill | SkillVersion):
        return "skill_ids", instance.skill_id
    if isinstance(instance, TechnicianCertification):
        return "certification_ids", instance.certification_id
    if isinstance(instance, Certification):
        return "certification_ids", instance.pk
    return None


def changes_note(*, client_ids=(), agreement_ids=()) -> None:
    """Note writes made in bulk, which send no signal (an import's environment rows)."""
    changes = _collected.get()
    if changes is not None:
        client_ids, agreement_ids = set(client_ids), set(agreement_ids)
        transaction.on_commit(lambda: changes.client_ids.update(client_ids))
        transaction.on_commit(lambda: changes.agreement_ids.update(agreement_ids))


def agreements_touched(changes: ChangedData, *, day: datetime.date, limit: int | None) -> list[int]:
    """The ids of (at most `limit`) agreements active on `day` whose requirements `changes` may
    change, and of any agreement it named directly (it may have stopped being active). One
    query."""
    requirements = Requirement.objects.filter(
        Q(skill_id__in=changes.skill_ids)
        | Q(certification_id__in=changes.certification_ids)
        | Q(skill__technician_skills__technician_id__in=changes.technician_ids)
        | Q(certification__holders__technician_id__in=changes.technician_ids)
    )
    touched = (
        Q(pk__in=changes.agreement_ids)
        | Q(client_id__in=changes.client_ids)
        | Q(agreement_services__service_id__in=changes.service_ids)
        | Q(pk__in=requirements.values("agreement_id"))
    )
    active = Agreement.objects.active_on(day).filter(touched) | Agreement.objects.filter(
        pk__in=changes.agreement_ids
    )
    return list(active.order_by("pk").values_list("pk", flat=True).distinct()[:limit])


@dataclass(frozen=True)
class ChangeImpact:
    """What evaluating the touched agreements anew does to their open flags."""

    agreements_evaluated: int
    resolves: int = 0
    resolved_agreements: int = 0
    resolved_value: Decimal = Decimal("0")
    opens: int = 0
    opened_agreements: int = 0
    opened_value: Decimal = Decimal("0")

    def __str__(self):
        if not self.agreements_evaluated:
            return "This change touches no active agreement's requirements."
        if not (self.resolves or self.opens):
            return (
                f"This change opens and resolves no coverage flag "
                f"({count_text(self.agreements_evaluated, 'agreement')} evaluated)."
            )
        resolves = (
            f"resolves {self._flags(self.resolves, self.resolved_agreements, self.resolved_value)}"
            if self.resolves
            else "resolves none"
        )
        opens = (
            f"opens {self._flags(self.opens, self.opened_agreements, self.opened_value)}"
            if self.opens
            else "opens none"
        )
        return f"This change {resolves} and {opens}."

    @staticmethod
    def _flags(flags: int, agreements: int, value: Decimal) -> str:
        return (
            f"{count_text(flags, 'flag')} on {count_text(agreements, 'agreement')} ({money(value)})"
        )


def change_impact(*, agreement_ids: list[int], day: datetime.date) -> ChangeImpact:
    """Evaluate `agreement_ids` on `day` and compare with their open flags: the flags that
    would be resolved (their requirement covered or gone, or the agreement no longer active)
    and those that would be opened. A fixed number of queries."""
    if not agreement_ids:
        return ChangeImpact(agreements_evaluated=0)
    result = evaluate_coverage(day=day, agreement_ids=agreement_ids)
    failing = {
        requirement.requirement_id: coverage.agreement_id
        for coverage in result.agreements
        if coverage.status != COVERED
        for requirement in coverage.requirements
        if requirement.status != COVERED
    }
    open_flags = list(
        CoverageFlag.objects.filter(
            agreement_id__in=agreement_ids, resolved_at__isnull=True
        ).values_list("requirement_id", "agreement_id")
    )
    flagged = {requirement for requirement, _ in open_flags}
    resolving = [agreement for requirement, agreement in open_flags if requirement not in failing]
    opening = [
        agreement for requirement, agreement in failing.items() if requirement not in flagged
    ]
    values = dict(
        Agreement.objects.filter(pk__in={*resolving, *opening}).values_list("pk", "annual_value")
    )
    return ChangeImpact(
        agreements_evaluated=len(agreement_ids),
        resolves=len(resolving),
        resolved_agreements=len(set(resolving)),
        resolved_value=sum((values[pk] for pk in set(resolving)), Decimal("0")),
        opens=len(opening),
        opened_agreements=len(set(opening)),
        opened_value=sum((values[pk] for pk in set(opening)), Decimal("0")),
    )


def change_impact_key(key: str) -> str:
    return f"coverage-change-impact:{key}"


def change_impact_store(*, key: str, changes: ChangedData, day: datetime.date) -> ChangeImpact:
    """Work out the impact of a large change (the task's part) and keep its words for the page
    that shows them, beside the user it is for."""
    impact = change_impact(agreement_ids=agreements_touched(changes, day=day, limit=None), day=day)
    stored = cache.get(change_impact_key(key)) or {}
    cache.set(
        change_impact_key(key),
        {**stored, "text": str(impact)},
        timeout=IMPACT_KEPT_SECONDS,
    )
    return impact
