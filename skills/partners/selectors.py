"""Reads of the partner programme pages; each runs a fixed number of queries."""

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from core.permissions import visible_to
from skills.models import PartnerProgram, PartnerRule


def _rules() -> Prefetch:
    rules = PartnerRule.objects.select_related("certification", "skill").order_by("pk")
    return Prefetch("rules", queryset=rules)


def partner_program_list(*, user) -> QuerySet[PartnerProgram]:
    """Programmes by vendor and tier, with `rule_count` and their rules."""
    return (
        visible_to(user, PartnerProgram)
        .annotate(rule_count=Count("rules"))
        .prefetch_related(_rules())
        .order_by("vendor", "tier", "pk")
    )


def partner_program_get(*, user, pk: int) -> PartnerProgram:
    """One programme with its rules (two queries)."""
    return get_object_or_404(visible_to(user, PartnerProgram).prefetch_related(_rules()), pk=pk)


def partner_program_history(*, program: PartnerProgram, limit: int = 30):
    """The newest changes of the programme itself, newest first, with who made them."""
    return program.history.select_related("history_user").order_by("-history_date")[:limit]


def partner_programs_for_export(*, user) -> QuerySet[PartnerProgram]:
    """In the order of the import's own export (agreements/imports/kinds/partners.py)."""
    return visible_to(user, PartnerProgram).order_by(Lower("vendor"), Lower("tier"), "pk")


def partner_rules_for_export(*, user) -> QuerySet[PartnerRule]:
    return (
        visible_to(user, PartnerRule)
        .select_related("program", "certification", "skill")
        .order_by(Lower("program__vendor"), Lower("program__tier"), "pk")
    )
