"""Reads for the client pages; each returns a queryset that runs a fixed number of queries.

Clients never imports agreements (agreements depends on clients, not the other way round), so the
figures about a client's agreements follow the reverse relations by name: `agreements` and their
`requirements` and `flags`. The literal values are those of `Agreement.Status` and
`CoverageFlag.Status`.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from clients.models import Client, ClientTechnology, Contact
from core.permissions import visible_to
from skills.selectors import support_state

AGREEMENT_ACTIVE = "active"
FLAG_UNCOVERED = "uncovered"
FLAG_AT_RISK = "at_risk"


def _agreement_active_on(day: datetime.date, prefix: str = "") -> Q:
    """The coverage engine's rule: status active, started, not ended."""
    return Q(
        **{f"{prefix}status": AGREEMENT_ACTIVE, f"{prefix}start_date__lte": day},
    ) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day}))


def client_list(*, user, day: datetime.date) -> QuerySet[Client]:
    """Clients with `active_agreements` and `annual_value` (of the agreements active on `day`)."""
    active = _agreement_active_on(day, prefix="agreements__")
    return (
        visible_to(user, Client)
        .select_related("account_manager")
        .annotate(
            active_agreements=Count("agreements", filter=active),
            annual_value=Coalesce(
                Sum("agreements__annual_value", filter=active),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .order_by("name")
    )


def client_get(*, user, pk: int) -> Client:
    return get_object_or_404(visible_to(user, Client).select_related("account_manager"), pk=pk)


def client_contacts(*, client: Client) -> QuerySet[Contact]:
    return client.contacts.all()


def client_environment(*, client: Client, day: datetime.date) -> QuerySet[ClientTechnology]:
    """What runs on the client's LAN, with `support_state`: "ended", "ending" (within 180 days)
    or "" for a version still supported (or without a known end of support)."""
    return (
        client.technologies.select_related("skill__category", "version")
        .annotate(support_state=support_state(day=day, field="version__end_of_support"))
        .order_by("skill__name", "version__rank")
    )


def client_agreements(*, client: Client, day: datetime.date) -> QuerySet:
    """The client's agreements with `is_active` and `coverage`, from the open coverage flags.

    `coverage` is "uncovered" or "at_risk" when an open flag says so, "not_assessed" for an
    active agreement without requirements, "covered" for the other active ones and "" for
    agreements not active on `day`. Flags are written by the coverage check, so this is the state
    as of the last check.
    """
    open_flags = Q(flags__resolved_at__isnull=True)
    return (
        client.agreements.annotate(
            uncovered_flags=Count(
                "flags", filter=open_flags & Q(flags__status=FLAG_UNCOVERED), distinct=True
            ),
            at_risk_flags=Count(
                "flags", filter=open_flags & Q(flags__status=FLAG_AT_RISK), distinct=True
            ),
            requirement_count=Count("requirements", distinct=True),
            is_active=Case(
                When(_agreement_active_on(day), then=Value(True)),
                default=Value(False),
            ),
        )
        .annotate(
            coverage=Case(
                When(is_active=False, then=Value("")),
                When(uncovered_flags__gt=0, then=Value(FLAG_UNCOVERED)),
                When(at_risk_flags__gt=0, then=Value(FLAG_AT_RISK)),
                When(requirement_count=0, then=Value("not_assessed")),
                default=Value("covered"),
                output_field=CharField(),
            )
        )
        .order_by("-is_active", "-start_date", "reference")
    )


def client_annual_value(*, client: Client, day: datetime.date) -> Decimal:
    """Total annual value of the client's agreements active on `day` (0 when none)."""
    total = client.agreements.filter(_agreement_active_on(day)).aggregate(
        total=Sum("annual_value")
    )["total"]
    return total or Decimal("0")
