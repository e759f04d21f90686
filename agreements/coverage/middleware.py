"""After a page's form saves data that coverage depends on, the next page says what the change
does to coverage (agreements/coverage/impact.py), with "Run coverage check now"."""

import uuid

import kombu.exceptions
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from agreements.coverage.impact import (
    IMPACT_KEPT_SECONDS,
    ChangedData,
    agreements_touched,
    change_impact,
    change_impact_key,
    changes_collected,
)
from agreements.coverage.models import CoverageCheck
from agreements.coverage.tasks import work_out_change_impact
from core.permissions import perm_name

# The API answers its callers itself and Django admin keeps its own messages.
NOT_ANNOUNCED = ("/api/", "/admin/")
REDIRECTS = (301, 302, 303)


class ChangeImpactMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path.startswith(NOT_ANNOUNCED):
            return self.get_response(request)
        with changes_collected() as changes:
            response = self.get_response(request)
        # A form that saved answers with a redirect; one that did not re-renders and wrote
        # nothing (the request's transaction was rolled back).
        if changes and response.status_code in REDIRECTS and request.user.is_authenticated:
            change_impact_announce(request, changes, back=response["Location"])
        return response


def change_impact_announce(request, changes: ChangedData, *, back: str) -> None:
    day = timezone.localdate()
    limit = settings.IMPACT_MAX_AGREEMENTS
    touched = agreements_touched(changes, day=day, limit=limit + 1)
    if not touched:
        messages.info(request, str(change_impact(agreement_ids=[], day=day)), "coverage-impact")
        return
    if len(touched) <= limit:
        text = format_html("{}", change_impact(agreement_ids=touched, day=day))
    else:
        key = uuid.uuid4().hex
        cache.set(change_impact_key(key), {"user_id": request.user.pk}, timeout=IMPACT_KEPT_SECONDS)
        try:
            work_out_change_impact.delay(key, changes.as_json(), day.isoformat())
        except kombu.exceptions.OperationalError:
            messages.info(
                request,
                f"This change touches more than {limit:,} agreements; what it does to coverage "
                "shows after the next coverage check.",
            )
            return
        text = format_html(
            'This change touches more than {} agreements: <a href="{}">what it does to '
            "coverage</a> is being worked out.",
            f"{limit:,}",
            reverse("coverage:change_impact", args=[key]),
        )
    if request.user.has_perm(perm_name(CoverageCheck, "add")):
        text = format_html(
            '{} <form method="post" action="{}" class="d-inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}">'
            '<button type="submit" class="btn btn-sm btn-outline-primary ms-2">'
            "Run coverage check now</button></form>",
            text,
            reverse("coverage:run_now"),
            get_token(request),
            back,
        )
    messages.info(request, text, extra_tags="coverage-impact")
