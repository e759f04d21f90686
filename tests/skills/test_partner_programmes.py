"""The partner programme pages: consultants keep programmes and their rules, viewers read them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from skills.models import MAX_RULES, PartnerProgram, PartnerRule
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    PartnerRuleFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


def programme_data(*rules, vendor="Microsoft", tier="Solutions Partner — Modern Work", **extra):
    """The form's post: the programme's fields and the rule rows (dicts of the row's fields)."""
    data = {
        "vendor": vendor,
        "tier": tier,
        "renewal_date": "2027-07-01",
        "yearly_benefit": "18000",
        "notes": "",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": str(MAX_RULES),
        **extra,
    }
    for index, rule in enumerate(rules):
        for name, value in rule.items():
            data[f"rules-{index}-{name}"] = value
    return data


def test_a_consultant_adds_a_programme_with_its_rules(consultant_client, consultant):
    ms102 = CertificationFactory(name="MS-102")
    intune = SkillFactory(name="Intune")

    response = consultant_client.post(
        reverse("skills:programme_create"),
        programme_data(
            {"certification": ms102.pk, "min_technicians": "2"},
            {"skill": intune.pk, "min_level": "4", "min_technicians": "1"},
        ),
    )

    programme = PartnerProgram.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("skills:programme_detail", args=[programme.pk])
    assert programme.yearly_benefit == Decimal("18000.00")
    assert [rule.requirement_text for rule in programme.rules.order_by("pk")] == [
        "2 technicians certified MS-102",
        "1 technician with Intune at level 4 or above",
    ]
    assert programme.history.get().history_user == consultant


@pytest.mark.parametrize(
    ("rule", "field", "error"),
    [
        ({"min_technicians": "2"}, "certification", "Choose a certification, or a skill"),
        ({"skill": "SKILL", "min_technicians": "2"}, "min_level", "Say the level the tier asks"),
        (
            {"certification": "CERT", "skill": "SKILL", "min_level": "3", "min_technicians": "1"},
            "skill",
            "Choose a certification or a skill, not both.",
        ),
        (
            {"certification": "CERT", "min_technicians": "0"},
            "min_technicians",
            "greater than or equal to 1",
        ),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_nothing_is_saved(
    consultant_client, rule, field, error
):
    values = {
        "CERT": str(CertificationFactory().pk),
        "SKILL": str(SkillFactory().pk),
    }
    rule = {name: values.get(value, value) for name, value in rule.items()}

    response = consultant_client.post(reverse("skills:programme_create"), programme_data(rule))

    assert response.status_code == 200
    formset = response.context["rules"]
    assert error in " ".join(formset.forms[0].errors[field])
    assert not PartnerProgram.objects.exists()


def test_more_rules_than_the_bound_are_refused(consultant_client):
    certification = CertificationFactory()
    rules = [{"certification": certification.pk, "min_technicians": "1"}] * (MAX_RULES + 1)

    response = consultant_client.post(reverse("skills:programme_create"), programme_data(*rules))

    assert response.status_code == 200
    assert response.context["rules"].non_form_errors() == [
        f"A programme has at most {MAX_RULES} rules."
    ]
    assert not PartnerProgram.objects.exists()


def test_the_same_vendor_and_tier_twice_is_refused(consultant_client):
    PartnerProgramFactory(vendor="Microsoft", tier="Solutions Partner — Modern Work")

    response = consultant_client.post(
        reverse("skills:programme_create"), programme_data(vendor="MICROSOFT")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["tier"] == [
        "This vendor already has a programme with this tier."
    ]
    assert PartnerProgram.objects.count() == 1


def test_a_consultant_edits_a_rule_and_removes_another(consultant_client):
    programme = PartnerProgramFactory()
    kept = PartnerRuleFactory(program=programme, min_technicians=2)
    removed = PartnerRuleFactory(program=programme, min_technicians=1)
    data = programme_data(
        {"id": kept.pk, "certification": kept.certification_id, "min_technicians": "3"},
        {
            "id": removed.pk,
            "certification": removed.certification_id,
            "min_technicians": "1",
            "DELETE": "on",
        },
        vendor=programme.vendor,
        tier=programme.tier,
    )
    data["rules-INITIAL_FORMS"] = "2"

    response = consultant_client.post(reverse("skills:programme_update", args=[programme.pk]), data)

    assert response.status_code == 302
    assert list(PartnerRule.objects.values_list("pk", "min_technicians")) == [(kept.pk, 3)]


def test_pages_show_programmes_to_a_viewer_but_not_the_forms(viewer_client):
    programme = PartnerProgramFactory(vendor="Fortinet", tier="Advanced")
    PartnerRuleFactory(program=programme, certification=CertificationFactory(name="NSE 4"))

    listed = viewer_client.get(reverse("skills:programme_list"))
    shown = viewer_client.get(reverse("skills:programme_detail", args=[programme.pk]))
    create = viewer_client.post(reverse("skills:programme_create"), programme_data())

    assert list(listed.context["programmes"]) == [programme]
    assert "At least 2 technicians certified NSE 4" in shown.content.decode()
    assert "Edit programme" not in shown.content.decode()
    assert create.status_code == 403
    assert PartnerProgram.objects.count() == 1


def test_an_unknown_programme_is_not_found(consultant_client):
    response = consultant_client.get(reverse("skills:programme_detail", args=[987654]))

    assert response.status_code == 404


def test_the_list_downloads_programmes_and_rules_in_the_imports_columns(consultant_client):
    programme = PartnerProgramFactory(vendor="Cisco", tier="Select", yearly_benefit=5000)
    PartnerRuleFactory(program=programme, certification=CertificationFactory(name="CCNA"))

    programmes = consultant_client.get(reverse("skills:programme_list"), {"export": "csv"})
    rules = consultant_client.get(
        reverse("skills:programme_list"), {"export": "csv", "rows": "rules"}
    )

    assert b"".join(programmes.streaming_content).decode("utf-8-sig").splitlines() == [
        "Vendor,Tier,Renewal date,Yearly benefit,Notes",
        "Cisco,Select,,5000.00,",
    ]
    assert b"".join(rules.streaming_content).decode("utf-8-sig").splitlines() == [
        "Vendor,Tier,Certification,Skill,Level,Technicians",
        "Cisco,Select,CCNA,,,2",
    ]


@pytest.mark.parametrize("rows", [1, 12])
def test_programme_list_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        PartnerRuleFactory(program=PartnerProgramFactory())

    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the count for the paginator, the page of programmes, their rules
    with django_assert_num_queries(9):
        response = consultant_client.get(reverse("skills:programme_list"))
    assert response.status_code == 200
