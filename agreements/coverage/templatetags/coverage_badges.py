from django import template

from agreements.coverage.first_gaps import (
    ROTA_GAP_CAUSES,
    gap_hours_text,
    uncovered_hours_text,
)
from agreements.coverage.models import (
    CoverageRun,
    CoverageStatus,
    GapCause,
    RiskKind,
    status_label,
)

register = template.Library()

NOT_ASSESSED_TITLE = (
    "No requirement yet: add services the client's environment needs, or a manual requirement"
)


@register.inclusion_tag("core/_badge.html")
def coverage_badge(status, risk_kind="", detail="", empty="not active"):
    """A coverage status (a CoverageStatus value) as its badge, with the kind of an at-risk one
    ("At risk · thin"), explained when hovered: by `detail` when given ("only 1 of 2 qualify",
    "covered through 15 Jan 2027"), else by the kind's words. `empty` when there is no status,
    e.g. for an agreement that is not active today."""
    if not status:
        return {"label": empty, "title": "Coverage is checked for agreements active today"}
    status = CoverageStatus(status)
    title = NOT_ASSESSED_TITLE if status == CoverageStatus.NOT_ASSESSED else ""
    if status == CoverageStatus.AT_RISK and risk_kind:
        title = detail or RiskKind(risk_kind).explanation
    return {"label": status_label(status, risk_kind), "color": status.color, "title": title}


@register.inclusion_tag("core/_badge.html")
def email_badge(run):
    """A coverage run's email status as its badge; a failed one says why when hovered."""
    status = CoverageRun.EmailStatus(run.email_status)
    title = run.last_error if status == CoverageRun.EmailStatus.FAILED else ""
    return {"label": status.badge_label, "color": status.color, "title": title}


@register.filter
def coverage_label(status, risk_kind=""):
    """A coverage status value (and its kind) as words: "at_risk" → "At risk"; with "thin",
    "At risk · thin"."""
    return status_label(status, risk_kind) if status else ""


@register.filter
def risk_share(risk_kind, warning_days):
    """The words naming a kind's share of the ARR at risk: "too few qualified today",
    "lapsing within 60 days"."""
    return RiskKind(risk_kind).share_words(warning_days)


@register.inclusion_tag("coverage/_first_gap.html")
def first_gap(row, zone):
    """A non-covered requirement's first gap in the support window, in the client's time
    (`zone`), its cause as a badge and the hours a week uncovered: `row` is a live result, a
    check's row or a flag read with its check's row. Nothing without a gap."""
    cause = getattr(row, "gap_cause", "") if row is not None else ""
    if not cause:
        return {}
    cause = GapCause(cause)
    return {
        "hours": gap_hours_text(row.gap_starts_at, row.gap_ends_at, zone),
        "zone": zone,
        "cause": cause,
        "uncovered": uncovered_hours_text(row.uncovered_hours),
    }


@register.filter
def closes_on_call(row) -> bool:
    """Whether someone qualified on call would close the row's first gap ("add to the rota")."""
    return getattr(row, "gap_cause", "") in ROTA_GAP_CAUSES
