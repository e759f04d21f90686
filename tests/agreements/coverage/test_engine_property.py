"""The engine against a plain-Python reading of the coverage rules, on small random data sets:
8x5 agreements and technicians without hours, time off or rotas, all in the firm's zone.

The reference walks day by day through the window with simple loops over the drawn data; it
shares no code with the engine.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.coverage.engine import evaluate_coverage, evaluate_coverage_without
from agreements.models import Agreement, Requirement
from skills.models import Technician, TechnicianCertification, TechnicianSkill
from tests.agreements.factories import AgreementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
)

DAY = datetime.date(2026, 11, 26)
EARNED_ON = datetime.date(2020, 1, 1)
MAX_WINDOW = 8


# Weighted towards active, skilled technicians so that coverage is often present and can lapse.
TECHNICIAN_STATUSES = st.sampled_from([Technician.Status.ACTIVE] * 4 + Technician.Status.values)
LEVELS = st.sampled_from([1, 2, 3, 3, 4, 4, 5, 5])


def days(n):
    return datetime.timedelta(days=n)


def optional_day(window):
    """None (open) or a day from just before D to just after D + W."""
    return st.none() | st.integers(-2, window + 2).map(lambda offset: DAY + days(offset))


@st.composite
def portfolios(draw):
    window = draw(st.integers(0, MAX_WINDOW))
    version_counts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    certification_count = draw(st.integers(1, 2))

    def version_bound(skill):
        return st.none() | st.integers(0, version_counts[skill] - 1)

    technicians = []
    for _ in range(draw(st.integers(1, 5))):
        skills = {}
        for skill in draw(st.sets(st.integers(0, len(version_counts) - 1))):
            oldest, newest = draw(version_bound(skill)), draw(version_bound(skill))
            if oldest is not None and newest is not None and newest < oldest:
                oldest, newest = newest, oldest
            skills[skill] = {"level": draw(LEVELS), "oldest": oldest, "newest": newest}
        certifications = {
            certification: draw(optional_day(window))
            for certification in draw(st.sets(st.integers(0, certification_count - 1)))
        }
        technicians.append(
            {
                "status": draw(TECHNICIAN_STATUSES),
                "available_until": draw(optional_day(window)),
                "skills": skills,
                "certifications": certifications,
            }
        )

    agreements = [
        {
            "status": draw(st.sampled_from([Agreement.Status.ACTIVE, Agreement.Status.DRAFT])),
            "start_date": DAY + days(draw(st.integers(-3, 1))),
            "end_date": draw(st.none() | st.integers(0, 3).map(lambda n: DAY + days(n - 1))),
            "annual_value": Decimal(draw(st.integers(0, 50))) * 1000,
            "auto_renew": draw(st.booleans()),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    for agreement in agreements:
        if agreement["end_date"] is not None and agreement["end_date"] < agreement["start_date"]:
            agreement["end_date"] = agreement["start_date"]

    requirements = []
    for _ in range(draw(st.integers(1, 4))):
        skill = draw(st.none() | st.integers(0, len(version_counts) - 1))
        certification = draw(
            st.integers(0, certification_count - 1)
            if skill is None
            else st.none() | st.integers(0, certification_count - 1)
        )
        requirements.append(
            {
                "agreement": draw(st.integers(0, len(agreements) - 1)),
                "skill": skill,
                "version": None if skill is None else draw(version_bound(skill)),
                "certification": certification,
                "min_level": draw(st.integers(1, 4)),
                "min_technicians": draw(st.integers(1, 3)),
            }
        )
    excluded = draw(st.sets(st.integers(0, len(technicians) - 1), max_size=1))
    return {
        "window": window,
        "version_counts": version_counts,
        "certification_count": certification_count,
        "technicians": technicians,
        "agreements": agreements,
        "requirements": requirements,
        "excluded": excluded,
    }


def live_portfolios():
    """portfolios() whose first agreement is active on the day and first technician active
    without an end, for tests that compare what changes: most random portfolios have nothing
    that a chosen technician, or a boundary date, could change."""

    def make_live(portfolio):
        portfolio["agreements"][0].update(
            status=Agreement.Status.ACTIVE, start_date=DAY, end_date=None
        )
        portfolio["technicians"][0].update(status=Technician.Status.ACTIVE, available_until=None)
        return portfolio

    return portfolios().map(make_live)


# ------------------------------------------------------------------------------- the reference


def is_active(agreement, day):
    return (
        agreement["status"] == Agreement.Status.ACTIVE
        and agreement["start_date"] <= day
        and (
            agreement["end_date"] is None
            or agreement["end_date"] >= day
            or agreement["auto_renew"]  # it renews: active past its initial end date
        )
    )


def is_available(portfolio, index, day):
    technician = portfolio["technicians"][index]
    return (
        index not in portfolio["excluded"]
        and technician["status"] == Technician.Status.ACTIVE
        and (technician["available_until"] is None or technician["available_until"] >= day)
    )


def qualifies(portfolio, index, requirement, day):
    if not is_available(portfolio, index, day):
        return False
    technician = portfolio["technicians"][index]
    if requirement["skill"] is not None:
        known = technician["skills"].get(requirement["skill"])
        if known is None or known["level"] < requirement["min_level"]:
            return False
        version = requirement["version"]
        if version is not None:
            if known["oldest"] is not None and known["oldest"] > version:
                return False
            if known["newest"] is not None and version > known["newest"]:
                return False
    if requirement["certification"] is not None:
        if requirement["certification"] not in technician["certifications"]:
            return False
        expires_on = technician["certifications"][requirement["certification"]]
        if expires_on is not None and expires_on < day:
            return False
    return True


def qualified_on(portfolio, requirement, day):
    return {
        index
        for index in range(len(portfolio["technicians"]))
        if qualifies(portfolio, index, requirement, day)
    }


def reference_requirement(portfolio, requirement):
    window = portfolio["window"]
    needed = requirement["min_technicians"]
    qualified = qualified_on(portfolio, requirement, DAY)
    lasting = qualified_on(portfolio, requirement, DAY + days(window))
    lapses_on = None
    risk_kind = ""
    if not qualified:
        status = "uncovered"
    elif len(lasting) >= needed:
        status = "covered"
    else:
        status = "at_risk"
        # Thin when too few qualify on the day, whatever happens later; else lapsing.
        risk_kind = "thin" if len(qualified) < needed else "lapsing"
        if len(qualified) >= needed:
            for offset in range(1, window + 1):
                if len(qualified_on(portfolio, requirement, DAY + days(offset))) < needed:
                    lapses_on = DAY + days(offset)
                    break
        else:
            # A dated gap in the support window: the agreements are 8x5 and everyone works the
            # default Monday to Friday in the firm's zone, so the first weekday of D … D+W−1
            # on which nobody qualifies.
            for offset in range(window):
                on = DAY + days(offset)
                if on.weekday() < 5 and not qualified_on(portfolio, requirement, on):
                    lapses_on = on
                    break
    return {
        "status": status,
        "risk_kind": risk_kind,
        "qualified": qualified,
        "lasting_count": len(lasting),
        "lapses_on": lapses_on,
    }


SEVERITY = ["covered", "at_risk", "uncovered"]


def reference_agreement_status(portfolio, agreement_index):
    """(status, risk kind) of the agreement: the worst of its requirements; at risk, thin when
    one of its at-risk requirements is."""
    outcomes = [
        reference_requirement(portfolio, requirement)
        for requirement in portfolio["requirements"]
        if requirement["agreement"] == agreement_index
    ]
    if not outcomes:
        return "not_assessed", ""
    status = max((outcome["status"] for outcome in outcomes), key=SEVERITY.index)
    if status != "at_risk":
        return status, ""
    kinds = {outcome["risk_kind"] for outcome in outcomes if outcome["status"] == "at_risk"}
    return status, "thin" if "thin" in kinds else "lapsing"


# ------------------------------------------------------------------------------ building rows


def pick(rows, index):
    return None if index is None else rows[index]


def build(portfolio):
    """Write the drawn portfolio; returns lookups from drawn indexes to primary keys."""
    skills, versions = [], []
    for count in portfolio["version_counts"]:
        skill = SkillFactory()
        skills.append(skill)
        versions.append([SkillVersionFactory(skill=skill, rank=r + 1) for r in range(count)])
    certifications = CertificationFactory.create_batch(portfolio["certification_count"])

    technicians = []
    for drawn in portfolio["technicians"]:
        technician = TechnicianFactory(
            status=drawn["status"], available_until=drawn["available_until"]
        )
        technicians.append(technician)
        for skill, known in drawn["skills"].items():
            TechnicianSkill.objects.create(
                technician=technician,
                skill=skills[skill],
                level=known["level"],
                oldest_version=pick(versions[skill], known["oldest"]),
                newest_version=pick(versions[skill], known["newest"]),
            )
        for certification, expires_on in drawn["certifications"].items():
            TechnicianCertification.objects.create(
                technician=technician,
                certification=certifications[certification],
                earned_on=EARNED_ON,
                expires_on=expires_on,
            )

    agreements = [AgreementFactory(**drawn) for drawn in portfolio["agreements"]]
    requirements = []
    for drawn in portfolio["requirements"]:
        skill = drawn["skill"]
        requirements.append(
            Requirement.objects.create(
                agreement=agreements[drawn["agreement"]],
                skill=pick(skills, skill),
                version=None if skill is None else pick(versions[skill], drawn["version"]),
                certification=pick(certifications, drawn["certification"]),
                min_level=drawn["min_level"],
                min_technicians=drawn["min_technicians"],
            )
        )
    return {
        "skills": [skill.pk for skill in skills],
        "technicians": [technician.pk for technician in technicians],
        "agreements": [agreement.pk for agreement in agreements],
        "requirements": [requirement.pk for requirement in requirements],
    }


def evaluated(portfolio, keys):
    return evaluate_coverage(
        day=DAY,
        warning_days=portfolio["window"],
        exclude_technician_ids=[keys["technicians"][index] for index in portfolio["excluded"]],
    )


def requirement_outcomes_of_engine(result, keys):
    by_id = {coverage.requirement_id: coverage for coverage in result.requirements}
    outcomes = {}
    for index, pk in enumerate(keys["requirements"]):
        coverage = by_id.get(pk)
        if coverage is not None:
            outcomes[index] = {
                "status": coverage.status,
                "risk_kind": coverage.risk_kind,
                "qualified": {keys["technicians"].index(t) for t in coverage.qualified_ids},
                "lasting_count": coverage.lasting_count,
                "lapses_on": coverage.lapses_on,
            }
    return outcomes


def requirement_outcomes_of_reference(portfolio):
    return {
        index: reference_requirement(portfolio, requirement)
        for index, requirement in enumerate(portfolio["requirements"])
        if is_active(portfolio["agreements"][requirement["agreement"]], DAY)
    }


def in_rolled_back_savepoint(check):
    """Each example writes inside its own savepoint, undone afterwards."""

    def run(portfolio):
        with transaction.atomic():
            check(portfolio)
            transaction.set_rollback(True)

    return run


# ------------------------------------------------------------------------------------- tests


@pytest.mark.django_db
@settings(max_examples=250, deadline=None)
@given(portfolios())
@in_rolled_back_savepoint
def test_requirement_outcomes_match_the_reference(portfolio):
    keys = build(portfolio)

    engine = requirement_outcomes_of_engine(evaluated(portfolio, keys), keys)

    assert engine == requirement_outcomes_of_reference(portfolio)


@pytest.mark.django_db
@settings(max_examples=75, deadline=None)
@given(portfolios())
@in_rolled_back_savepoint
def test_agreement_statuses_and_revenue_match_the_reference(portfolio):
    keys = build(portfolio)
    result = evaluated(portfolio, keys)
    active = [
        index
        for index, agreement in enumerate(portfolio["agreements"])
        if is_active(agreement, DAY)
    ]
    statuses = {index: reference_agreement_status(portfolio, index) for index in active}

    def revenue(status, risk_kind=None):
        return sum(
            (
                portfolio["agreements"][index]["annual_value"]
                for index in active
                if statuses[index][0] == status and risk_kind in (None, statuses[index][1])
            ),
            Decimal("0"),
        )

    dependence = {}
    for index in active:
        for skill in {
            requirement["skill"]
            for requirement in portfolio["requirements"]
            if requirement["agreement"] == index and requirement["skill"] is not None
        }:
            key = keys["skills"][skill]
            dependence[key] = (
                dependence.get(key, Decimal("0")) + portfolio["agreements"][index]["annual_value"]
            )

    assert (
        {
            keys["agreements"].index(a.agreement_id): (a.status, a.risk_kind)
            for a in result.agreements
        },
        result.arr_total,
        result.arr_uncovered,
        result.arr_at_risk,
        result.arr_thin,
        result.arr_lapsing,
        result.revenue_dependence,
    ) == (
        statuses,
        sum((portfolio["agreements"][index]["annual_value"] for index in active), Decimal("0")),
        revenue("uncovered"),
        revenue("at_risk"),
        revenue("at_risk", "thin"),
        revenue("at_risk", "lapsing"),
        dependence,
    )


@pytest.mark.django_db
@settings(max_examples=100, deadline=None)
@given(portfolios())
@in_rolled_back_savepoint
def test_both_sides_of_an_evaluation_without_technicians_match_separate_evaluations(portfolio):
    keys = build(portfolio)
    gone = [keys["technicians"][index] for index in portfolio["excluded"]]

    as_is, without = evaluate_coverage_without(
        day=DAY, warning_days=portfolio["window"], technician_ids=gone
    )

    assert requirement_outcomes_of_engine(as_is, keys) == requirement_outcomes_of_reference(
        {**portfolio, "excluded": set()}
    )
    assert requirement_outcomes_of_engine(without, keys) == requirement_outcomes_of_reference(
        portfolio
    )
    # Reasons and candidates too: the side without them reuses outcomes it must not get wrong.
    separate = evaluate_coverage(
        day=DAY, warning_days=portfolio["window"], exclude_technician_ids=gone
    )
    assert without.requirements == separate.requirements
    assert [(a.status, a.risk_kind) for a in without.agreements] == [
        (a.status, a.risk_kind) for a in separate.agreements
    ]


@pytest.mark.django_db
@settings(max_examples=50, deadline=None)
@given(portfolios())
@in_rolled_back_savepoint
def test_one_agreement_evaluated_alone_is_as_in_the_whole_evaluation(portfolio):
    keys = build(portfolio)
    whole = evaluated(portfolio, keys)

    for agreement in whole.agreements:
        alone = evaluate_coverage(
            day=DAY,
            warning_days=portfolio["window"],
            agreement_ids=[agreement.agreement_id],
            exclude_technician_ids=[keys["technicians"][i] for i in portfolio["excluded"]],
        )
        assert [(a.status, a.risk_kind, a.requirements) for a in alone.agreements] == [
            (agreement.status, agreement.risk_kind, agreement.requirements)
        ]
