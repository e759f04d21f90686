"""The pre-sale check in the API: a draft's verdict as its page shows it, and the prospect check
with the page form's input and answer, nothing written."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agreements.models import Agreement, Requirement
from clients.models import Client, ClientTechnology
from skills.models import SkillAlias, TechnicianSkill, TrainingGoal
from tests.agreements.factories import AgreementFactory, RequirementFactory, ServiceFactory
from tests.skills.factories import (
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 10)
NOW = datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC)
START = "2027-03-01"
V1 = "/api/v1"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def email_deal():
    """Managed email covers Exchange Server; Dana knows it at level 2 only. Windows 11 is known
    by Lee alone."""
    exchange = SkillFactory(name="Exchange Server")
    SkillAlias.objects.create(skill=exchange, pattern="Exchange")
    v2016 = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    SkillVersionFactory(skill=exchange, label="2019", rank=2)
    service = ServiceFactory(name="Managed email", min_level=3)
    service.skills_in_scope.add(exchange)
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(technician=dana, skill=exchange, level=2)
    windows = SkillFactory(name="Windows 11")
    lee = TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=lee, skill=windows, level=4)
    return {
        "exchange": exchange,
        "v2016": v2016,
        "service": service,
        "dana": dana,
        "windows": windows,
    }


def prospect_input(email_deal, **changes) -> dict:
    return {
        "services": [email_deal["service"].pk],
        "technologies": "Exchange 2016, Windows Server 2019 Standard\nSonicWall TZ 370",
        "start_date": START,
        "annual_value": "24000.00",
        "support_hours": "8x5",
        "sla_response_hours": 4,
        **changes,
    }


# ------------------------------------------------------------------------------ a draft


@pytest.fixture
def draft(email_deal):
    agreement = AgreementFactory(
        status=Agreement.Status.DRAFT, start_date=datetime.date(2027, 3, 1), title="Email draft"
    )
    RequirementFactory(
        agreement=agreement, skill=email_deal["exchange"], version=email_deal["v2016"]
    )
    RequirementFactory(agreement=agreement, skill=email_deal["windows"], min_technicians=1)
    return agreement


def test_a_drafts_verdict_is_the_one_its_page_shows(api, consultant, consultant_client, draft):
    body = api(consultant).get(f"{V1}/agreements/{draft.pk}/presale/").json()
    page = consultant_client.get(reverse("agreements:detail", args=[draft.pk]))
    panel = next(context for panel, context in page.context["panels"] if panel.key == "coverage")

    verdict = panel["presale"]
    assert body["verdict"] == {
        "day": verdict.day.isoformat(),
        "status": verdict.status,
        "label": verdict.label,
    }
    assert body["verdict"] == {"day": START, "status": "uncovered", "label": "Not deliverable"}
    assert [
        (
            row["id"],
            row["status"],
            row["reason"],
            [q["name"] for q in row["qualified"]],
            [c["name"] for c in row["candidates"]],
        )
        for row in body["requirements"]
    ] == [
        (
            row.requirement.pk,
            row.live.status,
            row.live.reason,
            list(row.live.qualified_names),
            [candidate.name for candidate in row.live.candidates],
        )
        for row in panel["requirement_rows"]
    ]
    exchange = body["requirements"][0]
    assert exchange["reason"] == "No active technician has Exchange Server 2016 at level 3 or above"
    assert [(c["name"], c["gap"]) for c in exchange["candidates"]] == [
        ("Dana Ortiz", "level 2 of 3 needed")
    ]
    assert body["requirements"][1]["qualified"][0]["name"] == "Lee Park"


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 200), ("consultant", 200), ("admin_user", 200)]
)
def test_a_drafts_verdict_is_read_by_every_role_and_not_by_anonymous(
    api, request, draft, role, expected
):
    client = api(request.getfixturevalue(role) if role else None)

    response = client.get(f"{V1}/agreements/{draft.pk}/presale/")

    assert response.status_code == expected


def test_a_draft_without_requirements_is_not_assessed(api, consultant):
    empty = AgreementFactory(status=Agreement.Status.DRAFT, start_date=datetime.date(2026, 12, 1))

    body = api(consultant).get(f"{V1}/agreements/{empty.pk}/presale/").json()

    assert body["verdict"] == {
        "day": TODAY.isoformat(),
        "status": "not_assessed",
        "label": "Not assessed",
    }
    assert body["requirements"] == []


def test_an_agreement_that_is_not_a_draft_has_no_verdict_and_the_404_says_why(api, consultant):
    active = AgreementFactory(reference="AGR-2026-0042")

    response = api(consultant).get(f"{V1}/agreements/{active.pk}/presale/")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("AGR-2026-0042 is active, not a draft")


def test_a_drafts_verdict_records_nothing(api, consultant, draft):
    requirements = list(Requirement.objects.values_list("pk", flat=True))

    api(consultant).get(f"{V1}/agreements/{draft.pk}/presale/")

    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT
    assert list(Requirement.objects.values_list("pk", flat=True)) == requirements
    assert not draft.flags.exists()


# ------------------------------------------------------------------------------ a prospect


def test_a_prospect_check_gives_the_pages_verdict_value_at_stake_and_plan(
    api, consultant, consultant_client, email_deal
):
    given = prospect_input(email_deal)

    body = api(consultant).post(f"{V1}/pre-sale/", given, format="json").json()
    page = consultant_client.post(reverse("planning:prospect_check"), {**given, "action": "check"})

    result = page.context["result"]
    assert body["verdict"] == {
        "day": result.verdict.day.isoformat(),
        "status": result.verdict.status,
        "label": result.verdict.label,
    }
    assert body["verdict"]["label"] == "Not deliverable"
    assert body["at_stake"] == f"{result.at_stake:.2f}" == "24000.00"
    assert [(t["skill_name"], t["version_label"]) for t in body["technologies"]] == [
        (t.skill.name, t.version.label) for t in result.technologies
    ]
    assert body["unknown"] == result.unknown == ["Windows Server 2019 Standard", "SonicWall TZ 370"]
    assert [(r["label"], r["status"], r["reason"]) for r in body["requirements"]] == [
        (r.label, r.status, r.reason) for r in result.requirements
    ]
    (goal,) = body["plan"]
    (expected,) = result.plan
    assert goal["technician"] == {"id": email_deal["dana"].pk, "name": "Dana Ortiz"}
    assert (goal["target_level"], goal["target_version"], goal["due_date"]) == (
        expected.target_level,
        expected.target_version_id,
        expected.due_date.isoformat(),
    )
    assert goal["due_date"] < START


def test_a_prospect_check_writes_nothing(api, consultant, email_deal):
    before = [model.objects.count() for model in (Client, Agreement, ClientTechnology, Requirement)]

    response = api(consultant).post(f"{V1}/pre-sale/", prospect_input(email_deal), format="json")

    assert response.status_code == 200
    after = [model.objects.count() for model in (Client, Agreement, ClientTechnology, Requirement)]
    assert after == before
    assert not TrainingGoal.objects.exists()


def test_a_covered_prospect_has_no_value_at_stake(api, consultant, email_deal):
    for name in ("Kim Chen", "Sam Reyes"):
        TechnicianSkillFactory(
            technician=TechnicianFactory(name=name), skill=email_deal["exchange"], level=4
        )

    body = api(consultant).post(f"{V1}/pre-sale/", prospect_input(email_deal), format="json").json()

    assert body["verdict"]["label"] == "Deliverable"
    assert (body["annual_value"], body["at_stake"], body["plan"]) == ("24000.00", None, [])


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 403), ("consultant", 200), ("admin_user", 200)]
)
def test_a_prospect_check_is_for_those_who_may_draft_agreements(
    api, request, email_deal, role, expected
):
    client = api(request.getfixturevalue(role) if role else None)

    response = client.post(f"{V1}/pre-sale/", prospect_input(email_deal), format="json")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"services": []}, "services", "Choose at least one service."),
        ({"services": "email"}, "services", None),
        ({"services": [999999]}, "services", "Not an active service: 999999."),
        ({"services": list(range(1, 102))}, "services", None),
        ({"technologies": ""}, "technologies", None),
        ({"technologies": "Exchange 2016\n" * 400}, "technologies", None),
        ({"start_date": "01/03/2027"}, "start_date", None),
        ({"start_date": "2207-03-01"}, "start_date", None),
        ({"annual_value": "-1"}, "annual_value", None),
        ({"annual_value": "a lot"}, "annual_value", None),
        ({"support_hours": "always"}, "support_hours", None),
        ({"sla_response_hours": 0}, "sla_response_hours", None),
        ({"sla_response_hours": 1000}, "sla_response_hours", None),
    ],
)
def test_a_prospect_check_refuses_bad_input_with_field_messages(
    api, consultant, email_deal, changes, field, message
):
    response = api(consultant).post(
        f"{V1}/pre-sale/", prospect_input(email_deal, **changes), format="json"
    )

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


def test_a_prospect_check_refuses_a_service_no_longer_offered(api, consultant, email_deal):
    retired = ServiceFactory(name="Fax support", is_active=False)

    response = api(consultant).post(
        f"{V1}/pre-sale/",
        prospect_input(email_deal, services=[email_deal["service"].pk, retired.pk]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"services": [f"Not an active service: {retired.pk}."]}


def test_a_prospect_check_without_a_body_lists_every_required_field(api, consultant):
    response = api(consultant).post(f"{V1}/pre-sale/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"services", "technologies", "start_date", "support_hours"}


def test_a_prospect_check_with_an_annual_value_left_out_gives_none_at_stake(
    api, consultant, email_deal
):
    given = prospect_input(email_deal)
    del given["annual_value"]

    body = api(consultant).post(f"{V1}/pre-sale/", given, format="json").json()

    assert body["verdict"]["status"] == "uncovered"
    assert (body["annual_value"], body["at_stake"]) == (None, None)


def test_a_prospect_on_an_out_of_support_version_gets_the_migration_and_a_plan_on_its_target(
    api, consultant, email_deal
):
    """Exchange 2016 ended on 14 Oct 2025; the client moves to 2019... which ended the same
    day, so to SE."""
    v2016 = email_deal["v2016"]
    v2019 = email_deal["exchange"].versions.get(label="2019")
    se = SkillVersionFactory(skill=email_deal["exchange"], label="SE", rank=3)
    for version, successor in ((v2016, v2019), (v2019, se)):
        version.end_of_support, version.successor = datetime.date(2025, 10, 14), successor
        version.save()

    body = api(consultant).post(f"{V1}/pre-sale/", prospect_input(email_deal), format="json")

    (migration,) = body.json()["migrations"]
    assert (migration["version_label"], migration["end_of_support"]) == (
        "Exchange Server 2016",
        "2025-10-14",
    )
    assert (migration["moves_to"], migration["moves_to_label"]) == (se.pk, "Exchange Server SE")
    assert (migration["moves_to_status"], migration["annual_value"]) == ("uncovered", "24000.00")
    (goal,) = body.json()["plan"]
    assert (goal["target_version"], goal["migrating_from"]) == (se.pk, "Exchange Server 2016")


def test_a_prospect_requirement_at_risk_says_which_kind(api, consultant, email_deal):
    TechnicianSkill.objects.filter(technician=email_deal["dana"]).update(level=3)

    body = api(consultant).post(f"{V1}/pre-sale/", prospect_input(email_deal), format="json")

    assert [(r["status"], r["risk_kind"]) for r in body.json()["requirements"]] == [
        ("at_risk", "thin")
    ]
