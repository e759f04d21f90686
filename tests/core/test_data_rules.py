"""Values a person types that the data must not keep: dates far outside any contract or career,
a last use in the future, the same technician email in another case."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement
from core.validators import DATE_RANGE_MESSAGE
from skills.models import Technician, TechnicianCertification, TechnicianSkill
from tests.clients.factories import ClientFactory
from tests.forms import formset
from tests.skills.factories import CertificationFactory, SkillFactory, TechnicianFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)),
]


def technician_data(**fields):
    return {
        "name": "Dana Ortiz",
        "email": "dana.ortiz@covered.example",
        "status": "active",
        "time_zone": "America/New_York",
        **formset("skills", []),
        **formset("certifications", []),
        **fields,
    }


def errors_of(response, form="form"):
    return response.context[form].errors


def test_date_range_message_names_both_ends():
    assert DATE_RANGE_MESSAGE == "Enter a date between 1 Jan 1990 and 31 Dec 2100."


@pytest.mark.parametrize("start", ["2201-01-01", "1899-12-31"])
def test_an_agreement_start_outside_the_range_gets_a_field_message(consultant_client, start):
    response = consultant_client.post(
        reverse("agreements:create"),
        {
            "client": ClientFactory().pk,
            "title": "Managed IT",
            "status": "active",
            "start_date": start,
            "notice_days": "60",
            "renewal_term_months": "12",
            "billing_cycle": "monthly",
            "annual_value": "12000",
            "sla_response_hours": "4",
            "support_hours": "8x5",
            **formset("requirements", []),
        },
    )

    assert response.status_code == 200
    assert errors_of(response)["start_date"] == [DATE_RANGE_MESSAGE]
    assert not Agreement.objects.exists()


def test_a_last_working_day_outside_the_range_gets_a_field_message(consultant_client):
    response = consultant_client.post(
        reverse("skills:technician_create"), technician_data(available_until="3026-01-31")
    )

    assert errors_of(response)["available_until"] == [DATE_RANGE_MESSAGE]
    assert not Technician.objects.exists()


def test_a_certification_earned_in_the_year_20260_is_refused(consultant_client):
    certification = CertificationFactory()
    data = technician_data(
        **formset(
            "certifications", [{"certification": certification.pk, "earned_on": "20260-01-01"}]
        )
    )

    response = consultant_client.post(reverse("skills:technician_create"), data)

    assert response.status_code == 200
    assert response.context["certifications"].errors[0]["earned_on"]
    assert not TechnicianCertification.objects.exists()


def test_a_skill_last_used_tomorrow_is_refused(consultant_client):
    data = technician_data(
        **formset("skills", [{"skill": SkillFactory().pk, "level": "3", "last_used": "2026-12-02"}])
    )

    response = consultant_client.post(reverse("skills:technician_create"), data)

    assert response.context["skills"].errors[0]["last_used"] == ["This date is in the future."]
    assert not TechnicianSkill.objects.exists()


def test_a_skill_last_used_today_is_kept(consultant_client):
    data = technician_data(
        **formset("skills", [{"skill": SkillFactory().pk, "level": "3", "last_used": "2026-12-01"}])
    )

    response = consultant_client.post(reverse("skills:technician_create"), data)

    assert response.status_code == 302
    assert TechnicianSkill.objects.get().last_used == datetime.date(2026, 12, 1)


def test_a_technician_email_in_another_case_is_taken(consultant_client):
    TechnicianFactory(email="dana.ortiz@covered.example")

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_data(name="Dana Ortiz-Lee", email="Dana.Ortiz@Covered.example"),
    )

    assert errors_of(response)["email"] == ["Another technician already uses this email address."]
    assert Technician.objects.count() == 1
