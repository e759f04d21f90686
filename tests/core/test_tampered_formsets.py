"""Forms with rows, posted as a browser would send them, then altered: a tampered or oversized
post is refused with a message and writes nothing."""

import pytest
from django.urls import reverse

from agreements.models import Requirement
from agreements.planning.models import Competitor, CompetitorOffering
from clients.models import Client, ClientTechnology, Contact
from core.forms import MAX_ROWS, RowFormSet
from tests.agreements.factories import (
    AgreementFactory,
    CompetitorFactory,
    CompetitorOfferingFactory,
    RequirementFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.html_forms import post_form_data
from tests.skills.factories import SkillFactory

pytestmark = pytest.mark.django_db


def edit_page_data(consultant_client, url):
    response = consultant_client.get(url)
    assert response.status_code == 200
    return post_form_data(response.content.decode())


def rows_of(client):
    return (
        sorted(Contact.objects.filter(client=client).values_list("pk", "name", "email")),
        sorted(ClientTechnology.objects.filter(client=client).values_list("pk", "skill_id")),
    )


@pytest.fixture
def harbor():
    client = ClientFactory(name="Harbor Dental")
    ContactFactory(client=client, name="Mia Chen", email="mia@harbor.example")
    ClientTechnologyFactory(client=client)
    return client


def test_the_edit_page_posted_unchanged_saves(consultant_client, harbor):
    url = reverse("clients:update", args=[harbor.pk])
    data = edit_page_data(consultant_client, url)

    response = consultant_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors


@pytest.mark.parametrize("initial", ["0", "-1", "5"])
def test_a_client_edit_claiming_another_count_of_saved_rows_is_refused(
    consultant_client, harbor, initial
):
    url = reverse("clients:update", args=[harbor.pk])
    data = edit_page_data(consultant_client, url)
    data["contacts-INITIAL_FORMS"] = initial
    before = rows_of(harbor)

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert RowFormSet.stale_message in response.content.decode().replace("&#x27;", "'")
    assert rows_of(harbor) == before


def test_a_row_id_of_another_client_is_refused(consultant_client, harbor):
    other = ContactFactory(client=ClientFactory(name="Bayside Law"), name="Ola Berg")
    url = reverse("clients:update", args=[harbor.pk])
    data = edit_page_data(consultant_client, url)
    data["contacts-0-id"] = str(other.pk)
    data["contacts-0-name"] = "Taken over"

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.name == "Ola Berg" and other.client.name == "Bayside Law"
    assert Contact.objects.filter(client=harbor).get().name == "Mia Chen"


def test_a_new_row_carrying_the_id_of_a_saved_one_is_refused(consultant_client, harbor):
    url = reverse("clients:update", args=[harbor.pk])
    data = edit_page_data(consultant_client, url)
    saved = Contact.objects.get(client=harbor)
    data["contacts-1-id"] = str(saved.pk)
    data["contacts-1-name"] = "A copy"
    before = rows_of(harbor)

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert rows_of(harbor) == before


def test_a_competitor_edit_with_initial_forms_zero_does_not_duplicate_its_offerings(
    consultant_client,
):
    competitor = CompetitorFactory(name="Northwind IT")
    for number in range(6):
        CompetitorOfferingFactory(competitor=competitor, name=f"Offering {number}", service=None)
    url = reverse("planning:competitor_update", args=[competitor.pk])
    data = edit_page_data(consultant_client, url)
    data["offerings-INITIAL_FORMS"] = "0"

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert CompetitorOffering.objects.filter(competitor=competitor).count() == 6
    assert Competitor.objects.count() == 1


def test_an_agreement_edit_with_initial_forms_minus_one_adds_no_requirement(consultant_client):
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, skill=SkillFactory(name="Exchange"))
    url = reverse("agreements:update", args=[agreement.pk])
    data = edit_page_data(consultant_client, url)
    data["requirements-INITIAL_FORMS"] = "-1"

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert Requirement.objects.filter(agreement=agreement).count() == 1


@pytest.mark.parametrize(
    ("url_name", "prefix"),
    [("clients:update", "contacts"), ("agreements:update", "requirements")],
)
def test_a_million_rows_are_refused_at_once_with_a_plain_message(
    consultant_client, harbor, url_name, prefix
):
    obj = harbor if url_name == "clients:update" else AgreementFactory(client=harbor)
    url = reverse(url_name, args=[obj.pk])
    data = edit_page_data(consultant_client, url)
    data[f"{prefix}-TOTAL_FORMS"] = "1000000"
    before = rows_of(harbor), Requirement.objects.count()

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert f"At most {MAX_ROWS} rows can be saved at once." in response.content.decode()
    assert (rows_of(harbor), Requirement.objects.count()) == before


def test_two_hundred_rows_are_the_most_a_form_shows_and_saves(consultant_client):
    url = reverse("clients:create")
    data = edit_page_data(consultant_client, url)
    data["name"] = "Large Client"
    data["contacts-TOTAL_FORMS"] = str(MAX_ROWS + 1)
    for index in range(MAX_ROWS + 1):
        data[f"contacts-{index}-name"] = f"Contact {index}"

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert not Client.objects.filter(name="Large Client").exists()
