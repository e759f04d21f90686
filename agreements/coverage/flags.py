"""Coverage flags: one open flag per requirement the team cannot (or soon cannot) deliver.

Implements DESIGN "Coverage checks are recorded" (flags follow the newest check): every
recorded check (agreements/coverage/checks.py) brings the flags in line with its result.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.coverage.engine import CoverageResult, RequirementCoverage
from agreements.coverage.models import CoverageCheck, CoverageFlag, CoverageStatus
from core.db import rows_insert, rows_update

# A reason longer than its column (many names) is cut; the check's own row keeps the same cut.
REASON_MAX = CoverageFlag._meta.get_field("reason").max_length

# What a check writes on a flag, as its requirement's result says it.
FLAG_DETAILS = (
    "status",
    "risk_kind",
    "reason",
    "requirement_label",
    "qualified_count",
    "lapses_on",
)
OPENED_FIELDS = (
    "agreement_id",
    "requirement_id",
    *FLAG_DETAILS,
    "first_detected_at",
    "last_seen_at",
    "opened_by_check_id",
)


def flag_details(requirement: RequirementCoverage) -> tuple:
    """The values of FLAG_DETAILS for `requirement`'s result."""
    return (
        requirement.status,
        requirement.risk_kind,
        requirement.reason[:REASON_MAX],
        requirement.label,
        requirement.qualified_count,
        requirement.lapses_on,
    )


def flagged_requirements(result: CoverageResult) -> Iterator[RequirementCoverage]:
    """The requirements of `result` that are uncovered or at risk, agreement by agreement.

    Only agreements that are uncovered or at risk have one, so the others are not opened.
    """
    for agreement in result.agreements:
        if CoverageStatus(agreement.status).is_flagged:
            for requirement in agreement.non_covered_requirements:
                if CoverageStatus(requirement.status).is_flagged:
                    yield requirement


@dataclass(frozen=True)
class FlagChanges:
    opened_requirement_ids: set[int]
    opened_ids: list[int]
    resolved_ids: list[int]


def flags_sync(
    *, result: CoverageResult, now: datetime.datetime, coverage_check: CoverageCheck | None = None
) -> FlagChanges:
    """Open or update one flag per non-covered requirement; resolve every other open flag.

    Resolved: flags whose requirement is covered, deleted (requirement null) or belongs to an
    agreement no longer active (so absent from `result`). `result` must cover every active
    agreement. The flags opened and resolved name `coverage_check`.
    """
    flagged = {r.requirement_id: r for r in flagged_requirements(result)}
    open_flags = list(CoverageFlag.objects.filter(resolved_at__isnull=True))

    resolved_ids = [flag.pk for flag in open_flags if flag.requirement_id not in flagged]
    if resolved_ids:
        CoverageFlag.objects.filter(pk__in=resolved_ids).update(
            resolved_at=now, resolved_by_check=coverage_check
        )

    still_open, changed = [], []
    for flag in open_flags:
        requirement = flagged.get(flag.requirement_id)
        if requirement is None:
            continue
        still_open.append(flag.pk)
        details = dict(zip(FLAG_DETAILS, flag_details(requirement), strict=True))
        if any(getattr(flag, name) != value for name, value in details.items()):
            for name, value in details.items():
                setattr(flag, name, value)
            changed.append(flag)
    CoverageFlag.objects.filter(pk__in=still_open).update(last_seen_at=now)
    rows_update(changed, FLAG_DETAILS)

    already_open = {flag.requirement_id for flag in open_flags}
    opened = [
        requirement
        for requirement_id, requirement in flagged.items()
        if requirement_id not in already_open
    ]
    # By COPY: the first check of a portfolio opens thousands. The flags opened now are the open
    # ones first detected at `now` (one check at a time: agreements/coverage/checks.py's lock).
    rows_insert(
        CoverageFlag,
        OPENED_FIELDS,
        (
            (
                requirement.agreement_id,
                requirement.requirement_id,
                *flag_details(requirement),
                now,
                now,
                coverage_check.pk if coverage_check else None,
            )
            for requirement in opened
        ),
    )
    opened_ids = []
    if opened:
        opened_ids = list(
            CoverageFlag.objects.filter(first_detected_at=now, resolved_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return FlagChanges(
        opened_requirement_ids={requirement.requirement_id for requirement in opened},
        opened_ids=opened_ids,
        resolved_ids=resolved_ids,
    )


def flag_acknowledge(*, flag: CoverageFlag, user, now: datetime.datetime | None = None) -> None:
    """Mark an open flag as seen by `user`; it stays open until coverage is restored."""
    if not flag.is_open:
        raise ValidationError("This flag is already resolved; there is nothing to acknowledge.")
    flag.acknowledged_by = user
    flag.acknowledged_at = now or timezone.now()
    flag.save(update_fields=["acknowledged_by", "acknowledged_at"])
