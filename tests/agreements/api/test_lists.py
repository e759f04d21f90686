"""What the lists of /api/v1/ read along each row: the names of the rows it refers to, and for
clients and agreements their coverage in the newest check, for a fixed number of queries."""

import datetime

import pytest
import time_machine

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from agreements.models import Agreement, Requirement
from skills.models import OnCallRota, TimeOff
from tests.agreements.factories import (
    AgreementFactory,
    AgreementServiceFactory,
    CompetitorOfferingFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.conftest import make_user
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
NOON = datetime.datetime(2026, 11, 26, 17, 0, tzinfo=datetime.UTC)
V1 = "/api/v1"


@pytest.fixture(autouse=True)
def noon():
    with time_machine.travel(NOON, tick=False):
        yield


def rows(client, prefix) -> list[dict]:
    response = client.get(f"{V1}/{prefix}/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def row_of(client, prefix, pk) -> dict:
    return next(row for row in rows(client, prefix) if row["id"] == pk)


def check_now() -> CoverageCheck:
    return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)


def moment(value: str | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


# ------------------------------------------------------------------------------ names


def test_an_agreement_names_its_client_owner_services_and_requirements(
    api, viewer, django_user_model
):
    owner = make_user(django_user_model, "rosa", first_name="Rosa", last_name="Diaz")
    agreement = AgreementFactory(client=ClientFactory(name="Harbor Dental"), owner=owner)
    email, backup = ServiceFactory(name="Email care"), ServiceFactory(name="Backup care")
    AgreementServiceFactory(agreement=agreement, service=email)
    AgreementServiceFactory(agreement=agreement, service=backup)
    exchange_2016 = SkillVersionFactory(skill=SkillFactory(name="Exchange"), label="2016")
    RequirementFactory(
        agreement=agreement,
        skill=exchange_2016.skill,
        version=exchange_2016,
        source=Requirement.Source.DERIVED,
        service=email,
    )
    RequirementFactory(
        agreement=agreement, skill=None, certification=CertificationFactory(name="CCNA")
    )

    row = row_of(api(viewer), "agreements", agreement.pk)

    assert (row["client_name"], row["owner_name"]) == ("Harbor Dental", "Rosa Diaz")
    assert row["service_names"] == ["Backup care", "Email care"]
    assert row["services"] == [backup.pk, email.pk]
    assert [
        (r["skill_name"], r["version_label"], r["certification_name"], r["service_name"])
        for r in row["requirements"]
    ] == [("Exchange", "2016", None, "Email care"), (None, None, "CCNA", None)]
    assert [
        (r["skill_name"], r["version_label"], r["certification_name"])
        for r in row["manual_requirements"]
    ] == [(None, None, "CCNA")]


def test_an_owner_without_a_full_name_is_named_by_username(api, viewer, django_user_model):
    agreement = AgreementFactory(owner=make_user(django_user_model, "rosa.d"))
    nobodys = AgreementFactory(owner=None)
    client = api(viewer)

    assert row_of(client, "agreements", agreement.pk)["owner_name"] == "rosa.d"
    assert row_of(client, "agreements", nobodys.pk)["owner_name"] is None


def test_a_client_names_its_account_manager_and_what_runs_on_its_lan(
    api, viewer, django_user_model
):
    manager = make_user(django_user_model, "sam", first_name="Sam", last_name="Lee")
    client = ClientFactory(account_manager=manager)
    windows_11 = SkillVersionFactory(skill=SkillFactory(name="Windows"), label="11")
    ClientTechnologyFactory(client=client, skill=windows_11.skill, version=windows_11)
    ClientTechnologyFactory(client=client, skill=SkillFactory(name="QuickBooks Desktop"))

    row = row_of(api(viewer), "clients", client.pk)

    assert row["account_manager_name"] == "Sam Lee"
    assert [(r["skill_name"], r["version_label"]) for r in row["environment"]] == [
        ("QuickBooks Desktop", None),
        ("Windows", "11"),
    ]


def test_a_technician_names_their_skills_versions_and_certifications(
    api, viewer, django_user_model
):
    login = make_user(django_user_model, "dana", first_name="Dana", last_name="Ortiz")
    technician = TechnicianFactory(name="Dana Ortiz", user=login)
    exchange = SkillFactory(name="Exchange")
    oldest = SkillVersionFactory(skill=exchange, label="2013", rank=1)
    newest = SkillVersionFactory(skill=exchange, label="2019", rank=3)
    TechnicianSkillFactory(
        technician=technician, skill=exchange, oldest_version=oldest, newest_version=newest
    )
    TechnicianCertificationFactory(
        technician=technician, certification=CertificationFactory(name="MCP")
    )

    row = row_of(api(viewer), "technicians", technician.pk)

    assert row["user_name"] == "Dana Ortiz"
    assert [
        (r["skill_name"], r["oldest_version_label"], r["newest_version_label"])
        for r in row["skills"]
    ] == [("Exchange", "2013", "2019")]
    assert [r["certification_name"] for r in row["certifications"]] == ["MCP"]


def test_a_training_goal_names_its_technician_skill_version_and_certification(api, viewer):
    cisco_17 = SkillVersionFactory(skill=SkillFactory(name="Cisco IOS"), label="17")
    goal = TrainingGoalFactory(
        technician=TechnicianFactory(name="Lee Park"),
        skill=cisco_17.skill,
        target_version=cisco_17,
        certification=CertificationFactory(name="CCNA"),
    )
    bare = TrainingGoalFactory(skill=None, certification=CertificationFactory(name="MCP"))
    client = api(viewer)

    named = row_of(client, "training-goals", goal.pk)
    unnamed = row_of(client, "training-goals", bare.pk)

    assert (
        named["technician_name"],
        named["skill_name"],
        named["target_version_label"],
        named["certification_name"],
    ) == ("Lee Park", "Cisco IOS", "17", "CCNA")
    assert (unnamed["skill_name"], unnamed["target_version_label"]) == (None, None)


def test_the_catalog_names_the_category_skill_and_version_of_each_row(api, viewer):
    exchange_2016 = SkillVersionFactory(skill=SkillFactory(name="Exchange"), label="2016")
    alias = exchange_2016.skill.aliases.create(
        pattern="Microsoft Exchange Server 2016 CU23", version=exchange_2016
    )
    client = api(viewer)

    skill = row_of(client, "skills", exchange_2016.skill.pk)
    version = row_of(client, "skill-versions", exchange_2016.pk)
    named_alias = row_of(client, "skill-aliases", alias.pk)

    assert skill["category_name"] == exchange_2016.skill.category.name
    assert version["skill_name"] == "Exchange"
    assert (named_alias["skill_name"], named_alias["version_label"]) == ("Exchange", "2016")


def test_a_service_names_its_skills_in_the_order_of_their_ids(api, viewer):
    service = ServiceFactory()
    service.skills_in_scope.add(SkillFactory(name="Windows"), SkillFactory(name="Exchange"))

    row = row_of(api(viewer), "services", service.pk)

    names_by_id = dict(zip(row["skills_in_scope"], row["skills_in_scope_names"], strict=True))
    assert sorted(names_by_id.values()) == ["Exchange", "Windows"]
    assert all(names_by_id[skill.pk] == skill.name for skill in service.skills_in_scope.all())


def test_a_competitors_offering_names_our_service(api, viewer):
    offering = CompetitorOfferingFactory(service=ServiceFactory(name="Managed backup"))
    free_text = CompetitorOfferingFactory(
        competitor=offering.competitor, service=None, name="Dark web scans"
    )

    row = row_of(api(viewer), "competitors", offering.competitor.pk)

    assert sorted((r["id"], r["service_name"]) for r in row["offerings"]) == sorted(
        [(offering.pk, "Managed backup"), (free_text.pk, None)]
    )


def test_a_write_answers_with_the_names_and_coverage_a_read_gives(api, consultant):
    client = ClientFactory(name="Bayside Vets")

    response = api(consultant).post(
        f"{V1}/agreements/",
        {
            "client": client.pk,
            "title": "Managed IT",
            "status": "active",
            "start_date": "2026-01-01",
            "annual_value": "12000.00",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["client_name"], body["coverage_status"]) == ("Bayside Vets", "not_checked")
    assert body == row_of(api(consultant), "agreements", body["id"])


# ------------------------------------------------------------------------------ coverage


def _agreement_with_status(status: str, **fields) -> Agreement:
    """An active agreement the engine will find `status`: one qualified technician for a
    requirement of two (at risk), of one (covered), or nobody with the skill (uncovered)."""
    agreement = AgreementFactory(**fields)
    skill = SkillFactory()
    needed = {"covered": 1, "at_risk": 2, "uncovered": 1}[status]
    RequirementFactory(agreement=agreement, skill=skill, min_technicians=needed)
    if status != "uncovered":
        TechnicianSkillFactory(skill=skill, level=4)
    return agreement


def test_an_agreement_reads_its_status_in_the_newest_check_and_when_that_ran(api, viewer):
    agreement = _agreement_with_status("uncovered")
    check_now()
    TechnicianSkillFactory(skill=agreement.requirements.get().skill, level=3)
    with time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False):
        newest = check_now()

    row = row_of(api(viewer), "agreements", agreement.pk)

    assert row["coverage_status"] == "covered"
    assert moment(row["coverage_checked_at"]) == newest.finished_at


def test_an_agreement_made_since_the_check_is_not_checked_yet_and_a_draft_has_no_status(
    api, viewer
):
    check_now()
    since = AgreementFactory()
    draft = AgreementFactory(status=Agreement.Status.DRAFT)
    client = api(viewer)

    added = row_of(client, "agreements", since.pk)
    drafted = row_of(client, "agreements", draft.pk)

    assert (added["coverage_status"], added["coverage_checked_at"]) == ("not_checked", None)
    assert (drafted["coverage_status"], drafted["coverage_checked_at"]) == (None, None)


def test_before_any_check_an_active_agreement_and_its_client_are_not_checked_yet(api, viewer):
    agreement = AgreementFactory()
    client = api(viewer)

    statuses = (
        row_of(client, "agreements", agreement.pk)["coverage_status"],
        row_of(client, "clients", agreement.client.pk)["coverage_status"],
    )

    assert statuses == ("not_checked", "not_checked")


def test_a_client_reads_the_worst_status_of_its_agreements_in_the_newest_check(api, viewer):
    worst_uncovered, worst_at_risk = ClientFactory(), ClientFactory()
    for status in ("covered", "uncovered", "at_risk"):
        _agreement_with_status(status, client=worst_uncovered)
    for status in ("covered", "at_risk"):
        _agreement_with_status(status, client=worst_at_risk)
    check = check_now()
    client = api(viewer)

    first = row_of(client, "clients", worst_uncovered.pk)
    second = row_of(client, "clients", worst_at_risk.pk)

    assert (first["coverage_status"], second["coverage_status"]) == ("uncovered", "at_risk")
    assert moment(first["coverage_checked_at"]) == check.finished_at


def test_a_client_without_checked_agreements_says_why(api, viewer):
    check_now()
    prospect = ClientFactory(status="prospect")
    signed_since = AgreementFactory().client
    client = api(viewer)

    without = row_of(client, "clients", prospect.pk)
    unchecked = row_of(client, "clients", signed_since.pk)

    assert (without["coverage_status"], without["coverage_checked_at"]) == (None, None)
    assert (unchecked["coverage_status"], unchecked["coverage_checked_at"]) == (
        "not_checked",
        None,
    )


# ------------------------------------------------------------------------------ query counts


def _full_row(prefix: str, user) -> None:
    """A row of `prefix` with every reference its serializer names filled in."""
    version = SkillVersionFactory()
    skill = version.skill
    if prefix == "clients":
        client = ClientFactory(account_manager=user)
        ContactFactory(client=client)
        ClientTechnologyFactory(client=client, skill=skill, version=version)
        _agreement_with_status("at_risk", client=client)
    elif prefix == "agreements":
        agreement = _agreement_with_status("uncovered", owner=user)
        RequirementFactory(agreement=agreement, skill=None, certification=CertificationFactory())
        # A derived requirement too, which the check's sync makes from the service's scope and
        # the client's environment.
        service = ServiceFactory()
        service.skills_in_scope.add(skill)
        AgreementServiceFactory(agreement=agreement, service=service)
        ClientTechnologyFactory(client=agreement.client, skill=skill, version=version)
    elif prefix == "services":
        ServiceFactory().skills_in_scope.add(skill, SkillFactory())
    elif prefix == "competitors":
        CompetitorOfferingFactory()
    elif prefix == "skills":
        SkillFactory()
    elif prefix == "skill-versions":
        SkillVersionFactory()
    elif prefix == "skill-aliases":
        skill.aliases.create(pattern=f"{skill.name} Server", version=version)
    elif prefix == "technicians":
        technician = TechnicianFactory()
        TechnicianSkillFactory(
            technician=technician, skill=skill, oldest_version=version, newest_version=version
        )
        TechnicianCertificationFactory(technician=technician)
    elif prefix == "training-goals":
        TrainingGoalFactory(
            skill=skill, target_version=version, certification=CertificationFactory()
        )
    elif prefix == "time-off":
        TimeOff.objects.create(
            technician=TechnicianFactory(), first_day=DAY, last_day=DAY + datetime.timedelta(2)
        )
    elif prefix == "rotas":
        rota = OnCallRota.objects.create(
            name=f"Rota {OnCallRota.objects.count()}", starts_at=NOON, rotation_days=7
        )
        rota.hours.create(weekday=5, start=datetime.time(0), end=datetime.time(0))
        rota.members.create(technician=TechnicianFactory(), position=0)
        rota.members.create(technician=TechnicianFactory(), position=1)
        rota.overrides.create(
            technician=TechnicianFactory(),
            starts_at=NOON + datetime.timedelta(days=1),
            ends_at=NOON + datetime.timedelta(days=2),
        )


# Every list: the request's savepoint and its release (2), the token with its user (1), knox's
# sweep of the user's expired tokens (1), the token's "last used" stamp (1: each measure uses a
# new token), the user's own and their groups' permissions (2); then each list's own, named
# here. Names come joined to the page's query or to the query of the nested rows that name them.
TOKEN_AND_ROLE = 7
LIST_QUERIES = {
    "clients": (
        "the newest check",
        "the page of clients, account manager joined, coverage in subqueries",
        "their contacts",
        "their environment, skill and version joined",
    ),
    "agreements": (
        "the newest check",
        "the page of agreements, client and owner joined, coverage in subqueries",
        "their services",
        "their requirements, skill, version, certification and service joined",
    ),
    "services": ("the page of services", "their skills in scope"),
    "competitors": ("the page of competitors", "their offerings, our service joined"),
    "skills": ("the page of skills, category joined",),
    "skill-versions": ("the page of versions, skill joined",),
    "skill-aliases": ("the page of aliases, skill and version joined",),
    "technicians": (
        "the page of technicians, login joined",
        "their skills, skill and both versions joined",
        "their certifications, certification joined",
    ),
    "training-goals": (
        "the page of goals, technician, skill, target version and certification joined",
    ),
    "time-off": ("the page of time off, technician joined",),
    "rotas": (
        "the page of rotas",
        "their hours",
        "their members, technician joined",
        "their overrides not ended yet, technician joined",
    ),
}


@pytest.mark.parametrize("prefix", LIST_QUERIES)
def test_a_list_costs_the_same_queries_for_one_row_and_for_many(
    api, viewer, django_assert_num_queries, prefix
):
    _full_row(prefix, viewer)
    check_now()
    client = api(viewer)
    with django_assert_num_queries(TOKEN_AND_ROLE + len(LIST_QUERIES[prefix])):
        few = rows(client, prefix)

    for _ in range(9):
        _full_row(prefix, viewer)
    check_now()
    client = api(viewer)
    with django_assert_num_queries(TOKEN_AND_ROLE + len(LIST_QUERIES[prefix])):
        many = rows(client, prefix)

    assert len(many) > len(few) >= 1
