"""Writes of the partner programmes: a programme with its rules, all or nothing."""

from typing import Any

from django.db import transaction

from core.services import NO_CHANGES, RowChanges, model_create, parent_with_rows_save
from skills.models import PartnerProgram, PartnerRule


def partner_program_create(*, vendor: str, tier: str, **fields: Any) -> PartnerProgram:
    return model_create(model=PartnerProgram, fields={"vendor": vendor, "tier": tier, **fields})


def partner_rule_create(*, program: PartnerProgram, **fields: Any) -> PartnerRule:
    """A rule of `program`: `certification`, or `skill` and `min_level`; `min_technicians`."""
    return model_create(model=PartnerRule, fields={"program": program, **fields})


@transaction.atomic
def partner_program_save(
    *,
    program: PartnerProgram | None,
    fields: dict[str, Any],
    rules: RowChanges = NO_CHANGES,
) -> PartnerProgram:
    """Create or update a partner programme with its rules, all or nothing."""
    return parent_with_rows_save(
        model=PartnerProgram, instance=program, fields=fields, rows={PartnerRule: rules}
    )
