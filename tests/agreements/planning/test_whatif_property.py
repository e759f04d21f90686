"""What-if against two full evaluations, on small random portfolios.

The what-if evaluates only the agreements relying on the chosen technicians; the reference
evaluates every agreement as things are and again after really setting the technicians to
departed (rolled back), and compares the two in plain loops.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageStatus
from agreements.planning.whatif import what_if_technicians_leave
from skills.models import Technician
from tests.agreements.coverage.test_engine_property import DAY, build, live_portfolios


def severity(status):
    return CoverageStatus.severity_of(status)


def reference(before, after):
    """(worse, thinner) from two full evaluations: {agreement id: (before, after, {requirement
    id: what changed})}, listing only the requirements that got worse, or thinner."""
    before_by_id = {a.agreement_id: a for a in before.agreements}
    worse, thinner = {}, {}
    for agreement in after.agreements:
        old = before_by_id[agreement.agreement_id]
        old_requirements = {r.requirement_id: r for r in old.requirements}
        if severity(agreement.status) > severity(old.status):
            worse[agreement.agreement_id] = (
                old.status,
                agreement.status,
                {
                    r.requirement_id: (old_requirements[r.requirement_id].status, r.status)
                    for r in agreement.requirements
                    if severity(r.status) > severity(old_requirements[r.requirement_id].status)
                },
            )
            continue
        counts = {}
        for requirement in agreement.requirements:
            was = old_requirements[requirement.requirement_id]
            if (
                requirement.qualified_count < was.qualified_count
                or requirement.lasting_count < was.lasting_count
            ):
                counts[requirement.requirement_id] = (
                    was.qualified_count,
                    requirement.qualified_count,
                    was.lasting_count,
                    requirement.lasting_count,
                )
        if counts:
            thinner[agreement.agreement_id] = (old.status, agreement.status, counts)
    return worse, thinner


def of_what_if(what_if):
    worse = {
        c.agreement_id: (
            c.before,
            c.after,
            {r.requirement_id: (r.before, r.after) for r in c.requirements},
        )
        for c in what_if.changes
    }
    thinner = {
        c.agreement_id: (
            c.before,
            c.after,
            {
                r.requirement_id: (
                    r.qualified_before,
                    r.qualified_after,
                    r.lasting_before,
                    r.lasting_after,
                )
                for r in c.requirements
            },
        )
        for c in what_if.thinner
    }
    return worse, thinner


@pytest.mark.django_db
@settings(max_examples=250, deadline=None)
@given(portfolio=live_portfolios(), data=st.data())
def test_what_if_agrees_with_a_full_evaluation_after_they_depart(portfolio, data):
    chosen = data.draw(
        st.sets(st.integers(0, len(portfolio["technicians"]) - 1), min_size=1), label="chosen"
    )
    with transaction.atomic(), override_settings(COVERAGE_WARNING_DAYS=portfolio["window"]):
        keys = build(portfolio)
        technician_ids = [keys["technicians"][index] for index in chosen]

        what_if = what_if_technicians_leave(technician_ids=technician_ids, day=DAY)

        before = evaluate_coverage(day=DAY)
        with transaction.atomic():
            Technician.objects.filter(pk__in=technician_ids).update(
                status=Technician.Status.DEPARTED
            )
            after = evaluate_coverage(day=DAY)
            transaction.set_rollback(True)
        transaction.set_rollback(True)

    assert of_what_if(what_if) == reference(before, after)
