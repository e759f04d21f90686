import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from agreements.models import Agreement, Requirement
from agreements.services import requirements_sync_for_client
from clients.models import Client, ClientTechnology, Contact
from tests.agreements.factories import (
    AgreementFactory,
    AgreementServiceFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.conftest import make_user
from tests.forms import formset
from tests.skills.factories import SkillFactory, SkillVersionFactory, TechnicianSkillFactory

TODAY = datetime.date(2026, 6, 1)
NOON = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


def client_post_data(
    *, name="Harbor Dental", contacts=(), environment=(), environment_initial=0, **fields
):
    data = {
        "name": name,
        "status": "active",
        "seats": "14",
        "time_zone": "America/New_York",
        **fields,
    }
    data.update(formset("contacts", list(contacts)))
    data.update(formset("environment", list(environment), initial=environment_initial))
    return data


def page_text(response):
    return response.content.decode()


def login_url_for(path):
    return f"{reverse('login')}?next={path}"


# ------------------------------------------------------------------------------ roles

READ_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 200), (None, 302)]
WRITE_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 403), (None, 302)]


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_client_list_status_per_role(browse, role, status):
    assert browse(role).get(reverse("clients:list")).status_code == status


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_client_detail_status_per_role(browse, role, status):
    client = ClientFactory()
    assert browse(role).get(reverse("clients:detail", args=[client.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), WRITE_ROLES)
def test_client_create_form_status_per_role(browse, role, status):
    assert browse(role).get(reverse("clients:create")).status_code == status


@pytest.mark.parametrize(("role", "status"), WRITE_ROLES)
def test_client_edit_form_status_per_role(browse, role, status):
    client = ClientFactory()
    assert browse(role).get(reverse("clients:update", args=[client.pk])).status_code == status


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    path = reverse("clients:list")
    assert client.get(path).url == login_url_for(path)


def test_unknown_client_is_404(consultant_client):
    assert consultant_client.get(reverse("clients:detail", args=[999_999])).status_code == 404


# ------------------------------------------------------------------------------ list


def test_client_list_shows_active_agreements_and_their_annual_value(consultant_client):
    harbor = ClientFactory(name="Harbor Dental", seats=14)
    AgreementFactory(client=harbor, annual_value=Decimal("12000"))
    AgreementFactory(client=harbor, annual_value=Decimal("6000"))
    AgreementFactory(client=harbor, annual_value=Decimal("9999"), status=Agreement.Status.DRAFT)
    AgreementFactory(
        client=harbor, annual_value=Decimal("5555"), end_date=TODAY - datetime.timedelta(days=1)
    )

    response = consultant_client.get(reverse("clients:list"))

    row = response.context["page_obj"][0]
    assert (row.name, row.active_agreements, row.annual_value) == ("Harbor Dental", 2, 18000)
    assert "$18,000" in page_text(response)


def test_client_list_searches_by_name_and_filters_by_status(consultant_client):
    ClientFactory(name="Harbor Dental")
    ClientFactory(name="Harbor Freight Law", status=Client.Status.PROSPECT)
    ClientFactory(name="Cedar Creek Vets")

    response = consultant_client.get(reverse("clients:list"), {"q": "harbor", "status": "active"})

    assert [c.name for c in response.context["page_obj"]] == ["Harbor Dental"]


def test_the_account_manager_is_chosen_by_full_name_in_the_order_of_names(
    consultant_client, django_user_model
):
    make_user(django_user_model, "zimmer", first_name="Ada", last_name="Zimmer")
    make_user(django_user_model, "abbott", first_name="Yusuf", last_name="Abbott")

    form = consultant_client.get(reverse("clients:create")).context["form"]
    labels = [label for value, label in form["account_manager"].field.choices if value]

    assert labels.index("Ada Zimmer (zimmer)") < labels.index("Yusuf Abbott (abbott)")


def test_client_list_filters_by_account_manager(consultant_client, consultant, viewer):
    ClientFactory(name="Harbor Dental", account_manager=consultant)
    ClientFactory(name="Cedar Creek Vets", account_manager=viewer)

    response = consultant_client.get(reverse("clients:list"), {"account_manager": consultant.pk})

    assert [c.name for c in response.context["page_obj"]] == ["Harbor Dental"]


def test_client_list_sorts_by_annual_value_descending(consultant_client):
    for name, value in [("Small", "1000"), ("Large", "90000"), ("Medium", "20000")]:
        AgreementFactory(client=ClientFactory(name=name), annual_value=Decimal(value))
    ClientFactory(name="No agreement")

    response = consultant_client.get(reverse("clients:list"), {"sort": "-annual_value"})

    assert [c.name for c in response.context["page_obj"]] == [
        "Large",
        "Medium",
        "Small",
        "No agreement",
    ]


def test_client_list_sort_header_reverses_the_current_order(consultant_client):
    response = consultant_client.get(reverse("clients:list"), {"sort": "seats", "page": "1"})

    seats = next(h for h in response.context["sort_headers"] if h["label"] == "Seats")
    assert (seats["direction"], seats["url"]) == ("ascending", "?sort=-seats")


def test_client_list_is_paginated_by_25(consultant_client):
    ClientFactory.create_batch(30)

    first = consultant_client.get(reverse("clients:list"))
    second = consultant_client.get(reverse("clients:list"), {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 5
    assert "Page 1 of 2" in page_text(first)


def test_client_list_shows_no_new_button_to_a_viewer(viewer_client):
    assert reverse("clients:create") not in page_text(viewer_client.get(reverse("clients:list")))


def test_client_list_shows_the_new_button_to_a_consultant(consultant_client):
    response = consultant_client.get(reverse("clients:list"))

    assert reverse("clients:create") in page_text(response)


def test_client_list_with_a_bad_filter_value_is_a_bad_request_with_a_message(consultant_client):
    response = consultant_client.get(
        reverse("clients:list"), {"status": "bogus", "account_manager": "x", "sort": "nope"}
    )

    assert response.status_code == 400
    assert "Some filters were not understood" in response.text


def test_client_list_page_out_of_range_is_not_found(consultant_client):
    assert consultant_client.get(reverse("clients:list"), {"page": "99"}).status_code == 404


# ------------------------------------------------------------------------------ detail


def test_client_detail_warns_about_versions_at_or_near_end_of_support(consultant_client):
    client = ClientFactory()
    server = SkillFactory(name="Windows Server")
    for label, end in [
        ("2012 R2", datetime.date(2023, 10, 10)),
        ("2016", datetime.date(2026, 11, 1)),
        ("2022", datetime.date(2031, 10, 14)),
    ]:
        version = SkillVersionFactory(skill=server, label=label, end_of_support=end)
        ClientTechnologyFactory(client=client, skill=server, version=version)

    response = consultant_client.get(reverse("clients:detail", args=[client.pk]))

    states = {t.version.label: t.support_state for t in response.context["environment"]}
    assert states == {"2012 R2": "ended", "2016": "ending", "2022": ""}
    text = page_text(response)
    assert "Out of support since 10 Oct 2023" in text
    assert "Support ends 1 Nov 2026" in text


def test_client_detail_lists_contacts_primary_first(consultant_client):
    client = ClientFactory()
    ContactFactory(client=client, name="Alan Whitfield")
    ContactFactory(client=client, name="Renee Castillo", is_primary=True)

    response = consultant_client.get(reverse("clients:detail", args=[client.pk]))

    assert [c.name for c in response.context["contacts"]] == ["Renee Castillo", "Alan Whitfield"]


def test_client_detail_shows_coverage_from_the_newest_check_and_active_annual_value(
    consultant_client, engine_forbidden
):
    client = ClientFactory()
    nobody_knows, one_knows = SkillFactory(), SkillFactory()
    TechnicianSkillFactory(skill=one_knows, level=4)
    uncovered = AgreementFactory(client=client, title="Uncovered one", annual_value=Decimal("100"))
    RequirementFactory(agreement=uncovered, skill=nobody_knows)
    at_risk = AgreementFactory(client=client, title="At risk one", annual_value=Decimal("200"))
    RequirementFactory(agreement=at_risk, skill=one_knows, min_technicians=2)
    covered = AgreementFactory(client=client, title="Covered one", annual_value=Decimal("400"))
    RequirementFactory(agreement=covered, skill=one_knows, min_technicians=1)
    AgreementFactory(client=client, title="Not assessed one", annual_value=Decimal("800"))
    AgreementFactory(
        client=client,
        title="Draft one",
        annual_value=Decimal("1600"),
        status=Agreement.Status.DRAFT,
    )
    coverage_check_run(day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL)

    with engine_forbidden():
        response = consultant_client.get(reverse("clients:detail", args=[client.pk]))

    coverage = {a.title: a.coverage for a in response.context["agreements"]}
    assert coverage == {
        "Uncovered one": "uncovered",
        "At risk one": "at_risk",
        "Covered one": "covered",
        "Not assessed one": "not_assessed",
        "Draft one": "",
    }
    assert response.context["annual_value"] == Decimal("1500")
    assert "$1,500" in page_text(response)


def test_client_detail_shows_no_edit_button_to_a_viewer(viewer_client):
    client = ClientFactory()

    response = viewer_client.get(reverse("clients:detail", args=[client.pk]))

    assert reverse("clients:update", args=[client.pk]) not in page_text(response)


def test_client_detail_shows_the_edit_button_to_a_consultant(consultant_client):
    client = ClientFactory()

    response = consultant_client.get(reverse("clients:detail", args=[client.pk]))

    assert reverse("clients:update", args=[client.pk]) in page_text(response)


# ------------------------------------------------------------------------------ create and edit


def test_consultant_creates_a_client_with_contacts_and_environment(consultant_client):
    exchange = SkillFactory(name="Exchange")
    exchange_2016 = SkillVersionFactory(skill=exchange, label="2016")
    windows = SkillFactory(name="Windows")

    response = consultant_client.post(
        reverse("clients:create"),
        client_post_data(
            contacts=[{"name": "Renee Castillo", "role": "Office manager", "is_primary": "on"}],
            environment=[
                {"skill": exchange.pk, "version": exchange_2016.pk, "quantity": "1"},
                {"skill": windows.pk, "version": "", "quantity": "14"},
                {"skill": "", "version": "", "quantity": "1"},
            ],
        ),
    )

    client = Client.objects.get(name="Harbor Dental")
    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[client.pk])
    assert list(client.contacts.values_list("name", "is_primary")) == [("Renee Castillo", True)]
    assert sorted(client.technologies.values_list("skill__name", "version__label", "quantity")) == [
        ("Exchange", "2016", 1),
        ("Windows", None, 14),
    ]


def test_editing_the_environment_resyncs_the_agreements_requirements(consultant_client):
    client = ClientFactory(name="Harbor Dental")
    exchange = SkillFactory(name="Exchange")
    service = ServiceFactory(name="Email management")
    service.skills_in_scope.add(exchange)
    agreement = AgreementServiceFactory(agreement__client=client, service=service).agreement

    response = consultant_client.post(
        reverse("clients:update", args=[client.pk]),
        client_post_data(environment=[{"skill": exchange.pk, "quantity": "1"}]),
    )

    assert response.status_code == 302
    derived = agreement.requirements.get()
    assert (derived.source, derived.skill, derived.service) == (
        Requirement.Source.DERIVED,
        exchange,
        service,
    )


def test_client_detail_lists_what_the_active_agreements_require(consultant_client):
    client = ClientFactory(name="Harbor Dental")
    exchange = SkillFactory(name="Exchange")
    v2016 = SkillVersionFactory(skill=exchange, label="2016")
    service = ServiceFactory(name="Email management", min_level=3)
    service.skills_in_scope.add(exchange)
    agreement = AgreementServiceFactory(agreement__client=client, service=service).agreement
    ClientTechnologyFactory(client=client, skill=exchange, version=v2016)
    requirements_sync_for_client(client=client)
    RequirementFactory(agreement=agreement, skill=SkillFactory(name="Dentrix"), min_level=2)
    draft = AgreementFactory(client=client, status=Agreement.Status.DRAFT)
    RequirementFactory(agreement=draft, skill=SkillFactory(name="Clio"))

    response = consultant_client.get(reverse("clients:detail", args=[client.pk]))

    html = response.content.decode()
    assert [str(r) for r in response.context["requirements"]] == [
        "Dentrix at level 2+",
        "Exchange 2016 at level 3+",
    ]
    assert "What the active agreements require" in html
    assert "Email management and the environment" in html
    assert "added by hand" in html
    assert "Clio" not in html


def test_edit_removes_a_technology_marked_for_removal(consultant_client):
    technology = ClientTechnologyFactory(client__name="Harbor Dental")

    consultant_client.post(
        reverse("clients:update", args=[technology.client.pk]),
        client_post_data(
            environment=[
                {"id": technology.pk, "skill": technology.skill.pk, "quantity": "1", "DELETE": "on"}
            ],
            environment_initial=1,
        ),
    )

    assert not ClientTechnology.objects.exists()


def test_duplicate_client_name_in_another_case_is_a_field_error(consultant_client):
    ClientFactory(name="Harbor Dental")

    response = consultant_client.post(
        reverse("clients:create"), client_post_data(name="HARBOR dental")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["A client named “HARBOR dental” already exists."]
    }
    assert "A client named “HARBOR dental” already exists." in page_text(response)
    assert Client.objects.count() == 1


def test_version_of_another_skill_is_a_field_error(consultant_client):
    server = SkillFactory(name="Windows Server")
    server_2019 = SkillVersionFactory(skill=server, label="2019")
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("clients:create"),
        client_post_data(
            environment=[{"skill": exchange.pk, "version": server_2019.pk, "quantity": "1"}]
        ),
    )

    assert response.status_code == 200
    assert response.context["environment"].errors[0] == {
        "version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }
    assert "Version 2019 belongs to Windows Server, not Exchange." in page_text(response)
    assert not Client.objects.exists()


def test_unknown_version_is_a_field_error(consultant_client):
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("clients:create"),
        client_post_data(
            environment=[{"skill": exchange.pk, "version": "987654", "quantity": "1"}]
        ),
    )

    assert response.status_code == 200
    assert "version" in response.context["environment"].errors[0]
    assert "Select a valid choice" in page_text(response)
    assert not Client.objects.exists()


@pytest.mark.parametrize("quantity", ["-3", "0"])
def test_quantity_below_one_is_a_field_error(consultant_client, quantity):
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("clients:create"),
        client_post_data(environment=[{"skill": exchange.pk, "quantity": quantity}]),
    )

    assert response.status_code == 200
    assert response.context["environment"].errors[0] == {
        "quantity": ["Quantity must be at least 1."]
    }
    assert not Client.objects.exists()


def test_the_same_technology_twice_is_a_field_error(consultant_client):
    exchange = SkillFactory(name="Exchange")
    exchange_2016 = SkillVersionFactory(skill=exchange, label="2016")
    row = {"skill": exchange.pk, "version": exchange_2016.pk, "quantity": "1"}

    response = consultant_client.post(
        reverse("clients:create"), client_post_data(environment=[row, dict(row)])
    )

    assert response.status_code == 200
    assert response.context["environment"].errors[1] == {
        "skill": ["Exchange 2016 is listed twice; keep one row and set quantity."]
    }
    assert not Client.objects.exists()


def test_two_primary_contacts_are_refused(consultant_client):
    response = consultant_client.post(
        reverse("clients:create"),
        client_post_data(
            contacts=[
                {"name": "Renee Castillo", "is_primary": "on"},
                {"name": "Alan Whitfield", "is_primary": "on"},
            ]
        ),
    )

    assert response.status_code == 200
    assert response.context["contacts"].non_form_errors() == [
        "Only one contact can be the primary one; Renee Castillo, Alan Whitfield are all marked."
    ]
    assert not Contact.objects.exists()


def test_viewer_cannot_create_a_client(viewer_client):
    response = viewer_client.post(reverse("clients:create"), client_post_data())

    assert response.status_code == 403
    assert not Client.objects.exists()


def test_viewer_cannot_edit_a_client(viewer_client):
    client = ClientFactory(name="Harbor Dental")

    response = viewer_client.post(
        reverse("clients:update", args=[client.pk]), client_post_data(name="Renamed")
    )

    assert response.status_code == 403
    client.refresh_from_db()
    assert client.name == "Harbor Dental"


def test_anonymous_post_changes_nothing(client):
    response = client.post(reverse("clients:create"), client_post_data())

    assert response.status_code == 302
    assert not Client.objects.exists()


# ------------------------------------------------------------------------------ query counts


def make_clients(count):
    for client in ClientFactory.create_batch(count):
        AgreementFactory(client=client)


@pytest.mark.parametrize("rows", [1, 30])
def test_client_list_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    make_clients(rows)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the count for the paginator, the account manager choices, the page of
    # clients with their annotations
    with django_assert_num_queries(9):
        response = consultant_client.get(reverse("clients:list"))
    assert len(response.context["page_obj"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 30])
def test_client_detail_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    client = ClientFactory()
    ContactFactory.create_batch(rows, client=client)
    for skill in SkillFactory.create_batch(rows):
        version = SkillVersionFactory(skill=skill)
        ClientTechnologyFactory(client=client, skill=skill, version=version)
    for agreement in AgreementFactory.create_batch(rows, client=client):
        RequirementFactory(agreement=agreement, skill=SkillFactory())
    coverage_check_run(day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the client; the notice: the newest check, the change stamp; the
    # agreements panel: the newest check, the agreements with their recorded coverage, the
    # active annual value; the requirements of the active agreements; the environment, the
    # contacts; the versions reaching end of support and, as none does, the newest check
    with django_assert_num_queries(17):
        response = consultant_client.get(reverse("clients:detail", args=[client.pk]))
    assert len(response.context["agreements"]) == rows


# ------------------------------------------------------------------------------ autocomplete


def test_client_autocomplete_finds_names_starting_with_the_term_first(consultant_client):
    for name in ("Harbor Dental", "Bayview Harbor Law", "Pine Accounting"):
        ClientFactory(name=name)

    response = consultant_client.get(reverse("clients:autocomplete"), {"q": "harb"})

    assert [row["text"] for row in response.json()["results"]] == [
        "Harbor Dental",
        "Bayview Harbor Law",
    ]


def test_client_autocomplete_ignores_case_and_takes_wildcards_literally(consultant_client):
    for name in ("100% Uptime Ltd", "100 Percent Print", "harbor_works", "Harborside Café"):
        ClientFactory(name=name)
    url = reverse("clients:autocomplete")

    def found(term):
        return [row["text"] for row in consultant_client.get(url, {"q": term}).json()["results"]]

    assert found("100%") == ["100% Uptime Ltd"]
    assert found("HARBOR_") == ["harbor_works"]
    assert found("HARBORS") == ["Harborside Café"]


def test_client_autocomplete_ignores_a_nul_byte_in_the_term(consultant_client):
    ClientFactory(name="Harbor Dental")

    response = consultant_client.get(reverse("clients:autocomplete"), {"q": "Har\x00bor"})

    assert [row["text"] for row in response.json()["results"]] == ["Harbor Dental"]


def test_client_autocomplete_answers_at_most_twenty_rows(consultant_client):
    ClientFactory.create_batch(25)

    response = consultant_client.get(reverse("clients:autocomplete"), {"q": ""})

    assert len(response.json()["results"]) == 20


def test_client_autocomplete_needs_a_login(client):
    assert client.get(reverse("clients:autocomplete")).status_code == 302


def test_the_client_form_saves_the_time_zone_and_the_page_names_it(consultant_client):
    response = consultant_client.post(
        reverse("clients:create"), client_post_data(time_zone="Europe/Berlin")
    )

    client_row = Client.objects.get()
    assert response.status_code == 302
    assert client_row.time_zone == "Europe/Berlin"
    page = consultant_client.get(reverse("clients:detail", args=[client_row.pk]))
    assert "Time zone Europe/Berlin" in page.content.decode()


def test_a_client_zone_on_the_quarter_hour_is_refused(consultant_client):
    response = consultant_client.post(
        reverse("clients:create"), client_post_data(time_zone="Asia/Kathmandu")
    )

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not Client.objects.exists()
