"""Partner programmes in a coverage check (DESIGN "Technicians keep their own skills"): met, at
risk within the warning window, not met; the report section and the dashboard's amount."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CheckedProgramme, CoverageCheck
from agreements.coverage.programmes import programme_outcomes
from agreements.coverage.report import coverage_report_send, report_context
from agreements.coverage.runs import coverage_run_execute
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    PartnerRuleFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)  # the window (60 days) ends on 25 Jan 2027

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

D = datetime.date


@pytest.fixture
def modern_work():
    """Microsoft Solutions Partner — Modern Work asks for 2 technicians certified MS-102; Jade
    Okafor and Dana Ortiz hold it for good."""
    ms102 = CertificationFactory(name="MS-102")
    programme = PartnerProgramFactory(
        vendor="Microsoft", tier="Solutions Partner — Modern Work", yearly_benefit=Decimal("18000")
    )
    PartnerRuleFactory(program=programme, certification=ms102, min_technicians=2)
    jade = TechnicianFactory(name="Jade Okafor")
    dana = TechnicianFactory(name="Dana Ortiz")
    return {
        "programme": programme,
        "jade": TechnicianCertificationFactory(technician=jade, certification=ms102),
        "dana": TechnicianCertificationFactory(technician=dana, certification=ms102),
    }


def checked(programme) -> CheckedProgramme:
    check = coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)
    return check.programme_results.get(programme=programme)


def test_met_when_enough_people_hold_it_through_the_window(modern_work):
    result = checked(modern_work["programme"])

    assert (result.status, result.lapses_on) == ("met", None)
    assert result.reason == (
        "Microsoft Solutions Partner — Modern Work: needs 2 technicians certified MS-102; has 2"
    )
    assert result.coverage_check.programme_benefit_at_stake == Decimal("0")


def test_at_risk_when_a_certification_expires_inside_the_window(modern_work):
    modern_work["jade"].expires_on = D(2027, 1, 11)
    modern_work["jade"].save()

    result = checked(modern_work["programme"])

    assert (result.status, result.lapses_on) == ("at_risk", D(2027, 1, 12))
    assert result.reason == (
        "Microsoft Solutions Partner — Modern Work: needs 2 technicians certified MS-102; "
        "has 2, Jade Okafor's lapses 12 Jan 2027"
    )
    assert result.benefit == Decimal("18000.00")
    check = result.coverage_check
    assert (check.programmes_at_risk_count, check.programmes_not_met_count) == (1, 0)
    assert check.programme_benefit_at_stake == Decimal("18000.00")


def test_an_expiry_after_the_window_keeps_it_met(modern_work):
    modern_work["jade"].expires_on = D(2027, 1, 25)  # still valid on the window's last day
    modern_work["jade"].save()

    assert checked(modern_work["programme"]).status == "met"


def test_at_risk_when_a_technicians_last_working_day_falls_inside_the_window(modern_work):
    dana = modern_work["dana"].technician
    dana.available_until = D(2027, 1, 5)
    dana.save()

    result = checked(modern_work["programme"])

    assert (result.status, result.lapses_on) == ("at_risk", D(2027, 1, 6))
    assert result.reason.endswith("has 2, Dana Ortiz's last day is 5 Jan 2027")


def test_not_met_when_too_few_hold_it_today(modern_work):
    modern_work["dana"].delete()

    result = checked(modern_work["programme"])

    assert (result.status, result.lapses_on) == ("not_met", None)
    assert result.reason == (
        "Microsoft Solutions Partner — Modern Work: needs 2 technicians certified MS-102; "
        "has 1 (Jade Okafor)"
    )
    assert result.coverage_check.programmes_not_met_count == 1


def test_an_expired_certification_or_a_departed_technician_does_not_count(modern_work):
    modern_work["jade"].expires_on = D(2026, 11, 25)
    modern_work["jade"].save()
    dana = modern_work["dana"].technician
    dana.status = "departed"
    dana.save()

    result = checked(modern_work["programme"])

    assert result.status == "not_met"
    assert result.reason.endswith("needs 2 technicians certified MS-102; has 0")


def test_a_skill_rule_counts_technicians_at_its_level(modern_work):
    intune = SkillFactory(name="Intune")
    PartnerRuleFactory(
        program=modern_work["programme"], skill=intune, min_level=4, min_technicians=1
    )
    TechnicianSkillFactory(skill=intune, level=3, technician=modern_work["jade"].technician)

    result = checked(modern_work["programme"])

    assert result.status == "not_met"
    assert result.reason == (
        "Microsoft Solutions Partner — Modern Work: needs 1 technician with Intune at level 4 "
        "or above; has 0"
    )
    assert [(rule["text"], rule["status"]) for rule in result.rules] == [
        ("2 technicians certified MS-102", "met"),
        ("1 technician with Intune at level 4 or above", "not_met"),
    ]


def test_the_check_reads_programmes_in_a_fixed_number_of_queries(
    modern_work, django_assert_num_queries
):
    for _ in range(5):
        rule = PartnerRuleFactory(program=PartnerProgramFactory(), min_technicians=1)
        TechnicianCertificationFactory(certification=rule.certification)
        PartnerRuleFactory(
            program=rule.program, skill=SkillFactory(), min_level=3, min_technicians=1
        )

    # programmes, rules (with certifications and skills), technicians available, the
    # certifications they hold, the skills they have
    with django_assert_num_queries(5):
        outcomes = programme_outcomes(day=TODAY, warning_days=60)
    assert len(outcomes) == 6


# ------------------------------------------------------------------------------ the report


def test_the_report_lists_programmes_at_stake_in_email_and_page(
    modern_work, recipient, consultant_client
):
    modern_work["jade"].expires_on = D(2027, 1, 11)
    modern_work["jade"].save()
    met = PartnerRuleFactory(program=PartnerProgramFactory(tier="Met tier"), min_technicians=1)
    TechnicianCertificationFactory(certification=met.certification)
    run = coverage_run_execute(run_date=TODAY)

    section = report_context(coverage_check=run.coverage_check)["sections"]["partner_programmes"]
    coverage_report_send(run_id=run.pk)
    page = consultant_client.get(reverse("coverage:report_detail", args=[run.coverage_check.pk]))

    assert [(row["programme"], row["lapses_on"]) for row in section["rows"]] == [
        ("Microsoft Solutions Partner — Modern Work", D(2027, 1, 12))
    ]
    assert section["benefit_at_stake"] == Decimal("18000.00")
    assert section["checked"] == 2
    body = mail.outbox[0].body
    assert "PARTNER PROGRAMMES AT RISK OR NOT MET" in body
    assert "$18,000 of yearly benefit at stake." in body
    assert "AT RISK from 12 Jan 2027: Microsoft Solutions Partner — Modern Work: needs 2" in body
    html = mail.outbox[0].alternatives[0][0]
    assert "Jade Okafor&#x27;s lapses 12 Jan 2027" in html
    assert "Jade Okafor&#x27;s lapses 12 Jan 2027" in page.content.decode()


def test_the_report_says_when_every_programme_is_met(modern_work, recipient):
    run = coverage_run_execute(run_date=TODAY)

    coverage_report_send(run_id=run.pk)

    body = mail.outbox[0].body
    assert "PARTNER PROGRAMMES AT RISK OR NOT MET\nEvery programme is met." in body


# ------------------------------------------------------------------------------ the pages


def test_the_dashboard_shows_the_benefit_at_stake(modern_work, consultant_client):
    modern_work["dana"].delete()
    at_risk = PartnerProgramFactory(tier="Security", yearly_benefit=Decimal("7500"))
    rule = PartnerRuleFactory(program=at_risk, min_technicians=1)
    TechnicianCertificationFactory(certification=rule.certification, expires_on=D(2026, 12, 20))
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)

    page = consultant_client.get(reverse("coverage:dashboard")).content.decode()

    assert 'data-testid="programme-benefit-at-stake">$25,500</div>' in page
    assert "1 not met · 1 at risk within 60 days" in page
    assert reverse("coverage:programme_status") in page


def test_the_status_page_lists_not_met_then_at_risk_then_met(modern_work, consultant_client):
    modern_work["dana"].delete()
    at_risk = PartnerProgramFactory(vendor="Fortinet", tier="Advanced", yearly_benefit=1)
    rule = PartnerRuleFactory(program=at_risk, min_technicians=1)
    TechnicianCertificationFactory(certification=rule.certification, expires_on=D(2026, 12, 20))
    PartnerProgramFactory(vendor="Cisco", tier="Select")
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)

    page = consultant_client.get(reverse("coverage:programme_status"))

    assert [row.label for row in page.context["object_list"]] == [
        "Microsoft Solutions Partner — Modern Work",
        "Fortinet Advanced",
        "Cisco Select",
    ]
    assert "Cisco Select: no rules recorded" in page.content.decode()


def test_the_status_page_of_an_unknown_check_is_not_found(consultant_client):
    response = consultant_client.get(reverse("coverage:programme_status", args=[987654]))

    assert response.status_code == 404


def test_a_programme_changed_since_the_check_says_the_figures_are_out_of_date(
    modern_work, consultant_client
):
    certification = CertificationFactory()
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        PartnerRuleFactory(
            program=modern_work["programme"], certification=certification, min_technicians=1
        )
        page = consultant_client.get(reverse("coverage:programme_status"))

    assert [str(change) for change in page.context["freshness"].changes] == [
        "1 partner programme rule"
    ]
