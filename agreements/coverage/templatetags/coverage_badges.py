from django import template

from agreements.coverage.models import CoverageRun, CoverageStatus

register = template.Library()

NOT_ASSESSED_TITLE = (
    "No requirement yet: add services the client's environment needs, or a manual requirement"
)


@register.inclusion_tag("core/_badge.html")
def coverage_badge(status, empty="not active"):
    """A coverage status (a CoverageStatus value) as its badge; `empty` when there is none, e.g.
    for an agreement that is not active today."""
    if not status:
        return {"label": empty, "title": "Coverage is checked for agreements active today"}
    status = CoverageStatus(status)
    title = NOT_ASSESSED_TITLE if status == CoverageStatus.NOT_ASSESSED else ""
    return {"label": status.label, "color": status.color, "title": title}


@register.inclusion_tag("core/_badge.html")
def email_badge(run):
    """A coverage run's email status as its badge; a failed one says why when hovered."""
    status = CoverageRun.EmailStatus(run.email_status)
    title = run.last_error if status == CoverageRun.EmailStatus.FAILED else ""
    return {"label": status.badge_label, "color": status.color, "title": title}


@register.filter
def coverage_label(status):
    """A coverage status value as words: "at_risk" → "At risk"."""
    return CoverageStatus(status).label if status else ""
