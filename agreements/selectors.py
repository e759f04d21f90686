"""Reads of the contract book for pages, the report and other apps; each runs a fixed number of
queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    DecimalField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from agreements.models import Agreement, AgreementService, Requirement
from clients.models import Client
from core.db import count_per_row
from core.formatting import money
from core.permissions import visible_to
from core.registry import agreement_columns, columns_annotate

NOTICE_HORIZON_DAYS = 90
MONEY = DecimalField(max_digits=14, decimal_places=2)


def agreements_with_notice_within(
    agreements: QuerySet[Agreement], *, day: datetime.date, days: int
) -> QuerySet[Agreement]:
    """Those of `agreements` whose last day to give notice falls in [day, day + days]."""
    return agreements.filter(notice_date__range=(day, day + datetime.timedelta(days=days)))


def agreements_renewing_within(
    agreements: QuerySet[Agreement], *, day: datetime.date, days: int
) -> QuerySet[Agreement]:
    """Those of `agreements` that renew automatically at the end of a current term ending in
    [day, day + days]."""
    return agreements.filter(
        auto_renew=True, term_end__range=(day, day + datetime.timedelta(days=days))
    )


def agreements_notice_due(
    agreements: QuerySet[Agreement], *, day: datetime.date
) -> QuerySet[Agreement]:
    """The active ones of `agreements` whose last day to give notice falls within the next
    NOTICE_HORIZON_DAYS, soonest first, with their client."""
    return (
        agreements_with_notice_within(
            agreements.filter(status=Agreement.Status.ACTIVE), day=day, days=NOTICE_HORIZON_DAYS
        )
        .select_related("client")
        .order_by("notice_date", "reference")
    )


def annual_value_active_on(agreements: QuerySet[Agreement], *, day: datetime.date) -> Decimal:
    """Total annual value of those of `agreements` active on `day` (0 when none). One query."""
    total = agreements.active_on(day).aggregate(total=Sum("annual_value"))["total"]
    return total or Decimal("0")


# ------------------------------------------------------------------------------ the client page


def client_agreements(*, user, client: Client, day: datetime.date) -> QuerySet[Agreement]:
    """The client's agreements `user` may see, with `is_active` (on `day`) and the columns other
    apps add, active ones first. One query."""
    agreements = (
        visible_to(user, Agreement)
        .filter(client=client)
        .annotate(
            is_active=Case(
                When(pk__in=Agreement.objects.active_on(day).values("pk"), then=Value(True)),
                default=Value(False),
            )
        )
    )
    return columns_annotate(agreement_columns, agreements, day=day).order_by(
        "-is_active", "-start_date", "reference"
    )


CLIENT_REQUIREMENTS_SHOWN = 50


def requirements_name_their_services(requirements: list[Requirement]) -> list[Requirement]:
    """`requirements`, each derived one with `needed_by`: the names of its agreement's services
    that have its skill in scope, by name (DESIGN "Derived requirements": one requirement,
    every service that needs it named). One query."""
    derived = [r for r in requirements if r.source == Requirement.Source.DERIVED]
    if not derived:
        return requirements
    names = defaultdict(list)
    for agreement_id, skill_id, name in (
        AgreementService.objects.filter(
            agreement_id__in={r.agreement_id for r in derived},
            service__skills_in_scope__in={r.skill_id for r in derived},
        )
        .order_by("service__name")
        .values_list("agreement_id", "service__skills_in_scope", "service__name")
    ):
        names[(agreement_id, skill_id)].append(name)
    for requirement in derived:
        requirement.needed_by = names.get((requirement.agreement_id, requirement.skill_id), [])
    return requirements


def client_requirements(*, user, client: Client, day: datetime.date) -> list[Requirement]:
    """What the client's agreements active on `day` require, derived or added by hand, by
    agreement: at most CLIENT_REQUIREMENTS_SHOWN + 1 rows (one more than the page shows tells it
    there are more), derived ones naming their services. Two queries."""
    return requirements_name_their_services(
        list(
            Requirement.objects.filter(
                agreement__in=visible_to(user, Agreement)
                .active_on(day)
                .filter(client=client)
                .values("pk")
            )
            .select_related("agreement", "skill", "version", "certification", "service")
            .order_by(
                "agreement__reference", "skill__name", "version__rank", "certification__name"
            )[: CLIENT_REQUIREMENTS_SHOWN + 1]
        )
    )


def _active_per_client(day: datetime.date):
    return (
        Agreement.objects.active_on(day).filter(client=OuterRef("pk")).order_by().values("client")
    )


def clients_with_active_agreements(clients: QuerySet[Client], *, day: datetime.date) -> QuerySet:
    """`clients` with `active_agreements`: how many of their agreements are active on `day`."""
    return clients.annotate(active_agreements=count_per_row(_active_per_client(day), per="client"))


def clients_with_annual_value(clients: QuerySet[Client], *, day: datetime.date) -> QuerySet:
    """`clients` with `annual_value`: the annual value of their agreements active on `day`."""
    total = _active_per_client(day).annotate(total=Sum("annual_value")).values("total")
    return clients.annotate(
        annual_value=Coalesce(Subquery(total), Value(Decimal("0")), output_field=MONEY)
    )


# ------------------------------------------------------------------------------ history


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: object  # a HistoricalAgreement
    action: str
    changes: list[FieldChange]


HISTORY_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def agreement_history_entries(records: list, older: object | None) -> list[HistoryEntry]:
    """What changed in each of `records` (newest first); `older` is the record before the last.

    Foreign keys are shown by name, looked up in one query per model whatever the page size.
    """
    if not records:  # e.g. written by a bulk insert, which records no history
        return []
    pairs = list(zip(records, [*records[1:], older], strict=True))
    deltas = [record.diff_against(previous) if previous else None for record, previous in pairs]
    related_ids = {"client": set(), "owner": set()}
    for delta in filter(None, deltas):
        for change in delta.changes:
            if change.field in related_ids:
                related_ids[change.field].update({change.old, change.new} - {None})
    names = {
        "client": dict(
            Client.objects.filter(pk__in=related_ids["client"]).values_list("pk", "name")
        )
        if related_ids["client"]
        else {},
        "owner": dict(
            get_user_model()
            .objects.filter(pk__in=related_ids["owner"])
            .values_list("pk", "username")
        )
        if related_ids["owner"]
        else {},
    }
    entries = []
    for (record, _), delta in zip(pairs, deltas, strict=True):
        changes = [
            FieldChange(
                field=Agreement._meta.get_field(change.field).verbose_name.capitalize(),
                old=_shown(change.field, change.old, names),
                new=_shown(change.field, change.new, names),
            )
            for change in (delta.changes if delta else [])
        ]
        entries.append(
            HistoryEntry(
                record=record,
                action=HISTORY_ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries


def _shown(field_name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field_name in names:
        return names[field_name].get(value, f"#{value} (deleted)")
    field = Agreement._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return money(value)
    return str(value)


def agreements_for_export(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The agreements of a filtered list with their services (AgreementResource's columns)."""
    return (
        Agreement.objects.filter(pk__in=agreements.values("pk"))
        .select_related("client")
        .prefetch_related("agreement_services__service")
        .order_by("client__name", "reference")
    )
