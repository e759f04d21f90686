"""The pre-sale verdict of a draft equals the coverage of the same agreement really made active
(in a rolled-back transaction) and evaluated on the day the verdict is for, on random data."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.selectors import agreement_presale_verdict
from agreements.models import Agreement
from tests.agreements.coverage.test_engine_property import DAY, build, portfolios


def outcome(coverage):
    return coverage.status, [
        (r.requirement_id, r.status, r.qualified_ids, r.lapses_on, r.reason)
        for r in coverage.requirements
    ]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(portfolio=portfolios(), starts_in=st.integers(-5, 5))
def test_the_verdict_of_a_draft_is_its_coverage_once_active(portfolio, starts_in):
    with transaction.atomic(), override_settings(COVERAGE_WARNING_DAYS=portfolio["window"]):
        keys = build(portfolio)
        draft = Agreement.objects.get(pk=keys["agreements"][0])
        Agreement.objects.filter(pk=draft.pk).update(
            status=Agreement.Status.DRAFT,
            start_date=DAY + datetime.timedelta(days=starts_in),
            end_date=None,
        )
        draft.refresh_from_db()

        verdict, presale = agreement_presale_verdict(agreement=draft, day=DAY)

        with transaction.atomic():
            Agreement.objects.filter(pk=draft.pk).update(status=Agreement.Status.ACTIVE)
            (active,) = evaluate_coverage(day=verdict.day, agreement_ids=[draft.pk]).agreements
            transaction.set_rollback(True)
        transaction.set_rollback(True)

    assert verdict.day == max(DAY, DAY + datetime.timedelta(days=starts_in))
    assert verdict.status == active.status
    assert outcome(presale) == outcome(active)
