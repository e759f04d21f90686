"""Saving through Django admin runs the same services: references, derived requirements."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreements.models import Agreement, AgreementService, Requirement
from agreements.services import agreement_create, service_create
from clients.services import client_technology_add
from tests.clients.factories import ClientFactory
from tests.forms import formset
from tests.skills.factories import CertificationFactory

pytestmark = pytest.mark.django_db


def agreement_form(client, **overrides):
    return {
        "client": str(client.pk),
        "title": "Managed IT",
        "status": Agreement.Status.ACTIVE,
        "start_date": "2026-01-01",
        "end_date": "",
        "notice_days": "60",
        "renewal_term_months": "12",
        "billing_cycle": Agreement.BillingCycle.MONTHLY,
        "annual_value": "24000.00",
        "sla_response_hours": "4",
        "support_hours": Agreement.SupportHours.BUSINESS,
        "owner": "",
        "notes": "",
        **overrides,
    }


@pytest.fixture
def dental_practice(exchange_2016):
    client = ClientFactory(name="Harbor Dental")
    client_technology_add(client=client, skill=exchange_2016.skill, version=exchange_2016)
    return client


@pytest.fixture
def email_service(exchange_2016):
    return service_create(name="Managed email", skills=[exchange_2016.skill], min_level=4)


@time_machine.travel(datetime.datetime(2026, 5, 4, 15, tzinfo=datetime.UTC), tick=False)
def test_agreement_added_in_admin_gets_a_reference_and_derived_requirements(
    admin_client, dental_practice, email_service
):
    ccna = CertificationFactory(name="CCNA")
    data = {
        **agreement_form(dental_practice),
        **formset("agreement_services", [{"service": str(email_service.pk)}]),
        **formset("requirements", []),
        **formset(
            "requirements-2",
            [
                {
                    "certification": str(ccna.pk),
                    "min_level": "3",
                    "min_technicians": "1",
                    "notes": "The contract demands a CCNA holder",
                }
            ],
        ),
    }

    response = admin_client.post(reverse("admin:agreements_agreement_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    agreement = Agreement.objects.get()
    assert agreement.reference == "AGR-2026-0001"
    assert agreement.annual_value == Decimal("24000.00")
    assert set(
        agreement.requirements.values_list(
            "source", "skill__name", "version__label", "certification__name", "min_level"
        )
    ) == {
        (Requirement.Source.DERIVED, "Exchange", "2016", None, 4),
        (Requirement.Source.MANUAL, None, None, "CCNA", 3),
    }


def test_invalid_agreement_in_admin_shows_the_error_and_saves_nothing(
    admin_client, dental_practice
):
    data = {
        **agreement_form(dental_practice, end_date="2025-12-31"),
        **formset("agreement_services", []),
        **formset("requirements", []),
        **formset("requirements-2", []),
    }

    response = admin_client.post(reverse("admin:agreements_agreement_add"), data)

    assert response.status_code == 200
    assert "End date (31 Dec 2025) is before the start date (1 Jan 2026)." in (
        response.content.decode()
    )
    assert not Agreement.objects.exists()


def test_service_removed_in_admin_removes_its_derived_requirement(
    admin_client, dental_practice, email_service
):
    agreement = agreement_create(
        client=dental_practice,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("24000.00"),
        services=[email_service],
    )
    link = AgreementService.objects.get(agreement=agreement)
    derived = agreement.requirements.get()
    data = {
        **agreement_form(dental_practice),
        **formset(
            "agreement_services",
            [
                {
                    "id": str(link.pk),
                    "agreement": str(agreement.pk),
                    "service": str(email_service.pk),
                    "DELETE": "on",
                }
            ],
            initial=1,
        ),
        **formset(
            "requirements", [{"id": str(derived.pk), "agreement": str(agreement.pk)}], initial=1
        ),
        **formset("requirements-2", []),
    }

    response = admin_client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]), data
    )

    assert response.status_code == 302
    assert not agreement.requirements.exists()


def test_technology_added_in_client_admin_derives_requirements(
    admin_client, exchange_2016, email_service
):
    client = ClientFactory(name="Lakeside Law")
    agreement = agreement_create(
        client=client,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("18000.00"),
        services=[email_service],
    )
    data = {
        "name": client.name,
        "status": client.status,
        "time_zone": client.time_zone,
        "industry": client.industry,
        "seats": str(client.seats),
        **formset("contacts", []),
        **formset(
            "technologies",
            [
                {
                    "skill": str(exchange_2016.skill_id),
                    "version": str(exchange_2016.pk),
                    "quantity": "1",
                }
            ],
        ),
        **formset("agreements", [{"id": str(agreement.pk), "client": str(client.pk)}], initial=1),
    }

    response = admin_client.post(reverse("admin:clients_client_change", args=[client.pk]), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert agreement.requirements.get().version == exchange_2016


def test_skill_added_to_service_scope_in_admin_derives_requirements(
    admin_client, dental_practice, exchange_2016
):
    service = service_create(name="Managed email", min_level=3)
    agreement = agreement_create(
        client=dental_practice,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("24000.00"),
        services=[service],
    )
    assert not agreement.requirements.exists()
    data = {
        "name": service.name,
        "description": "",
        "skills_in_scope": [str(exchange_2016.skill_id)],
        "min_level": "3",
        "is_active": "on",
    }

    response = admin_client.post(
        reverse("admin:agreements_service_change", args=[service.pk]), data
    )

    assert response.status_code == 302
    assert agreement.requirements.get().skill == exchange_2016.skill


def test_derived_requirement_is_read_only_and_cannot_be_deleted_in_admin(
    admin_client, dental_practice, email_service
):
    agreement = agreement_create(
        client=dental_practice,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("24000.00"),
        services=[email_service],
    )
    derived = agreement.requirements.get()

    change_page = admin_client.get(
        reverse("admin:agreements_requirement_change", args=[derived.pk])
    )
    delete_page = admin_client.get(
        reverse("admin:agreements_requirement_delete", args=[derived.pk])
    )

    assert change_page.status_code == 200
    assert 'name="min_level"' not in change_page.content.decode()
    assert delete_page.status_code == 403


def test_client_changelist_shows_active_agreement_value_as_money(admin_client, dental_practice):
    for value in ("24000.00", "1500.50"):
        agreement_create(
            client=dental_practice,
            title=f"Agreement {value}",
            start_date=datetime.date(2026, 1, 1),
            annual_value=Decimal(value),
            status=Agreement.Status.ACTIVE,
        )

    response = admin_client.get(reverse("admin:clients_client_changelist"))

    assert "$25,500.50" in response.content.decode()
