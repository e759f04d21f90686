import datetime
from decimal import Decimal

import pytest

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.report import single_technician_skills
from skills.models import Technician
from skills.selectors import expiring_certifications, technicians_without_baseline
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)


def days(n):
    return datetime.timedelta(days=n)


def evaluate():
    return evaluate_coverage(day=DAY, warning_days=60)


# -------------------------------------------------------------------- single technician skills


def skill_known_by_one(name, *, agreement_values):
    skill = SkillFactory(name=name)
    TechnicianSkillFactory(skill=skill, technician=TechnicianFactory(name=f"{name} expert"))
    for value in agreement_values:
        RequirementFactory(agreement=AgreementFactory(annual_value=Decimal(value)), skill=skill)
    return skill


def test_single_technician_skills_rank_by_revenue_dependence():
    skill_known_by_one("Exchange", agreement_values=["5000"])
    skill_known_by_one("Cisco IOS", agreement_values=["3000", "4000"])

    rows = single_technician_skills(evaluate())

    assert [(row.skill_name, row.revenue_dependence) for row in rows] == [
        ("Cisco IOS", Decimal("7000")),
        ("Exchange", Decimal("5000")),
    ]


def test_single_technician_skill_names_the_technician():
    skill_known_by_one("Exchange", agreement_values=["5000"])

    assert single_technician_skills(evaluate())[0].technician_names == ("Exchange expert",)


def test_skill_with_two_qualified_technicians_is_not_listed():
    skill = skill_known_by_one("Exchange", agreement_values=["5000"])
    TechnicianSkillFactory(skill=skill)

    assert single_technician_skills(evaluate()) == []


def test_single_technician_skills_take_one_query(django_assert_num_queries):
    skill_known_by_one("Exchange", agreement_values=["5000", "6000"])
    skill_known_by_one("Cisco IOS", agreement_values=["3000"])
    result = evaluate()

    with django_assert_num_queries(1):  # the skill names
        single_technician_skills(result)


# -------------------------------------------------------------------- expiring certifications


def test_expiring_certifications_lists_those_expiring_within_the_window():
    ccna = CertificationFactory(name="CCNA")
    inside = TechnicianCertificationFactory(certification=ccna, expires_on=DAY + days(30))
    TechnicianCertificationFactory(certification=ccna, expires_on=DAY + days(31))
    TechnicianCertificationFactory(certification=ccna, expires_on=DAY - days(1))
    TechnicianCertificationFactory(certification=ccna, expires_on=None)

    assert list(expiring_certifications(day=DAY, within_days=30)) == [inside]


def test_expiring_certifications_leave_out_departed_technicians():
    TechnicianCertificationFactory(
        technician=TechnicianFactory(status=Technician.Status.DEPARTED), expires_on=DAY + days(5)
    )

    assert list(expiring_certifications(day=DAY, within_days=30)) == []


def test_expiring_certifications_default_to_the_warning_window(settings):
    settings.COVERAGE_WARNING_DAYS = 10
    TechnicianCertificationFactory(expires_on=DAY + days(11))

    assert list(expiring_certifications(day=DAY)) == []


# ------------------------------------------------------------------------ baseline certification


def test_technician_without_a_baseline_certification_is_listed():
    CertificationFactory(name="MCP", is_baseline=True)
    technician = TechnicianFactory()

    assert list(technicians_without_baseline(day=DAY)) == [technician]


def test_technician_with_a_valid_baseline_certification_is_not_listed():
    mcp = CertificationFactory(name="MCP", is_baseline=True)
    TechnicianCertificationFactory(certification=mcp, expires_on=DAY)

    assert list(technicians_without_baseline(day=DAY)) == []


def test_technician_whose_baseline_certification_expired_is_listed():
    mcp = CertificationFactory(name="MCP", is_baseline=True)
    holding = TechnicianCertificationFactory(certification=mcp, expires_on=DAY - days(1))

    assert list(technicians_without_baseline(day=DAY)) == [holding.technician]


def test_no_technician_is_listed_when_no_baseline_certification_exists():
    TechnicianFactory()

    assert list(technicians_without_baseline(day=DAY)) == []


def test_departed_technicians_are_not_listed_without_baseline():
    CertificationFactory(name="MCP", is_baseline=True)
    TechnicianFactory(status=Technician.Status.DEPARTED)

    assert list(technicians_without_baseline(day=DAY)) == []
