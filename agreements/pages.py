"""Reads behind the dashboard and the agreement pages; each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agreements import selectors
from agreements.coverage import CoverageResult, evaluate_coverage
from agreements.models import Agreement, CoverageFlag, CoverageRun, CoverageStatus
from clients.models import Client
from skills import selectors as skill_selectors

STATUS_ORDER = (
    CoverageStatus.UNCOVERED,
    CoverageStatus.AT_RISK,
    CoverageStatus.COVERED,
    CoverageStatus.NOT_ASSESSED,
)


@dataclass(frozen=True)
class StatusSummary:
    status: str
    label: str
    count: int
    annual_value: Decimal


@dataclass(frozen=True)
class Dashboard:
    day: datetime.date
    result: CoverageResult
    active_clients: int
    statuses: list[StatusSummary]
    single_technician_skills: list[selectors.SingleTechnicianSkill]
    expiring_certifications: list
    notice_dates: list[Agreement]
    notice_horizon_days: int
    technicians_without_baseline: list
    last_run: CoverageRun | None

    @property
    def arr_at_risk(self) -> Decimal:
        return self.result.arr_uncovered + self.result.arr_at_risk


def coverage_statuses(result: CoverageResult) -> dict[int, str]:
    """Agreement id -> coverage status, for the agreements active on the result's day."""
    return {agreement.agreement_id: agreement.status for agreement in result.agreements}


def status_summaries(result: CoverageResult) -> list[StatusSummary]:
    values = dict.fromkeys(STATUS_ORDER, Decimal("0"))
    for agreement in result.agreements:
        values[agreement.status] += agreement.annual_value
    return [
        StatusSummary(
            status=status.value,
            label=status.label,
            count=result.counts.get(status.value, 0),
            annual_value=values[status],
        )
        for status in STATUS_ORDER
    ]


def open_flags(flags: QuerySet[CoverageFlag]) -> QuerySet[CoverageFlag]:
    """Unresolved flags, newest first, with what their rows show."""
    return (
        flags.filter(resolved_at__isnull=True)
        .select_related("agreement__client", "acknowledged_by")
        .order_by("-first_detected_at", "-pk")
    )


def dashboard_build(*, day: datetime.date, agreements: QuerySet[Agreement]) -> Dashboard:
    """Everything the dashboard shows but the open flags, for `day`.

    `agreements` are the rows the user may see; coverage is evaluated over those active on `day`.
    """
    result = evaluate_coverage(day=day, agreement_ids=agreements.values_list("pk", flat=True))
    return Dashboard(
        day=day,
        result=result,
        active_clients=len({agreement.client_id for agreement in result.agreements}),
        statuses=status_summaries(result),
        single_technician_skills=selectors.single_technician_skills(result),
        expiring_certifications=list(skill_selectors.expiring_certifications(day=day)),
        notice_dates=selectors.agreements_notice_due(agreements, day=day),
        notice_horizon_days=selectors.NOTICE_HORIZON_DAYS,
        technicians_without_baseline=list(skill_selectors.technicians_without_baseline(day=day)),
        last_run=CoverageRun.objects.order_by("-run_date").first(),
    )


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
        return f"${value:,.2f}".removesuffix(".00")
    return str(value)
