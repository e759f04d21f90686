from django import template

from agreements.coverage.models import CoverageStatus

register = template.Library()


@register.inclusion_tag("agreements/_coverage_badge.html")
def coverage_badge(status, empty="not active"):
    """A coverage status (a CoverageStatus value) as its badge; `empty` when there is none, e.g.
    for an agreement that is not active today."""
    return {"status": CoverageStatus(status) if status else None, "empty": empty}


@register.filter
def coverage_label(status):
    """A coverage status value as words: "at_risk" → "At risk"."""
    return CoverageStatus(status).label if status else ""
