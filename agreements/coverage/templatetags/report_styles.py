"""One template renders each report section for both the email and the web page.

Mail clients ignore stylesheets, so the email carries inline styles; the page must not (its
Content-Security-Policy allows no inline style) and uses the site's classes instead.
`{% rs "td" %}` writes the attributes of that kind of element for whichever is rendered: the
email when the context has `for_email`.
"""

from django import template
from django.utils.safestring import mark_safe

from agreements.coverage.models import CoverageStatus, RiskKind, status_label

register = template.Library()

# kind: (email attributes, page attributes)
STYLES = {
    "h2": ('style="margin:20px 0 8px 0; font-size:16px;"', 'class="h6 mt-4 mb-2"'),
    "table": (
        'width="100%" cellpadding="6" cellspacing="0" border="0" '
        'style="border-collapse:collapse; font-size:13px;"',
        'class="table table-sm mb-0"',
    ),
    "th": (
        'align="left" style="border-bottom:1px solid #d0d5dd; background:#f2f4f7;"',
        'scope="col"',
    ),
    "th-num": (
        'align="right" style="border-bottom:1px solid #d0d5dd; background:#f2f4f7;"',
        'scope="col" class="text-end"',
    ),
    "td": ('valign="top" style="border-bottom:1px solid #eaecf0;"', ""),
    "td-num": (
        'valign="top" align="right" style="border-bottom:1px solid #eaecf0; white-space:nowrap;"',
        'class="text-end text-nowrap"',
    ),
    "td-date": (
        'valign="top" style="border-bottom:1px solid #eaecf0; white-space:nowrap;"',
        'class="text-nowrap"',
    ),
    "muted": ('style="color:#667085;"', 'class="small text-body-secondary"'),
    "link": ('style="color:#175cd3;"', ""),
    "none": ('style="margin:0; color:#667085;"', 'class="text-body-secondary mb-0"'),
    "more": ('style="margin:6px 0 0 0; font-size:13px;"', 'class="small mt-1 mb-0"'),
    "overdue": ('style="color:#b42318; font-weight:bold;"', 'class="text-danger fw-semibold"'),
    "section": ("", 'class="table-responsive"'),
}


@register.simple_tag(takes_context=True)
def rs(context, kind):
    email, page = STYLES[kind]
    # Constants of this module, never user input.
    return mark_safe(email if context.get("for_email") else page)


@register.inclusion_tag("core/_badge.html", takes_context=True)
def status_text(context, status, risk_kind=""):
    """A flag's status, with its kind when at risk ("At risk · thin"): coloured words in the
    email, the badge on the page."""
    badge = status_words(context, status, status_label(status, risk_kind))
    if risk_kind and not context.get("for_email"):
        badge["title"] = RiskKind(risk_kind).explanation
    return badge


@register.inclusion_tag("core/_badge.html", takes_context=True)
def status_words(context, status, words):
    """Words about a status (e.g. "Successor not covered") in its colour: inline in the email,
    a badge on the page; plain muted text without a status."""
    badge = {"label": words, "for_email": context.get("for_email")}
    if status:
        status = CoverageStatus(status)
        badge.update(color=status.color, email_color=status.email_color)
    return badge
