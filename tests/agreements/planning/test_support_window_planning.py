"""The pre-sale verdict and the what-if judge by the support window's rules too (DESIGN
"Coverage through the support window"): they go through the same engine."""

import datetime
from decimal import Decimal

import pytest

from agreements.coverage.models import CoverageStatus, GapCause
from agreements.models import Agreement
from agreements.planning.prospect_check import ProspectInput, prospect_check
from agreements.planning.whatif import what_if_technicians_leave
from skills.models import OnCallMember, OnCallRota, SkillAlias
from tests.agreements.factories import AgreementFactory, RequirementFactory, ServiceFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def exchange_team():
    """Dana Ortiz and Sam Lee know Exchange Server at level 3 and work 9 to 5 in New York."""
    exchange = SkillFactory(name="Exchange Server")
    SkillAlias.objects.create(skill=exchange, pattern="Exchange")
    service = ServiceFactory(name="Managed email", min_level=3)
    service.skills_in_scope.add(exchange)
    dana = TechnicianFactory(name="Dana Ortiz")
    sam = TechnicianFactory(name="Sam Lee")
    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=exchange, level=3)
    return {"exchange": exchange, "service": service, "dana": dana, "sam": sam}


def prospect(exchange_team, support_hours):
    return ProspectInput(
        services=[exchange_team["service"]],
        technologies="Exchange",
        start_date=datetime.date(2027, 1, 4),
        annual_value=Decimal("30000"),
        support_hours=support_hours,
        sla_response_hours=1,
    )


def test_a_prospects_24x7_sla_changes_its_verdict(exchange_team):
    business = prospect_check(
        prospect=prospect(exchange_team, Agreement.SupportHours.BUSINESS), day=TODAY
    )
    always = prospect_check(
        prospect=prospect(exchange_team, Agreement.SupportHours.ALWAYS), day=TODAY
    )

    assert business.verdict.label == "Deliverable"
    assert always.verdict.label == "Not deliverable"
    (requirement,) = always.requirements
    assert requirement.gap_cause == GapCause.OUTSIDE_HOURS
    # Mon 4 Jan 2027, before Dana and Sam start at 9 (the client's zone is the firm's).
    assert requirement.gap_starts_at == datetime.datetime(2027, 1, 4, 5, 0, tzinfo=datetime.UTC)
    assert requirement.uncovered_hours == Decimal("128")


def test_a_prospects_24x7_sla_is_deliverable_with_a_qualified_rota(exchange_team):
    rota = OnCallRota.objects.create(
        name="Nights and weekends",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 11, 30, 14, 0, tzinfo=datetime.UTC),
    )
    for position, technician in enumerate((exchange_team["dana"], exchange_team["sam"])):
        OnCallMember.objects.create(rota=rota, technician=technician, position=position)

    always = prospect_check(
        prospect=prospect(exchange_team, Agreement.SupportHours.ALWAYS), day=TODAY
    )

    assert always.verdict.label == "Deliverable"


def test_what_if_counts_the_rota_a_leaver_was_alone_on(exchange_team):
    """Sam still qualifies, so the head count alone would say "covered": but Dana was the only
    one on call at night."""
    rota = OnCallRota.objects.create(
        name="Nights",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 11, 30, 14, 0, tzinfo=datetime.UTC),
    )
    OnCallMember.objects.create(rota=rota, technician=exchange_team["dana"], position=0)
    agreement = AgreementFactory(
        reference="AGR-24X7",
        client=ClientFactory(time_zone="America/New_York"),
        support_hours=Agreement.SupportHours.ALWAYS,
    )
    RequirementFactory(agreement=agreement, skill=exchange_team["exchange"], min_technicians=1)

    what_if = what_if_technicians_leave(technician_ids=[exchange_team["dana"].pk], day=TODAY)

    (change,) = what_if.changes
    assert (change.reference, change.before, change.after) == (
        "AGR-24X7",
        CoverageStatus.COVERED,
        CoverageStatus.UNCOVERED,
    )
    (after,) = what_if.scenario.agreements[0].requirements
    assert after.gap_cause == GapCause.ON_CALL_UNQUALIFIED
