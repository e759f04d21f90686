"""Coverage flags: one open flag per requirement the team cannot (or soon cannot) deliver.

Implements DESIGN "Coverage rules" (flags) for the coverage check of agreements/coverage/runs.py
and for completing a training goal (agreements/planning/services.py).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.coverage.engine import CoverageResult
from agreements.models import CoverageFlag, CoverageStatus


def flags_sync(*, result: CoverageResult, now: datetime.datetime) -> tuple[list[int], list[int]]:
    """Open or update one flag per non-covered requirement; resolve every other open flag.

    Resolved: flags whose requirement is covered, deleted (requirement null) or belongs to an
    agreement no longer active (so absent from `result`). `result` must cover every active
    agreement. Returns (new flag ids, resolved flag ids).
    """
    flagged = {
        r.requirement_id: r for r in result.requirements if CoverageStatus(r.status).is_flagged
    }
    open_flags = list(CoverageFlag.objects.filter(resolved_at__isnull=True))

    resolved_ids = [flag.pk for flag in open_flags if flag.requirement_id not in flagged]
    if resolved_ids:
        CoverageFlag.objects.filter(pk__in=resolved_ids).update(resolved_at=now)

    to_update = []
    for flag in open_flags:
        requirement = flagged.get(flag.requirement_id)
        if requirement is None:
            continue
        flag.status = requirement.status
        flag.reason = requirement.reason
        flag.requirement_label = requirement.label
        flag.qualified_count = requirement.qualified_count
        flag.lapses_on = requirement.lapses_on
        flag.last_seen_at = now
        to_update.append(flag)
    CoverageFlag.objects.bulk_update(
        to_update,
        ["status", "reason", "requirement_label", "qualified_count", "lapses_on", "last_seen_at"],
        batch_size=1000,
    )

    already_open = {flag.requirement_id for flag in open_flags}
    created = CoverageFlag.objects.bulk_create(
        [
            CoverageFlag(
                agreement_id=requirement.agreement_id,
                requirement_id=requirement.requirement_id,
                requirement_label=requirement.label,
                status=requirement.status,
                reason=requirement.reason,
                qualified_count=requirement.qualified_count,
                lapses_on=requirement.lapses_on,
                first_detected_at=now,
                last_seen_at=now,
            )
            for requirement_id, requirement in flagged.items()
            if requirement_id not in already_open
        ],
        batch_size=1000,
    )
    return [flag.pk for flag in created], resolved_ids


def flag_acknowledge(*, flag: CoverageFlag, user, now: datetime.datetime | None = None) -> None:
    """Mark an open flag as seen by `user`; it stays open until coverage is restored."""
    if not flag.is_open:
        raise ValidationError("This flag is already resolved; there is nothing to acknowledge.")
    flag.acknowledged_by = user
    flag.acknowledged_at = now or timezone.now()
    flag.save(update_fields=["acknowledged_by", "acknowledged_at"])
