"""Partner programmes in the API: the programmes with their rules, and their status in a
check (read-only)."""

import datetime
from decimal import Decimal

import pytest

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from skills.models import PartnerProgram, PartnerRule
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    PartnerRuleFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)


def test_a_programme_is_created_with_its_rules_in_one_request(api, consultant):
    ms102 = CertificationFactory(name="MS-102")
    intune = SkillFactory(name="Intune")

    response = api(consultant).post(
        "/api/v1/partner-programmes/",
        {
            "vendor": "Microsoft",
            "tier": "Solutions Partner — Modern Work",
            "renewal_date": "2027-07-01",
            "yearly_benefit": "18000.00",
            "rules": [
                {"certification": ms102.pk, "min_technicians": 2},
                {"skill": intune.pk, "min_level": 4, "min_technicians": 1},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(rule["certification_name"], rule["skill_name"]) for rule in body["rules"]] == [
        ("MS-102", None),
        (None, "Intune"),
    ]
    programme = PartnerProgram.objects.get()
    assert programme.history.get().history_user == consultant
    assert programme.rules.count() == 2


def test_a_rule_with_a_certification_and_a_skill_is_refused_and_nothing_is_saved(api, consultant):
    response = api(consultant).post(
        "/api/v1/partner-programmes/",
        {
            "vendor": "Microsoft",
            "tier": "Solutions Partner — Security",
            "yearly_benefit": "5000",
            "rules": [
                {
                    "certification": CertificationFactory().pk,
                    "skill": SkillFactory().pk,
                    "min_level": 3,
                    "min_technicians": 1,
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["rules"]["0"]["certification"] == [
        "Choose a certification or a skill, not both."
    ]
    assert not PartnerProgram.objects.exists()


def test_replacing_the_rules_removes_those_left_out(api, consultant):
    programme = PartnerProgramFactory()
    kept = PartnerRuleFactory(program=programme, min_technicians=2)
    PartnerRuleFactory(program=programme)

    response = api(consultant).patch(
        f"/api/v1/partner-programmes/{programme.pk}/",
        {"rules": [{"id": kept.pk, "certification": kept.certification_id, "min_technicians": 3}]},
        format="json",
    )

    assert response.status_code == 200
    assert list(PartnerRule.objects.values_list("pk", "min_technicians")) == [(kept.pk, 3)]


@pytest.mark.time_machine(NOW, tick=False)
def test_the_programmes_of_a_check_are_read_only_with_their_status(api, viewer, consultant):
    programme = PartnerProgramFactory(
        vendor="Microsoft", tier="Solutions Partner — Modern Work", yearly_benefit=18000
    )
    rule = PartnerRuleFactory(program=programme, min_technicians=2)
    TechnicianCertificationFactory(
        technician=TechnicianFactory(name="Jade Okafor"),
        certification=rule.certification,
        expires_on=datetime.date(2027, 1, 11),
    )
    TechnicianCertificationFactory(certification=rule.certification)
    check = coverage_check_run(day=NOW.date(), trigger=CoverageCheck.Trigger.MANUAL)
    client = api(viewer)

    listed = client.get(f"/api/v1/checks/{check.pk}/partner-programmes/")
    figures = client.get(f"/api/v1/checks/{check.pk}/").json()
    refused = api(consultant).post(f"/api/v1/checks/{check.pk}/partner-programmes/", {})

    (row,) = listed.json()["results"]
    assert (row["programme"], row["status"], row["lapses_on"]) == (
        programme.pk,
        "at_risk",
        "2027-01-12",
    )
    assert row["reason"].endswith("has 2, Jade Okafor's lapses 12 Jan 2027")
    assert [(r["needed"], r["has"], r["lasting"]) for r in row["rules"]] == [(2, 2, 1)]
    assert Decimal(figures["programme_benefit_at_stake"]) == Decimal("18000")
    assert figures["partner_programmes_url"].endswith(f"/checks/{check.pk}/partner-programmes/")
    assert refused.status_code == 405


def test_the_programmes_of_an_unknown_check_are_not_found(api, viewer):
    response = api(viewer).get("/api/v1/checks/987654/partner-programmes/")

    assert response.status_code == 404
