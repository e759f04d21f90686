"""The pages show the support window (DESIGN "Coverage through the support window"): the week
grid of an agreement and of a requirement in the client's time, each non-covered requirement's
first gap and the hours a week uncovered, the on-call and time-off gaps of the next 14 days on
the dashboard and in the report, and "add to the rota" in the plan."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreements.coverage.models import CoverageCheck, GapCause
from agreements.coverage.report import coverage_report_message, report_context
from agreements.coverage.runs import coverage_run_execute
from agreements.coverage.support_window import week_grid
from agreements.models import Agreement
from agreements.planning.gaps import ROTA_PROPOSALS_SHOWN, rota_proposals
from skills.models import OnCallMember, OnCallRota, TimeOff
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.conftest import add_recipient
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

TODAY = datetime.date(2026, 12, 7)  # a Monday
NOW = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=datetime.UTC)  # 10:00 in New York

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def team():
    """Dana Ortiz and Sam Lee know Exchange at level 3 and work 9 to 5 in New York (the
    default hours, the firm's zone)."""
    exchange = SkillFactory(name="Exchange")
    dana = TechnicianFactory(name="Dana Ortiz")
    sam = TechnicianFactory(name="Sam Lee")
    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=exchange, level=3)
    return {"exchange": exchange, "dana": dana, "sam": sam}


@pytest.fixture
def round_the_clock(team):
    """A 24×7 agreement for a client in Chicago, without an on-call rota: uncovered outside
    8:00–16:00 Chicago time on weekdays (9 to 5 in New York)."""
    agreement = AgreementFactory(
        reference="AGR-24X7",
        title="Around the clock",
        client=ClientFactory(name="Night Owl Logistics", time_zone="America/Chicago"),
        support_hours=Agreement.SupportHours.ALWAYS,
        annual_value=Decimal("40000.00"),
    )
    requirement = RequirementFactory(agreement=agreement, skill=team["exchange"], min_technicians=1)
    return agreement, requirement


@pytest.fixture
def office_hours(team):
    """An 8×5 agreement in New York whose two Exchange people are both on time off 14–16 Dec:
    lapsing on 14 Dec, 09:00–17:00."""
    agreement = AgreementFactory(
        reference="AGR-8X5",
        title="Office hours",
        client=ClientFactory(name="Quiet Office", time_zone="America/New_York"),
        annual_value=Decimal("12000.00"),
    )
    requirement = RequirementFactory(agreement=agreement, skill=team["exchange"], min_technicians=2)
    for technician in (team["dana"], team["sam"]):
        TimeOff.objects.create(
            technician=technician,
            first_day=datetime.date(2026, 12, 14),
            last_day=datetime.date(2026, 12, 16),
            kind=TimeOff.Kind.VACATION,
        )
    return agreement, requirement


def run_check():
    with time_machine.travel(NOW - datetime.timedelta(hours=8), tick=False):
        coverage_run_execute(run_date=TODAY)
    return CoverageCheck.objects.get()


def cells(html: str) -> int:
    return html.count('<td class="wg-')


# ------------------------------------------------------------------------------ the week grid


def test_agreement_page_shows_the_week_in_the_clients_time(consultant_client, round_the_clock):
    agreement, _ = round_the_clock

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    html = response.content.decode()
    assert 'data-testid="week-grid"' in html
    assert cells(html) == 7 * 48
    assert "in the client&#x27;s time (America/Chicago)</caption>" in html
    # 9 to 5 in New York is 8 to 4 in Chicago: the night before is a gap.
    grid = response.context["week_grid"]
    assert grid.zone == "America/Chicago"
    assert grid.days[0] == TODAY
    assert grid.uncovered_hours == Decimal("128")
    assert "Mon 7 Dec 2026 00:00–08:00" in html
    assert "128 hours a week uncovered" in html


def test_agreement_page_names_the_gaps_as_text(consultant_client, round_the_clock):
    agreement, _ = round_the_clock

    html = consultant_client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()

    gaps = html.split('data-testid="week-gaps"')[1].split("</div>\n</div>")[0]
    assert "Gaps in the support window (128 hours of the week" in gaps
    assert "00:00–08:00" in gaps
    assert "16:00–24:00" in gaps


def test_a_drafts_week_starts_on_its_start_date(consultant_client, round_the_clock):
    agreement, _ = round_the_clock
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.DRAFT, start_date=datetime.date(2027, 2, 1)
    )

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    assert response.context["week_grid"].days[0] == datetime.date(2027, 2, 1)
    assert cells(response.content.decode()) == 7 * 48


@pytest.mark.parametrize("draft", [False, True])
def test_the_pages_week_is_the_one_agreements_own_week(
    consultant_client, round_the_clock, team, draft
):
    """The page reuses its live evaluation's team time (over the warning window) for the week;
    the grid is the one week_grid reads for the agreement alone."""
    agreement, requirement = round_the_clock
    TimeOff.objects.create(
        technician=team["dana"], first_day=TODAY, last_day=TODAY + datetime.timedelta(days=2)
    )
    day = TODAY
    if draft:
        day = datetime.date(2027, 2, 1)
        Agreement.objects.filter(pk=agreement.pk).update(
            status=Agreement.Status.DRAFT, start_date=day
        )

    page = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))
    requirement_page = consultant_client.get(
        reverse("coverage:requirement_detail", args=[requirement.pk])
    )

    assert page.context["week_grid"] == week_grid(agreement_id=agreement.pk, day=day)
    assert requirement_page.context["week_grid"] == week_grid(
        agreement_id=agreement.pk, day=day, requirement_id=requirement.pk
    )


def test_an_expired_agreement_shows_no_week_grid(consultant_client, round_the_clock):
    agreement, _ = round_the_clock
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.EXPIRED, end_date=datetime.date(2026, 6, 30)
    )

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    assert response.context["week_grid"] is None


def test_requirement_page_shows_its_coverage_first_gap_and_week(consultant_client, round_the_clock):
    agreement, requirement = round_the_clock
    run_check()

    response = consultant_client.get(reverse("coverage:requirement_detail", args=[requirement.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["live"].status == "uncovered"
    assert response.context["live"].gap_cause == GapCause.OUTSIDE_HOURS
    assert cells(html) == 7 * 48
    assert 'First gap: <span class="text-nowrap">Mon 7 Dec 2026 00:00–08:00</span>' in html
    assert GapCause.OUTSIDE_HOURS.label in html
    assert 'data-testid="add-to-rota"' in html


def test_requirement_page_of_a_requirement_gone_is_not_found(consultant_client, round_the_clock):
    _, requirement = round_the_clock

    response = consultant_client.get(
        reverse("coverage:requirement_detail", args=[requirement.pk + 100])
    )

    assert response.status_code == 404


@pytest.mark.parametrize(("role", "status"), [("viewer", 200), ("consultant", 200), (None, 302)])
def test_requirement_page_is_for_those_who_read_agreements(browse, round_the_clock, role, status):
    agreement, requirement = round_the_clock

    response = browse(role).get(reverse("coverage:requirement_detail", args=[requirement.pk]))

    assert response.status_code == status


@pytest.mark.parametrize("rows", [1, 12])
def test_agreement_page_queries_do_not_grow_with_requirements_or_people(
    consultant_client, django_assert_num_queries, round_the_clock, rows
):
    agreement, _ = round_the_clock
    for number in range(rows):
        skill = SkillFactory()
        RequirementFactory(agreement=agreement, skill=skill, min_technicians=1)
        technician = TechnicianFactory()
        TechnicianSkillFactory(technician=technician, skill=skill, level=3)
        TimeOff.objects.create(
            technician=technician,
            first_day=TODAY + datetime.timedelta(days=number),
            last_day=TODAY + datetime.timedelta(days=number + 1),
        )
    rota = OnCallRota.objects.create(
        name="Nights", time_zone="America/New_York", starts_at=NOW - datetime.timedelta(days=3)
    )
    for position, technician in enumerate(TechnicianFactory.create_batch(rows)):
        OnCallMember.objects.create(rota=rota, technician=technician, position=position)
    run_check()

    # AGREEMENT_PAGE_QUERIES, below, says which.
    with django_assert_num_queries(AGREEMENT_PAGE_QUERIES):
        response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))
    assert cells(response.content.decode()) == 7 * 48


@pytest.mark.parametrize("rows", [1, 12])
def test_requirement_page_queries_do_not_grow_with_people(
    consultant_client, django_assert_num_queries, round_the_clock, rows
):
    agreement, requirement = round_the_clock
    for technician in TechnicianFactory.create_batch(rows):
        TechnicianSkillFactory(technician=technician, skill=requirement.skill, level=3)
    run_check()

    # REQUIREMENT_PAGE_QUERIES, below, says which.
    with django_assert_num_queries(REQUIREMENT_PAGE_QUERIES):
        consultant_client.get(reverse("coverage:requirement_detail", args=[requirement.pk]))


# ------------------------------------------------------------------------------ first gaps


def test_flags_show_their_first_gap_and_the_hours_uncovered(consultant_client, round_the_clock):
    run_check()

    html = consultant_client.get(reverse("coverage:dashboard")).content.decode()

    flags = html.split('id="open-flags"')[1]
    assert "Mon 7 Dec 2026 00:00–08:00" in flags
    assert "(America/Chicago)" in flags
    assert "128 hours a week uncovered" in flags


def test_flag_list_shows_the_first_gap(consultant_client, round_the_clock):
    run_check()

    html = consultant_client.get(reverse("coverage:flag_list")).content.decode()

    assert "Mon 7 Dec 2026 00:00–08:00" in html


def test_the_checks_requirements_show_their_first_gap(consultant_client, round_the_clock):
    check = run_check()

    html = consultant_client.get(
        reverse("coverage:check_requirements", args=[check.pk])
    ).content.decode()

    assert "Mon 7 Dec 2026 00:00–08:00" in html
    assert GapCause.OUTSIDE_HOURS.label in html


# ------------------------------------------------------------------------------ the next 14 days


def test_dashboard_lists_time_off_gaps_of_the_next_14_days(
    consultant_client, round_the_clock, office_hours
):
    run_check()

    html = consultant_client.get(reverse("coverage:dashboard")).content.decode()

    section = html.split('data-testid="time-gaps"')[1].split("</section>")[0]
    assert "On-call and time-off gaps in the next 14 days" in html
    assert "AGR-8X5" in section
    assert "Mon 14 Dec 2026 09:00–17:00" in section
    assert GapCause.TIME_OFF.label in section
    # Outside everyone's hours every week: listed with the flags, not here.
    assert "AGR-24X7" not in section


def test_a_gap_beyond_14_days_is_left_out(consultant_client, team, office_hours):
    TimeOff.objects.all().update(
        first_day=datetime.date(2026, 12, 22), last_day=datetime.date(2026, 12, 23)
    )
    run_check()

    section = run_report_section()

    assert section["total"] == 0


def run_report_section():
    check = CoverageCheck.objects.get()
    return report_context(coverage_check=check, base_url="")["sections"]["time_gaps"]


def test_the_report_lists_the_same_gaps_in_the_email_and_on_its_page(
    consultant_client, django_user_model, round_the_clock, office_hours
):
    add_recipient(django_user_model, "owner", email="owner@example.com")
    check = run_check()

    page = consultant_client.get(reverse("coverage:report_detail", args=[check.pk]))
    message = coverage_report_message(coverage_check=check, recipients=["owner@example.com"])

    section = report_context(coverage_check=check, base_url="")["sections"]["time_gaps"]
    assert [row["reference"] for row in section["rows"]] == ["AGR-8X5"]
    assert section["rows"][0]["gap"] == "Mon 14 Dec 2026 09:00–17:00"
    html = page.content.decode()
    email_html = message.alternatives[0][0]
    for text in ("On-call and time-off gaps in the next 14 days", "Mon 14 Dec 2026 09:00–17:00"):
        assert text in html
        assert text in email_html
    assert "ON-CALL AND TIME-OFF GAPS IN THE NEXT 14 DAYS" in message.body
    assert "Mon 14 Dec 2026 09:00–17:00 (America/New_York): AGR-8X5" in message.body
    assert mail.outbox == [] or all("Coverage" in m.subject for m in mail.outbox)


def test_the_list_behind_and_n_more_holds_only_those_gaps(
    consultant_client, round_the_clock, office_hours
):
    check = run_check()

    response = consultant_client.get(
        reverse("coverage:check_requirements", args=[check.pk]), {"gaps": "14"}
    )

    assert [row.agreement_id for row in response.context["object_list"]] == [office_hours[0].pk]


# ------------------------------------------------------------------------------ add to the rota


def test_plan_proposes_a_rota_when_there_is_none(consultant_client, round_the_clock):
    run_check()

    html = consultant_client.get(reverse("planning:plan")).content.decode()

    assert "Create an on-call rota with Dana Ortiz and Sam Lee for these hours" in html


def test_plan_proposes_adding_the_qualified_to_a_rota(consultant_client, round_the_clock):
    rota = OnCallRota.objects.create(
        name="Nights", time_zone="America/New_York", starts_at=NOW + datetime.timedelta(days=60)
    )
    OnCallMember.objects.create(rota=rota, technician=TechnicianFactory(), position=0)
    run_check()

    html = consultant_client.get(reverse("planning:gap_analysis")).content.decode()

    assert "Add Dana Ortiz or Sam Lee to the on-call rota “Nights”" in html


@pytest.mark.parametrize("rows", [1, 12])
def test_rota_proposals_read_the_same_queries_for_few_or_many(
    django_assert_num_queries, team, rows
):
    for _ in range(rows):
        agreement = AgreementFactory(support_hours=Agreement.SupportHours.ALWAYS)
        RequirementFactory(agreement=agreement, skill=team["exchange"], min_technicians=1)
        rota = OnCallRota.objects.create(
            name=f"Rota {agreement.pk}", time_zone="America/New_York", starts_at=NOW
        )
        OnCallMember.objects.create(rota=rota, technician=TechnicianFactory(), position=0)
    run_check()

    # the newest check; its rows with their agreements and clients (the recorded annual value a
    # subquery); their count (a full page of proposals); the rotas, their members
    with django_assert_num_queries(5 if rows >= ROTA_PROPOSALS_SHOWN else 4):
        plan = rota_proposals()
    assert len(plan.proposals) == min(rows, ROTA_PROPOSALS_SHOWN)
    assert plan.total == rows


def test_rota_proposals_skip_gaps_that_training_closes(consultant_client, office_hours):
    run_check()

    response = consultant_client.get(reverse("planning:plan"))

    assert response.context["rota_plan"].proposals == []


# The engine's reads of one agreement (agreements/coverage/engine.py): technicians, their skills
# and certifications, requirements, versions, certifications, the requirements' rows, the
# agreement with its client; the team's time: working hours, time off, rotas, members, rota
# hours, overrides.
ENGINE_READS = 14
# session, user, savepoint and its release, user's permissions, group permissions, agreement with
# client and owner, services; live coverage: the warning window in force and the engine's reads
# (the week grid reuses the team's time they read); the newest check, the change stamp, what the
# check recorded for the agreement and its requirements; requirements with skill, version,
# certification and service, and open flags (with their first gap, subqueries).
AGREEMENT_PAGE_QUERIES = 8 + 1 + ENGINE_READS + 5 + 1
# session, user, savepoint and its release, user's permissions, group permissions, the
# requirement with its agreement and client; live coverage (the warning window in force, the
# engine's reads, which the week grid reuses), the newest check, the change stamp, what it
# recorded for the requirement.
REQUIREMENT_PAGE_QUERIES = 7 + 1 + ENGINE_READS + 3
