"""The data endpoints of /api/v1/: every role on every endpoint, nested rows, services."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import Agreement, Requirement
from clients.models import Client, Contact
from skills.models import Technician, TimeOff
from tests.agreements.api.conftest import token_for
from tests.agreements.factories import (
    AgreementFactory,
    CompetitorFactory,
    CompetitorOfferingFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.agreements.test_views import valid_form_data
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    SkillCategoryFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db


def _goal_payload():
    return {
        "technician": TechnicianFactory().pk,
        "certification": CertificationFactory().pk,
        "due_date": "2027-03-01",
    }


# Each endpoint: a row to read and change, the body of a new row, a change.
ENDPOINTS = {
    "clients": (ClientFactory, lambda: {"name": "Bayside Vets"}, {"notes": "Two sites"}),
    "technicians": (
        TechnicianFactory,
        lambda: {"name": "Dana Whitfield", "email": "dana.whitfield@msp.example"},
        {"notes": "Evenings"},
    ),
    "training-goals": (TrainingGoalFactory, _goal_payload, {"reason": "Renewal of the client"}),
    "skill-categories": (SkillCategoryFactory, lambda: {"name": "Telephony"}, {"name": "Voice"}),
    "skills": (
        SkillFactory,
        lambda: {"name": "3CX", "category": SkillCategoryFactory().pk},
        {"vendor": "3CX Ltd"},
    ),
    "skill-versions": (
        SkillVersionFactory,
        lambda: {"skill": SkillFactory().pk, "label": "20", "rank": 20},
        {"label": "20 Update 1"},
    ),
    "skill-aliases": (
        lambda: (skill := SkillFactory()).aliases.create(pattern=f"{skill.name} Suite"),
        lambda: {"skill": SkillFactory().pk, "pattern": "3CX Phone System"},
        {"pattern": "3CX PBX"},
    ),
    "certifications": (
        CertificationFactory,
        lambda: {"name": "CompTIA Network+"},
        {"issuer": "CompTIA"},
    ),
    "partner-programmes": (
        PartnerProgramFactory,
        lambda: {
            "vendor": "Fortinet",
            "tier": "Advanced Partner",
            "yearly_benefit": "9500.00",
            "rules": [{"certification": CertificationFactory().pk, "min_technicians": 2}],
        },
        {"notes": "Engage programme"},
    ),
    "services": (
        ServiceFactory,
        lambda: {"name": "VoIP support", "skills_in_scope": [SkillFactory().pk]},
        {"description": "Phones"},
    ),
    "agreements": (
        AgreementFactory,
        lambda: {
            "client": ClientFactory().pk,
            "title": "Managed IT",
            "start_date": "2027-01-01",
            "annual_value": "12000.00",
        },
        {"notes": "Signed at the office"},
    ),
    "competitors": (CompetitorFactory, lambda: {"name": "Rival IT"}, {"notes": "Cheaper"}),
    "time-off": (
        lambda: TimeOff.objects.create(
            technician=TechnicianFactory(),
            first_day=datetime.date(2026, 12, 24),
            last_day=datetime.date(2026, 12, 26),
        ),
        lambda: {
            "technician": TechnicianFactory().pk,
            "first_day": "2027-01-04",
            "last_day": "2027-01-08",
            "kind": "training",
        },
        {"note": "Family visit"},
    ),
}


def url(prefix, pk=None):
    return f"/api/v1/{prefix}/" + (f"{pk}/" if pk is not None else "")


def outcome(client, prefix):
    """The status of each operation on `prefix` for one caller, on fresh rows each time."""
    make, new, change = ENDPOINTS[prefix]
    row = make()
    return {
        "list": client.get(url(prefix)).status_code,
        "read": client.get(url(prefix, row.pk)).status_code,
        "create": client.post(url(prefix), new(), format="json").status_code,
        "change": client.patch(url(prefix, row.pk), change, format="json").status_code,
        "delete": client.delete(url(prefix, make().pk)).status_code,
    }


READ_ONLY = {"list": 200, "read": 200, "create": 403, "change": 403, "delete": 403}
READ_WRITE = {"list": 200, "read": 200, "create": 201, "change": 200, "delete": 403}


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_anonymous_caller_is_told_to_authenticate(prefix):
    assert set(outcome(APIClient(), prefix).values()) == {401}


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_viewer_reads_and_changes_nothing(api, viewer, prefix):
    assert outcome(api(viewer), prefix) == READ_ONLY


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_consultant_reads_creates_and_changes_but_does_not_delete(api, consultant, prefix):
    assert outcome(api(consultant), prefix) == READ_WRITE


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_admin_token_carries_no_admin_only_rights(api, admin_user, prefix):
    assert outcome(api(admin_user), prefix) == READ_WRITE


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_admin_signed_in_with_second_factor_deletes(client, admin_user, prefix):
    client.force_login(admin_user)
    make, _, _ = ENDPOINTS[prefix]
    row = make()

    response = client.delete(url(prefix, row.pk))

    assert response.status_code == 204
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_admin_without_the_second_factor_in_the_session_cannot_delete(client, admin_user):
    admin_user.totpdevice_set.all().delete()
    client.force_login(admin_user)
    row = ClientFactory()

    assert client.delete(url("clients", row.pk)).status_code == 403
    assert Client.objects.filter(pk=row.pk).exists()


def test_deleting_a_row_still_in_use_is_a_conflict(client, admin_user):
    client.force_login(admin_user)
    agreement = AgreementFactory()

    response = client.delete(url("clients", agreement.client.pk))

    assert response.status_code == 409
    assert agreement.title in response.json()["detail"]
    assert Client.objects.filter(pk=agreement.client.pk).exists()


def test_session_write_needs_the_csrf_token(consultant):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(consultant)

    response = browser.post(url("clients"), {"name": "Bayside Vets"}, format="json")

    assert response.status_code == 403
    assert not Client.objects.filter(name="Bayside Vets").exists()


# ------------------------------------------------------------------------------ nested rows


def test_client_is_created_with_contacts_and_environment(api, consultant, exchange_2016):
    response = api(consultant).post(
        url("clients"),
        {
            "name": "Bayside Vets",
            "contacts": [
                {"name": "Ruth Calder", "email": "ruth@bayside.example", "is_primary": True}
            ],
            "environment": [
                {"skill": exchange_2016.skill.pk, "version": exchange_2016.pk, "quantity": 2}
            ],
        },
        format="json",
    )

    assert response.status_code == 201
    client = Client.objects.get(name="Bayside Vets")
    assert list(client.contacts.values_list("name", "is_primary")) == [("Ruth Calder", True)]
    assert list(client.technologies.values_list("version__label", "quantity")) == [("2016", 2)]
    assert response.json()["environment"][0]["version"] == exchange_2016.pk


def test_nested_rows_are_replaced_as_the_form_replaces_them(api, consultant):
    client = ClientFactory()
    kept, dropped = ContactFactory(client=client, name="Ruth Calder"), ContactFactory(client=client)

    response = api(consultant).patch(
        url("clients", client.pk),
        {"contacts": [{"id": kept.pk, "name": "Ruth Calder-Hay"}, {"name": "Tom Ishida"}]},
        format="json",
    )

    assert response.status_code == 200
    assert sorted(client.contacts.values_list("name", flat=True)) == [
        "Ruth Calder-Hay",
        "Tom Ishida",
    ]
    assert not Contact.objects.filter(pk=dropped.pk).exists()
    assert sorted(row["name"] for row in response.json()["contacts"]) == [
        "Ruth Calder-Hay",
        "Tom Ishida",
    ]


def test_a_list_left_out_keeps_its_rows(api, consultant):
    contact = ContactFactory()

    response = api(consultant).patch(
        url("clients", contact.client.pk), {"notes": "Moved office"}, format="json"
    )

    assert response.status_code == 200
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_row_of_another_parent_is_refused_and_nothing_changes(api, consultant):
    client, other = ClientFactory(notes=""), ContactFactory(name="Not yours")

    response = api(consultant).patch(
        url("clients", client.pk),
        {"notes": "Changed", "contacts": [{"id": other.pk, "name": "Taken over"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "contacts": {"0": {"id": [f"{other.pk} is not one of the rows of this contacts list."]}}
    }
    other.refresh_from_db()
    client.refresh_from_db()
    assert (other.name, other.client_id, client.notes) == ("Not yours", other.client_id, "")


def test_a_version_of_another_skill_is_refused_with_the_forms_message(
    api, consultant, exchange_2016
):
    client = ClientFactory()
    windows = SkillFactory(name="Windows Server")

    response = api(consultant).patch(
        url("clients", client.pk),
        {"environment": [{"skill": windows.pk, "version": exchange_2016.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["environment"]["0"]["version"] == [
        "Version 2016 belongs to Exchange, not Windows Server."
    ]
    assert not client.technologies.exists()


def test_technician_with_ten_skills_and_three_certifications_is_one_request(api, consultant):
    skills = SkillFactory.create_batch(10)
    certifications = CertificationFactory.create_batch(3)

    response = api(consultant).post(
        url("technicians"),
        {
            "name": "Dana Whitfield",
            "email": "dana.whitfield@msp.example",
            "skills": [{"skill": skill.pk, "level": 3} for skill in skills],
            "certifications": [
                {"certification": cert.pk, "earned_on": "2026-06-01"} for cert in certifications
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    technician = Technician.objects.get(email="dana.whitfield@msp.example")
    assert (technician.skills.count(), technician.certifications.count()) == (10, 3)


def test_an_invalid_row_writes_nothing_at_all(api, consultant):
    skill = SkillFactory()

    response = api(consultant).post(
        url("technicians"),
        {
            "name": "Dana Whitfield",
            "email": "dana.whitfield@msp.example",
            "skills": [{"skill": skill.pk, "level": 3}, {"skill": skill.pk, "level": 9}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["skills"]) == ["1"]
    assert not Technician.objects.exists()


# ------------------------------------------------------------------------------ services


def requirements_of(agreement):
    return sorted(
        agreement.requirements.values_list(
            "skill__name", "version__label", "min_level", "min_technicians", "source", "service"
        )
    )


def test_api_agreement_derives_the_same_requirements_as_the_form(
    api, consultant, consultant_client, exchange_2016
):
    service = ServiceFactory(name="Email care", min_level=4)
    service.skills_in_scope.add(exchange_2016.skill)
    client = ClientFactory()
    ClientTechnologyFactory(client=client, skill=exchange_2016.skill, version=exchange_2016)

    response = api(consultant).post(
        url("agreements"),
        {
            "client": client.pk,
            "title": "Through the API",
            "status": "active",
            "start_date": "2026-12-01",
            "annual_value": "18000",
            "services": [service.pk],
        },
        format="json",
    )
    consultant_client.post(
        reverse("agreements:create"),
        valid_form_data(client, services=[service], title="Through the form"),
    )

    through_api = Agreement.objects.get(title="Through the API")
    through_form = Agreement.objects.get(title="Through the form")
    assert response.status_code == 201
    assert requirements_of(through_api) == requirements_of(through_form)
    assert requirements_of(through_api) == [
        ("Exchange", "2016", 4, 2, Requirement.Source.DERIVED, service.pk)
    ]
    assert response.json()["requirements"][0]["source"] == "derived"


def test_changing_the_services_syncs_the_derived_requirements(api, consultant, exchange_2016):
    service = ServiceFactory()
    service.skills_in_scope.add(exchange_2016.skill)
    agreement = AgreementFactory()
    ClientTechnologyFactory(client=agreement.client, skill=exchange_2016.skill)

    api(consultant).patch(
        url("agreements", agreement.pk), {"services": [service.pk]}, format="json"
    )
    added = agreement.requirements.count()
    api(consultant).patch(url("agreements", agreement.pk), {"services": []}, format="json")

    assert (added, agreement.requirements.count()) == (1, 0)


def test_manual_requirements_are_written_and_derived_ones_left_alone(api, consultant, exchange):
    agreement = AgreementFactory()
    windows = SkillFactory(name="Windows Server")
    service = ServiceFactory()
    service.skills_in_scope.add(windows)
    ClientTechnologyFactory(client=agreement.client, skill=windows)
    api(consultant).patch(
        url("agreements", agreement.pk), {"services": [service.pk]}, format="json"
    )
    derived = agreement.requirements.get(source=Requirement.Source.DERIVED)

    response = api(consultant).patch(
        url("agreements", agreement.pk),
        {"manual_requirements": [{"skill": exchange.pk, "min_level": 4, "min_technicians": 1}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert agreement.requirements.filter(pk=derived.pk).exists()
    manual = response.json()["manual_requirements"]
    assert [(row["skill"], row["min_level"]) for row in manual] == [(exchange.pk, 4)]


def test_agreement_shows_its_current_term(api, viewer):
    agreement = AgreementFactory(
        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31), notice_days=60
    )

    term = api(viewer).get(url("agreements", agreement.pk)).json()["current_term"]

    assert term == {"start": "2026-01-01", "end": "2026-12-31", "notice_by": "2026-11-01"}


def test_every_write_is_recorded_with_the_tokens_user(api, consultant):
    api(consultant).post(url("clients"), {"name": "Bayside Vets"}, format="json")

    record = Client.history.get(name="Bayside Vets")
    assert record.history_user == consultant


def test_a_goal_moves_on_through_its_actions(api, consultant):
    goal = TrainingGoalFactory()

    started = api(consultant).post(f"{url('training-goals', goal.pk)}start/")
    again = api(consultant).post(f"{url('training-goals', goal.pk)}start/")
    cancelled = api(consultant).post(f"{url('training-goals', goal.pk)}cancel/")

    assert (started.status_code, started.json()["status"]) == (200, "in_progress")
    assert again.status_code == 400
    assert cancelled.json()["status"] == "cancelled"


def test_viewer_cannot_move_a_goal(api, viewer):
    goal = TrainingGoalFactory()

    assert api(viewer).post(f"{url('training-goals', goal.pk)}start/").status_code == 403


def test_lists_filter_on_the_pages_fields(api, viewer):
    ClientFactory(name="Harbor Dental", status=Client.Status.ACTIVE)
    ClientFactory(name="Old Mill Bakery", status=Client.Status.FORMER)

    names = [
        row["name"]
        for row in api(viewer).get(url("clients"), {"status": "former"}).json()["results"]
    ]
    searched = api(viewer).get(url("clients"), {"q": "harbor"}).json()["results"]

    assert names == ["Old Mill Bakery"]
    assert [row["name"] for row in searched] == ["Harbor Dental"]


def test_a_nonsense_filter_is_a_400_not_a_500(api, viewer):
    response = api(viewer).get(url("clients"), {"status": "nonsense"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_lists_page_with_a_cursor(api, viewer):
    ClientFactory.create_batch(3)

    first = api(viewer).get(url("clients"), {"page_size": 2}).json()
    second = api(viewer).get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert second["next"] is None


# ------------------------------------------------------------------------------ query counts


def _rows_with_nested(prefix):
    make, _, _ = ENDPOINTS[prefix]
    row = make()
    if prefix == "clients":
        ContactFactory(client=row)
        ClientTechnologyFactory(client=row)
    elif prefix == "technicians":
        TechnicianSkillFactory(technician=row)
        TechnicianCertificationFactory(technician=row)
    elif prefix == "agreements":
        RequirementFactory(agreement=row)
    elif prefix == "competitors":
        CompetitorOfferingFactory(competitor=row)
    elif prefix == "services":
        row.skills_in_scope.add(SkillFactory())


def _list_queries(client, prefix):
    client.get(url(prefix))  # the token's first use is written down once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(prefix))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_list_queries_do_not_grow_with_the_rows(api, viewer, prefix):
    client = api(viewer)
    _rows_with_nested(prefix)
    one = _list_queries(client, prefix)
    for _ in range(6):
        _rows_with_nested(prefix)

    assert _list_queries(client, prefix) == one


# ------------------------------------------------------------------------------ tokens


def test_a_token_is_stored_only_as_its_hash(consultant):
    secret = token_for(consultant)

    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM agreements_apitoken")
        digest, key = cursor.fetchone()
    assert secret not in (digest, key)
    assert secret.startswith(key)


def test_an_expired_token_is_refused(consultant):
    from agreements.api.models import ApiToken

    _, secret = ApiToken.objects.create(
        user=consultant, expiry=datetime.timedelta(seconds=-1), name="Old sync"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert client.get(url("clients")).status_code == 401


def test_a_token_of_an_inactive_user_is_refused(api, consultant):
    client = api(consultant)
    consultant.is_active = False
    consultant.save()

    assert client.get(url("clients")).status_code == 401


def test_each_token_has_its_own_request_budget(consultant, monkeypatch):
    from agreements.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant, 'PSA sync')}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant, 'RMM sync')}")

    statuses = [first.get(url("clients")).status_code for _ in range(2)]
    refused = first.get(url("clients"))

    assert (statuses, refused.status_code) == ([200, 200], 429)
    assert int(refused["Retry-After"]) > 0
    assert second.get(url("clients")).status_code == 200
