"""Coverage in the API: recorded checks and their rows, one agreement's live coverage, flags,
"Run coverage check now" and the what-if, with the pages' roles and answers."""

import contextlib
import datetime
from decimal import Decimal
from types import SimpleNamespace

import psycopg
import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse

from agreements.coverage.checks import LOCK as COVERAGE_CHECK_LOCK
from agreements.coverage.checks import coverage_check_request_run, coverage_check_run
from agreements.coverage.models import (
    CoverageCheck,
    CoverageCheckRequest,
    CoverageFlag,
    CoverageRun,
)
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement, Requirement
from agreements.planning.whatif import WhatIfPage, what_if_technicians_leave
from config.celery import app as celery_app
from skills.models import Technician
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    SkillFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
NIGHT = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC)  # 02:00 in New York
NOON = datetime.datetime(2026, 11, 26, 17, 0, tzinfo=datetime.UTC)
V1 = "/api/v1"


@pytest.fixture
def book():
    """Three agreements checked by the night's run: email at risk (only Dana knows Exchange),
    network uncovered (Lee knows Cisco IOS at level 2 only), desktops covered."""
    exchange, cisco, windows = (
        SkillFactory(name=name) for name in ("Exchange", "Cisco IOS", "Windows 11")
    )
    dana = TechnicianFactory(name="Dana Ortiz")
    lee = TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=dana, skill=exchange, level=4)
    TechnicianSkillFactory(technician=lee, skill=cisco, level=2)
    TechnicianSkillFactory(technician=dana, skill=windows, level=3)
    TechnicianSkillFactory(technician=lee, skill=windows, level=4)
    email = AgreementFactory(
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
    )
    network = AgreementFactory(
        title="Network care",
        client=ClientFactory(name="Harbor Dental"),
        annual_value=Decimal("16000.00"),
    )
    desktops = AgreementFactory(
        title="Desktop support",
        client=ClientFactory(name="Pine Accounting"),
        annual_value=Decimal("124000.00"),
    )
    RequirementFactory(agreement=email, skill=exchange, min_technicians=2)
    RequirementFactory(agreement=network, skill=cisco, min_technicians=2)
    RequirementFactory(agreement=desktops, skill=windows, min_technicians=2)
    TrainingGoalFactory(technician=lee, skill=cisco, due_date=DAY + datetime.timedelta(days=40))
    with time_machine.travel(NIGHT, tick=False):
        run = coverage_run_execute(run_date=DAY)
    return SimpleNamespace(
        run=run,
        check=run.coverage_check,
        email=email,
        network=network,
        desktops=desktops,
        dana=dana,
        lee=lee,
        exchange=exchange,
        cisco=cisco,
        windows=windows,
    )


@pytest.fixture(autouse=True)
def noon(request):
    # The clock runs on when a test talks to a broker: kombu's connection attempts wait on it.
    with time_machine.travel(NOON, tick="broker_down" in request.fixturenames):
        yield


def as_user(api, request, role):
    return api(request.getfixturevalue(role) if role else None)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ------------------------------------------------------------------------------ permissions

ROLES = [None, "viewer", "consultant", "admin_user"]


def read_paths(book, flag) -> list[str]:
    check = book.check.pk
    request = CoverageCheckRequest.objects.create(status=CoverageCheckRequest.Status.QUEUED)
    return [
        f"{V1}/checks/",
        f"{V1}/checks/latest/",
        f"{V1}/checks/{check}/",
        f"{V1}/checks/{check}/agreements/",
        f"{V1}/checks/{check}/requirements/",
        f"{V1}/check-requests/{request.pk}/",
        f"{V1}/flags/",
        f"{V1}/flags/{flag.pk}/",
        f"{V1}/agreements/{book.email.pk}/coverage/",
    ]


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 200), ("consultant", 200), ("admin_user", 200)]
)
def test_every_coverage_read_is_open_to_each_role_and_closed_to_anonymous(
    api, request, book, role, expected
):
    flag = CoverageFlag.objects.first()
    client = as_user(api, request, role)

    statuses = {path: client.get(path).status_code for path in read_paths(book, flag)}

    assert statuses == dict.fromkeys(statuses, expected)


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 403), ("consultant", 200), ("admin_user", 200)]
)
def test_only_those_who_may_change_flags_acknowledge_one(api, request, book, role, expected):
    flag = CoverageFlag.objects.get(agreement=book.email)

    response = as_user(api, request, role).post(f"{V1}/flags/{flag.pk}/acknowledge/")

    flag.refresh_from_db()
    assert response.status_code == expected
    assert (flag.acknowledged_at is not None) == (expected == 200)


# Run-now's view is not atomic (its request row is committed before the task is queued), so a
# refusal marks the test's own transaction for rollback: those tests commit for real.
on_committed_data = pytest.mark.usefixtures("transactional_db")


@on_committed_data
@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 403), ("consultant", 202), ("admin_user", 202)]
)
def test_only_those_who_may_add_checks_run_one_now(api, request, book, role, expected):
    response = as_user(api, request, role).post(f"{V1}/checks/run/")

    assert response.status_code == expected
    assert CoverageCheck.objects.count() == (2 if expected == 202 else 1)
    assert CoverageCheckRequest.objects.exists() == (expected == 202)


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("viewer", 200), ("consultant", 200), ("admin_user", 200)]
)
def test_whoever_may_see_the_what_if_page_may_ask_it(api, request, book, role, expected):
    response = as_user(api, request, role).post(
        f"{V1}/what-if/", {"technician_ids": [book.dana.pk]}, format="json"
    )

    assert response.status_code == expected


# ------------------------------------------------------------------------------ checks


def test_latest_check_is_the_newest_one_recorded(api, consultant, book):
    manual = coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL, user=consultant)

    body = api(consultant).get(f"{V1}/checks/latest/").json()

    assert body["id"] == manual.pk
    assert (body["trigger"], body["requested_by"]["username"]) == ("manual", "marcus.consultant")
    assert body["nightly_run"] is None


def test_latest_check_when_none_is_recorded_is_a_404_that_says_so(api, consultant):
    response = api(consultant).get(f"{V1}/checks/latest/")

    assert response.status_code == 404
    assert "No coverage check has been recorded yet" in response.json()["detail"]


def test_a_check_gives_its_figures_day_trigger_times_and_nightly_run(api, consultant, book):
    body = api(consultant).get(f"{V1}/checks/{book.check.pk}/").json()

    assert body["check_date"] == "2026-11-26"
    assert body["trigger"] == "schedule" and body["requested_by"] is None
    assert (body["started_at"], body["finished_at"]) == (
        "2026-11-26T02:00:00-05:00",
        "2026-11-26T02:00:00-05:00",
    )
    assert (
        body["agreements_count"],
        body["covered_count"],
        body["at_risk_count"],
        body["uncovered_count"],
    ) == (3, 1, 1, 1)
    assert (body["arr_total"], body["arr_uncovered"], body["arr_at_risk"]) == (
        "165000.00",
        "16000.00",
        "25000.00",
    )
    assert body["nightly_run"]["id"] == book.run.pk
    assert body["agreements_url"].endswith(f"/api/v1/checks/{book.check.pk}/agreements/")


def test_checks_are_listed_newest_first_across_cursor_pages(api, consultant, book):
    later = [coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL) for _ in range(2)]
    client = api(consultant)

    seen, url = [], f"{V1}/checks/?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == [later[1].pk, later[0].pk, book.check.pk]


def test_a_checks_agreements_give_their_recorded_status_and_filter_by_it(api, consultant, book):
    client = api(consultant)

    every = results(client.get(f"{V1}/checks/{book.check.pk}/agreements/"))
    at_risk = results(client.get(f"{V1}/checks/{book.check.pk}/agreements/?status=at_risk"))

    assert {(row["client_name"], row["status"], row["annual_value"]) for row in every} == {
        ("Smith & Jones LLP", "at_risk", "25000.00"),
        ("Harbor Dental", "uncovered", "16000.00"),
        ("Pine Accounting", "covered", "124000.00"),
    }
    assert [row["agreement"] for row in at_risk] == [book.email.pk]


def test_a_checks_agreements_keep_a_deleted_agreement_without_its_names(api, consultant, book):
    deleted_id = book.desktops.pk
    book.desktops.delete()

    rows = results(api(consultant).get(f"{V1}/checks/{book.check.pk}/agreements/"))

    deleted = next(row for row in rows if row["agreement"] == deleted_id)
    assert (deleted["reference"], deleted["client_name"], deleted["status"]) == (
        None,
        None,
        "covered",
    )


def test_a_bad_status_filter_is_refused_with_its_field(api, consultant, book):
    response = api(consultant).get(f"{V1}/checks/{book.check.pk}/agreements/?status=sunny")

    assert response.status_code == 400
    assert "status" in response.json()


def test_a_checks_requirements_give_reasons_qualified_and_candidates(api, consultant, book):
    rows = results(api(consultant).get(f"{V1}/checks/{book.check.pk}/requirements/"))

    by_client = {row["client_name"]: row for row in rows}
    assert set(by_client) == {"Smith & Jones LLP", "Harbor Dental"}
    email, network = by_client["Smith & Jones LLP"], by_client["Harbor Dental"]
    assert email["status"] == "at_risk"
    assert email["reason"] == "Only Dana Ortiz qualifies (2 needed)"
    assert email["qualified"] == [{"id": book.dana.pk, "name": "Dana Ortiz"}]
    assert network["status"] == "uncovered"
    assert network["qualified"] == []
    assert [(c["name"], c["gap"]) for c in network["candidates"]] == [
        ("Lee Park", "level 2 of 3 needed")
    ]
    assert email["is_new"] and network["is_new"]


def test_a_checks_requirements_filter_by_status_and_agreement(api, consultant, book):
    client = api(consultant)
    base = f"{V1}/checks/{book.check.pk}/requirements/"

    uncovered = results(client.get(f"{base}?status=uncovered"))
    of_email = results(client.get(f"{base}?agreement={book.email.pk}"))

    assert [row["agreement"] for row in uncovered] == [book.network.pk]
    assert [row["agreement"] for row in of_email] == [book.email.pk]


def test_the_rows_of_a_check_nobody_may_see_are_a_404(api, consultant):
    response = api(consultant).get(f"{V1}/checks/999999/requirements/")

    assert response.status_code == 404


# ------------------------------------------------------------------------------ query counts


def uncovered_agreements(count: int, *, skill) -> None:
    """`count` agreements, each with a requirement of `skill` that nobody meets."""
    client = ClientFactory()
    agreements = Agreement.objects.bulk_create(
        AgreementFactory.build(client=client, annual_value=Decimal(1000 + n)) for n in range(count)
    )
    Requirement.objects.bulk_create(
        Requirement(agreement=agreement, skill=skill, min_level=3, min_technicians=2)
        for agreement in agreements
    )


def manual_check() -> CoverageCheck:
    return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)


# Every list answers in the same queries whatever its length: the request's savepoint and its
# release (2), the token with its user (1), knox's sweep of the user's expired tokens (1), the
# token's "last used" stamp (1: each measure uses a new token), the user's own and their
# groups' permissions (2), then the list's own.
TOKEN_AND_ROLE = 7
LIST_QUERIES = {
    "checks": 1,  # the page of checks, their nightly run and their user joined
    "check agreements": 2,  # the check; the page of its rows, their agreements in subqueries
    "check requirements": 2,  # the same
    "flags": 1,  # the page of flags, agreement, client and acknowledging user joined
}


def list_path(name: str, check: CoverageCheck) -> str:
    return {
        "checks": f"{V1}/checks/",
        "check agreements": f"{V1}/checks/{check.pk}/agreements/",
        "check requirements": f"{V1}/checks/{check.pk}/requirements/",
        "flags": f"{V1}/flags/",
    }[name]


@pytest.mark.parametrize("name", LIST_QUERIES)
def test_a_coverage_list_costs_the_same_queries_for_one_row_and_for_many(
    api, consultant, django_assert_num_queries, name
):
    nobody_knows = SkillFactory(name="Obscure ERP")
    uncovered_agreements(1, skill=nobody_knows)
    one = manual_check()
    client = api(consultant)
    with django_assert_num_queries(TOKEN_AND_ROLE + LIST_QUERIES[name]):
        few = client.get(list_path(name, one))
    assert len(results(few)) == 1

    uncovered_agreements(29, skill=nobody_knows)
    many = [manual_check() for _ in range(29)][-1]
    CoverageCheck.objects.update(requested_by=consultant)
    CoverageFlag.objects.update(acknowledged_by=consultant, acknowledged_at=NOON)
    client = api(consultant)
    with django_assert_num_queries(TOKEN_AND_ROLE + LIST_QUERIES[name]):
        lots = client.get(list_path(name, many))
    assert len(results(lots)) == 30


# ------------------------------------------------------------------------------ live coverage


def panel_of(client, agreement) -> dict:
    """The agreement page's coverage panel, as the page renders it."""
    response = client.get(reverse("agreements:detail", args=[agreement.pk]))
    return next(context for panel, context in response.context["panels"] if panel.key == "coverage")


def test_live_coverage_is_the_agreement_pages_panel(api, consultant, consultant_client, book):
    body = api(consultant).get(f"{V1}/agreements/{book.email.pk}/coverage/").json()
    panel = panel_of(consultant_client, book.email)

    assert body["status"] == panel["coverage"].status == "at_risk"
    assert body["presale"] is None
    assert [
        (row["id"], row["status"], [q["name"] for q in row["qualified"]], row["reason"])
        for row in body["requirements"]
    ] == [
        (
            row.requirement.pk,
            row.live.status,
            list(row.live.qualified_names),
            row.live.reason,
        )
        for row in panel["requirement_rows"]
    ]
    assert body["requirements"][0]["qualified"] == [{"id": book.dana.pk, "name": "Dana Ortiz"}]
    assert body["newest_check"]["id"] == book.check.pk
    assert (body["recorded_status"], body["differs_from_check"]) == ("at_risk", False)
    (flag,) = body["open_flags"]
    assert flag["status"] == "at_risk"


def test_live_coverage_says_where_it_differs_from_the_newest_check(api, consultant, book):
    book.dana.status = Technician.Status.DEPARTED
    book.dana.save()

    body = api(consultant).get(f"{V1}/agreements/{book.email.pk}/coverage/").json()

    assert body["status"] == "uncovered"
    assert (body["recorded_status"], body["differs_from_check"]) == ("at_risk", True)
    assert body["changed_since_check"] is True
    (requirement,) = body["requirements"]
    assert (requirement["status"], requirement["recorded_status"], requirement["differs"]) == (
        "uncovered",
        "at_risk",
        True,
    )


def test_live_coverage_names_the_candidates_and_their_open_goals(api, consultant, book):
    body = api(consultant).get(f"{V1}/agreements/{book.network.pk}/coverage/").json()

    (requirement,) = body["requirements"]
    (candidate,) = requirement["candidates"]
    assert (candidate["name"], candidate["gap"]) == ("Lee Park", "level 2 of 3 needed")
    assert candidate["open_goals"] == ["Cisco IOS at level 3, due 5 Jan 2027, planned"]


def test_live_coverage_of_an_agreement_not_active_today_has_no_status(api, consultant, book):
    ended = AgreementFactory(status=Agreement.Status.EXPIRED, end_date=datetime.date(2026, 6, 30))
    RequirementFactory(agreement=ended, skill=book.exchange)

    body = api(consultant).get(f"{V1}/agreements/{ended.pk}/coverage/").json()

    assert body["status"] is None and body["presale"] is None
    assert [row["status"] for row in body["requirements"]] == [None]


def test_live_coverage_of_an_unknown_agreement_is_a_404(api, consultant):
    assert api(consultant).get(f"{V1}/agreements/999999/coverage/").status_code == 404


# ------------------------------------------------------------------------------ flags


def test_flags_list_with_the_flags_pages_filters(api, consultant, book):
    Technician.objects.filter(pk=book.lee.pk).update(status=Technician.Status.DEPARTED)
    TechnicianSkillFactory(technician=TechnicianFactory(name="Kim Chen"), skill=book.exchange)
    later = coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)
    client = api(consultant)

    def labels(query):
        return sorted(
            (row["client_name"], row["state"], row["status"])
            for row in results(client.get(f"{V1}/flags/?{query}"))
        )

    assert labels("") == [
        ("Harbor Dental", "open", "uncovered"),
        ("Pine Accounting", "open", "at_risk"),
        ("Smith & Jones LLP", "resolved", "at_risk"),
    ]
    assert labels("state=resolved") == [("Smith & Jones LLP", "resolved", "at_risk")]
    assert labels("state=open&status=at_risk") == [("Pine Accounting", "open", "at_risk")]
    assert labels(f"opened_by_check={later.pk}") == [("Pine Accounting", "open", "at_risk")]
    assert labels(f"resolved_by_check={later.pk}") == [("Smith & Jones LLP", "resolved", "at_risk")]


def test_acknowledging_a_flag_records_who_and_when(api, consultant, book):
    flag = CoverageFlag.objects.get(agreement=book.email)

    body = api(consultant).post(f"{V1}/flags/{flag.pk}/acknowledge/").json()

    flag.refresh_from_db()
    assert (flag.acknowledged_by, flag.acknowledged_at) == (consultant, NOON)
    assert body["acknowledged_by"] == {"id": consultant.pk, "username": "marcus.consultant"}
    assert body["acknowledged_at"] == "2026-11-26T12:00:00-05:00"
    assert body["state"] == "open"


def test_acknowledging_a_resolved_flag_is_refused_and_changes_nothing(api, consultant, book):
    flag = CoverageFlag.objects.get(agreement=book.email)
    CoverageFlag.objects.filter(pk=flag.pk).update(resolved_at=NOON)

    response = api(consultant).post(f"{V1}/flags/{flag.pk}/acknowledge/")

    flag.refresh_from_db()
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This flag is already resolved; there is nothing to acknowledge."]
    }
    assert flag.acknowledged_at is None


# ------------------------------------------------------------------------------ run a check now


def test_run_now_answers_202_and_its_status_url_leads_to_the_check(api, consultant, book):
    client = api(consultant)

    response = client.post(f"{V1}/checks/run/")

    assert response.status_code == 202
    body = response.json()
    request = CoverageCheckRequest.objects.get()
    assert body["id"] == request.pk
    assert response["Location"] == body["status_url"]
    # Tasks run eagerly in the tests: the check has already finished.
    assert body["status"] == "done"
    state = client.get(body["status_url"]).json()
    check = CoverageCheck.objects.latest("pk")
    assert (state["status"], state["coverage_check"]) == ("done", check.pk)
    assert state["check_url"].endswith(f"/api/v1/checks/{check.pk}/")
    assert state["requested_by"]["username"] == "marcus.consultant"
    assert (check.trigger, check.requested_by) == ("manual", consultant)


def test_a_check_request_moves_from_queued_through_running_to_done(api, consultant, book):
    request = CoverageCheckRequest.objects.create(requested_by=consultant)
    client = api(consultant)
    status_url = f"{V1}/check-requests/{request.pk}/"
    queued = client.get(status_url).json()
    CoverageCheckRequest.objects.filter(pk=request.pk).update(status="running", started_at=NOON)
    running = client.get(status_url).json()
    CoverageCheckRequest.objects.filter(pk=request.pk).update(status="queued", started_at=None)

    check_id = coverage_check_request_run(request_id=request.pk)

    done = client.get(status_url).json()
    assert (queued["status"], queued["coverage_check"], queued["started_at"]) == (
        "queued",
        None,
        None,
    )
    assert running["status"] == "running"
    assert (done["status"], done["coverage_check"]) == ("done", check_id)
    assert done["started_at"] and done["finished_at"]
    assert CoverageCheck.objects.get(pk=check_id).requested_by == consultant


def test_a_check_request_run_twice_records_one_check(consultant, book):
    request = CoverageCheckRequest.objects.create(requested_by=consultant)

    first = coverage_check_request_run(request_id=request.pk)
    second = coverage_check_request_run(request_id=request.pk)

    assert first is not None and second is None
    assert CoverageCheck.objects.filter(trigger="manual").count() == 1


@contextlib.contextmanager
def coverage_check_lock_held_elsewhere():
    """Another session holds the lock every check takes, and this one gives up waiting for it
    after a moment: the check fails with a real database error."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    ) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [COVERAGE_CHECK_LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        yield
        holder.rollback()


def test_a_check_request_whose_check_fails_is_recorded_as_failed_with_why(consultant):
    # No check before this one in the test's transaction: it would hold the lock itself.
    request = CoverageCheckRequest.objects.create(requested_by=consultant)

    with coverage_check_lock_held_elsewhere(), pytest.raises(OperationalError):
        coverage_check_request_run(request_id=request.pk)

    request.refresh_from_db()
    assert (request.status, request.coverage_check, request.finished_at) == (
        "failed",
        None,
        NOON,
    )
    assert request.error.startswith("The check failed: OperationalError: canceling statement")
    assert not CoverageCheck.objects.exists()


def test_a_check_request_left_running_by_a_lost_worker_is_taken_up_again(consultant, book):
    request = CoverageCheckRequest.objects.create(requested_by=consultant, status="running")

    check_id = coverage_check_request_run(request_id=request.pk)

    request.refresh_from_db()
    assert (request.status, request.coverage_check_id) == ("done", check_id)


def test_manual_checks_through_the_api_never_touch_the_nightly_run_or_its_report(
    api, consultant, book
):
    report = CoverageCheck.objects.get(pk=book.check.pk).report
    client = api(consultant)

    first = client.post(f"{V1}/checks/run/").json()
    second = client.post(f"{V1}/checks/run/").json()

    run = CoverageRun.objects.get()
    assert run.coverage_check_id == book.check.pk
    assert CoverageCheck.objects.get(pk=book.check.pk).report == report
    assert mail.outbox == []
    checks = [
        CoverageCheckRequest.objects.get(pk=body["id"]).coverage_check for body in (first, second)
    ]
    assert all(check.trigger == "manual" for check in checks)
    assert checks[0] != checks[1]
    assert client.get(f"{V1}/checks/latest/").json()["id"] == checks[1].pk


@pytest.fixture
def broker_down():
    """Tasks go to a real broker address that nobody answers, as when Redis is down."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url

    def fresh_connections():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:9/0"
    fresh_connections()
    yield
    conf.task_always_eager, conf.broker_url = saved
    fresh_connections()


@on_committed_data
def test_run_now_with_the_broker_down_is_a_503_and_nothing_is_left_queued(
    api, consultant, book, broker_down
):
    response = api(consultant).post(f"{V1}/checks/run/")

    assert response.status_code == 503
    assert "The job queue cannot be reached right now" in response.json()["detail"]
    request = CoverageCheckRequest.objects.get()
    assert request.status == "failed"
    assert request.error.startswith("The job queue could not be reached")
    assert CoverageCheck.objects.count() == 1


# ------------------------------------------------------------------------------ what-if


def what_if_rows(changes) -> list[tuple]:
    return [
        (
            change.agreement_id,
            change.before,
            change.after,
            f"{change.annual_value:.2f}",
            [requirement.label for requirement in change.requirements],
        )
        for change in changes
    ]


def api_rows(rows) -> list[tuple]:
    return [
        (
            row["agreement_id"],
            row["before"],
            row["after"],
            row["annual_value"],
            [r["label"] for r in row["requirements"]],
        )
        for row in rows
    ]


def test_what_if_gives_the_same_agreements_and_figures_as_the_service_and_the_page(
    api, viewer, viewer_client, book
):
    # Kim backs Dana on Exchange and shares Windows 11 with Dana and Lee: without Dana, the
    # email agreement falls to at risk and the desktops merely get thinner.
    kim = TechnicianFactory(name="Kim Chen")
    TechnicianSkillFactory(technician=kim, skill=book.exchange, level=3)
    TechnicianSkillFactory(technician=kim, skill=book.windows, level=4)
    gone = [book.dana.pk]

    body = api(viewer).post(f"{V1}/what-if/", {"technician_ids": gone}, format="json").json()
    expected = what_if_technicians_leave(technician_ids=gone, day=DAY)
    page = viewer_client.get(reverse("planning:what_if"), {"technician": gone}).context["result"]

    assert body["day"] == "2026-11-26"
    assert body["technicians"] == [{"id": book.dana.pk, "name": "Dana Ortiz"}]
    assert page == WhatIfPage.of(expected)
    assert api_rows(body["changes"]) == what_if_rows(expected.changes)
    assert api_rows(body["thinner"]) == what_if_rows(expected.thinner)
    assert (
        body["arr_affected"],
        body["arr_newly_uncovered"],
        body["arr_newly_at_risk"],
        body["arr_uncovered_before"],
        body["arr_uncovered_after"],
        body["arr_at_risk_before"],
        body["arr_at_risk_after"],
    ) == tuple(
        f"{value:.2f}"
        for value in (
            expected.arr_affected,
            expected.arr_newly_uncovered,
            expected.arr_newly_at_risk,
            expected.baseline.arr_uncovered,
            expected.scenario.arr_uncovered,
            expected.baseline.arr_at_risk,
            expected.scenario.arr_at_risk,
        )
    )
    assert body["relying_count"] == len(expected.baseline.agreements)
    assert [row["agreement_id"] for row in body["changes"]] == [book.email.pk]
    assert [row["agreement_id"] for row in body["thinner"]] == [book.desktops.pk]


def test_what_if_lists_the_requirements_that_break_and_who_remains(api, consultant, book):
    body = (
        api(consultant)
        .post(f"{V1}/what-if/", {"technician_ids": [book.dana.pk]}, format="json")
        .json()
    )

    email = next(row for row in body["changes"] if row["agreement_id"] == book.email.pk)
    (requirement,) = email["requirements"]
    assert (email["before"], email["after"]) == ("at_risk", "uncovered")
    assert (requirement["qualified_before"], requirement["qualified_after"]) == (1, 0)
    assert requirement["remaining_names"] == []


def test_what_if_pages_its_lists_and_counts_them_all(api, consultant, book):
    body = (
        api(consultant)
        .post(
            f"{V1}/what-if/",
            {"technician_ids": [book.dana.pk, book.lee.pk], "limit": 1, "offset": 1},
            format="json",
        )
        .json()
    )

    expected = what_if_technicians_leave(technician_ids=[book.dana.pk, book.lee.pk], day=DAY)
    assert body["changes_count"] == len(expected.changes) == 2
    assert api_rows(body["changes"]) == what_if_rows(expected.changes[1:2])


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "technician_ids"),
        ({"technician_ids": []}, "technician_ids"),
        ({"technician_ids": "dana"}, "technician_ids"),
        ({"technician_ids": [0]}, "technician_ids"),
        ({"technician_ids": list(range(1, 52))}, "technician_ids"),
        ({"technician_ids": [999999]}, "technician_ids"),
        ({"technician_ids": [1], "day": "26/11/2026"}, "day"),
        ({"technician_ids": [1], "day": "2260-01-01"}, "day"),
        ({"technician_ids": [1], "limit": 10_000}, "limit"),
    ],
)
def test_what_if_refuses_bad_input_with_field_messages(api, consultant, book, given, field):
    response = api(consultant).post(f"{V1}/what-if/", given, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_what_if_refuses_a_technician_not_available_on_the_day(api, consultant, book):
    Technician.objects.filter(pk=book.lee.pk).update(available_until=DAY)

    response = api(consultant).post(
        f"{V1}/what-if/",
        {"technician_ids": [book.dana.pk, book.lee.pk], "day": "2026-12-01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "technician_ids": [f"Not a technician available on that day: {book.lee.pk}."]
    }


# ------------------------------------------------------------------------------ kinds of at risk


def test_a_check_gives_the_thin_and_lapsing_shares_of_its_figures(api, consultant, book):
    body = api(consultant).get(f"{V1}/checks/{book.check.pk}/").json()

    assert (
        body["thin_count"],
        body["lapsing_count"],
        body["arr_thin"],
        body["arr_lapsing"],
    ) == (1, 0, "25000.00", "0.00")


def test_a_checks_rows_and_the_flags_give_the_kind_of_at_risk(api, consultant, book):
    client = api(consultant)
    base = f"{V1}/checks/{book.check.pk}"

    agreements = results(client.get(f"{base}/agreements/"))
    requirements = results(client.get(f"{base}/requirements/"))
    flags = results(client.get(f"{V1}/flags/"))

    assert {(row["client_name"], row["risk_kind"]) for row in agreements} == {
        ("Smith & Jones LLP", "thin"),
        ("Harbor Dental", ""),
        ("Pine Accounting", ""),
    }
    assert {(row["client_name"], row["risk_kind"], row["risk_detail"]) for row in requirements} == {
        ("Smith & Jones LLP", "thin", "only 1 of 2 qualify"),
        ("Harbor Dental", "", ""),
    }
    assert {(row["client_name"], row["risk_kind"]) for row in flags} == {
        ("Smith & Jones LLP", "thin"),
        ("Harbor Dental", ""),
    }
    thin_only = [
        results(client.get(f"{base}/agreements/?risk_kind=thin")),
        results(client.get(f"{base}/requirements/?risk_kind=thin")),
        results(client.get(f"{V1}/flags/?status=at_risk_thin")),
    ]
    assert [[row["client_name"] for row in rows] for rows in thin_only] == [
        ["Smith & Jones LLP"]
    ] * 3
    assert results(client.get(f"{base}/agreements/?risk_kind=lapsing")) == []


def test_live_coverage_gives_the_kind_of_at_risk_beside_the_recorded_one(api, consultant, book):
    # A second Exchange technician who leaves inside the window: enough today, lapsing.
    TechnicianSkillFactory(
        technician=TechnicianFactory(available_until=DAY + datetime.timedelta(days=20)),
        skill=book.exchange,
        level=4,
    )

    body = api(consultant).get(f"{V1}/agreements/{book.email.pk}/coverage/").json()

    (requirement,) = body["requirements"]
    assert (body["risk_kind"], body["recorded_risk_kind"], body["differs_from_check"]) == (
        "lapsing",
        "thin",
        True,
    )
    assert (
        requirement["risk_kind"],
        requirement["risk_detail"],
        requirement["recorded_risk_kind"],
        requirement["differs"],
    ) == ("lapsing", "covered through 16 Dec 2026", "thin", True)


def test_what_if_says_how_much_would_become_thin_and_how_much_lapsing(api, consultant, book):
    # Kim backs Dana on Exchange; Sam, who leaves inside the window, backs Lee on Windows 11.
    kim = TechnicianFactory(name="Kim Chen")
    TechnicianSkillFactory(technician=kim, skill=book.exchange, level=3)
    sam = TechnicianFactory(name="Sam Reyes", available_until=DAY + datetime.timedelta(days=20))
    TechnicianSkillFactory(technician=sam, skill=book.windows, level=3)
    # Without Dana: email rests on Kim alone (thin), desktops on Lee and Sam, who leaves.

    body = (
        api(consultant)
        .post(f"{V1}/what-if/", {"technician_ids": [book.dana.pk]}, format="json")
        .json()
    )

    assert (body["newly_uncovered"], body["newly_thin"], body["newly_lapsing"]) == (
        {"count": 0, "annual_value": "0.00"},
        {"count": 1, "annual_value": "25000.00"},
        {"count": 1, "annual_value": "124000.00"},
    )
    assert {
        row["agreement_id"]: (row["before_risk_kind"], row["after_risk_kind"])
        for row in body["changes"]
    } == {book.email.pk: ("", "thin"), book.desktops.pk: ("", "lapsing")}
