import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageCheck, CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement, Requirement
from agreements.planning.models import Competitor, CompetitorOffering
from clients.models import Client
from demo.portfolio import seed_demo
from skills.models import (
    Certification,
    Skill,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TrainingGoal,
)
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

ARR = Decimal("165000.00")


def run_seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def active_total():
    return Agreement.objects.filter(status=Agreement.Status.ACTIVE).aggregate(
        total=Sum("annual_value")
    )["total"]


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def demo():
    return run_seed()


def test_eight_active_clients(demo):
    assert Client.objects.filter(status=Client.Status.ACTIVE).count() == 8


def test_active_agreements_total_exactly_165000(demo):
    total = active_total()

    assert isinstance(total, Decimal)
    assert total == ARR
    assert "$165,000" in demo


def test_each_active_client_has_one_active_agreement(demo):
    for client in Client.objects.filter(status=Client.Status.ACTIVE):
        assert client.agreements.filter(status=Agreement.Status.ACTIVE).count() == 1, client


def test_draft_and_expired_agreements_do_not_count(demo):
    others = Agreement.objects.exclude(status=Agreement.Status.ACTIVE)

    assert set(others.values_list("status", flat=True)) == {
        Agreement.Status.DRAFT,
        Agreement.Status.EXPIRED,
    }
    assert Agreement.objects.aggregate(total=Sum("annual_value"))["total"] > ARR


def test_every_active_agreement_is_active_today(demo):
    today = timezone.localdate()

    active = Agreement.objects.filter(status=Agreement.Status.ACTIVE)
    assert set(active) == set(Agreement.objects.active_on(today))


def test_every_active_agreement_has_a_derived_requirement(demo):
    for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE):
        assert agreement.requirements.filter(source=Requirement.Source.DERIVED).exists(), agreement


def test_clients_run_versions_a_couple_behind(demo):
    runs = {
        (t.skill.name, t.version.label)
        for client in Client.objects.all()
        for t in client.technologies.select_related("skill", "version")
        if t.version_id
    }

    assert {
        ("Windows Server", "2016"),
        ("Windows Server", "2019"),
        ("Exchange Server", "2016"),
        ("Windows", "10"),
        ("QuickBooks Desktop", "2022"),
        ("SonicWall SonicOS", "6.5"),
    } <= runs


def test_every_client_has_one_primary_contact(demo):
    for client in Client.objects.all():
        assert client.contacts.filter(is_primary=True).count() == 1, client


def test_most_technicians_hold_mcp_and_exactly_one_holds_no_baseline(demo):
    mcp = Certification.objects.get(is_baseline=True)
    without_baseline = Technician.objects.exclude(certifications__certification__is_baseline=True)

    assert Technician.objects.count() == 5
    assert mcp.holders.count() == 4
    assert list(without_baseline.values_list("name", flat=True)) == ["Kevin Brandt"]


def test_exactly_one_certification_expires_within_60_days(demo):
    today = timezone.localdate()
    expiring = TechnicianCertification.objects.filter(
        expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=60)
    )

    assert expiring.count() == 1
    assert not TechnicianCertification.objects.filter(expires_on__lt=today).exists()


def test_one_agreement_has_its_notice_date_within_90_days(demo):
    today = timezone.localdate()
    soon = [
        agreement
        for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE)
        if agreement.notice_date
        and today <= agreement.notice_date <= today + datetime.timedelta(90)
    ]

    assert [agreement.client.name for agreement in soon] == ["Cedar Creek Veterinary Clinic"]


def test_competitors_offer_our_services_and_something_we_do_not(demo):
    offerings = CompetitorOffering.objects.all()

    assert Competitor.objects.count() == 2
    assert offerings.filter(service__isnull=False).exists()
    assert offerings.filter(service__isnull=True, name="VoIP phone systems").count() == 2
    assert not offerings.filter(price__isnull=True).exists()


def test_training_goals_form_a_plan(demo):
    goals = TrainingGoal.objects.all()

    assert (
        goals.filter(
            status__in=[TrainingGoal.Status.PLANNED, TrainingGoal.Status.IN_PROGRESS]
        ).count()
        >= 1
    )
    assert goals.filter(due_date__lt=timezone.localdate()).exists()


def test_coverage_shows_an_uncovered_and_at_risk_agreements(demo):
    result = evaluate_coverage(day=timezone.localdate())
    status = {a.client_name: a.status for a in result.agreements}

    assert result.arr_total == ARR
    assert status["Harlow & Pierce LLP"] == "uncovered"
    assert status["Kessler & Ng CPAs"] == "at_risk"
    assert status["Brennan Precision Machining"] == "at_risk"
    assert result.arr_uncovered == Decimal("30000.00")
    assert result.arr_at_risk == Decimal("54600.00")
    assert result.counts["covered"] == 5


def test_dates_follow_the_day_of_the_seed():
    later = datetime.date(2031, 7, 15)

    with time_machine.travel(datetime.datetime(2031, 7, 15, 9, tzinfo=datetime.UTC), tick=False):
        seed_demo(today=later)

    active = Agreement.objects.filter(status=Agreement.Status.ACTIVE)
    assert set(active) == set(Agreement.objects.active_on(later))
    assert TechnicianCertification.objects.filter(
        expires_on__range=(later, later + datetime.timedelta(days=60))
    ).exists()


def test_second_run_changes_nothing(demo):
    before = row_counts()

    output = run_seed()

    assert row_counts() == before
    assert "nothing changed" in output
    assert active_total() == ARR


def test_reset_removes_demo_rows_and_seeds_the_same_figures(demo):
    before = row_counts()
    coverage_run_execute(run_date=timezone.localdate())  # flags on demo agreements
    other_client = ClientFactory(name="Walk-in Customer")
    user = get_user_model().objects.create_user("lena.frost", password="x-Long-enough-1")
    catalog = (Skill.objects.count(), SkillVersion.objects.count(), Certification.objects.count())

    output = run_seed("--reset")

    assert "Removed:" in output
    # The old flags went with their agreements; the seed's own check flags the new ones.
    newest = CoverageCheck.objects.order_by("-finished_at").first()
    assert set(CoverageFlag.objects.values_list("opened_by_check", flat=True)) == {newest.pk}
    assert Client.objects.filter(pk=other_client.pk).exists()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert (
        Skill.objects.count(),
        SkillVersion.objects.count(),
        Certification.objects.count(),
    ) == catalog
    assert active_total() == ARR
    assert Client.objects.filter(status=Client.Status.ACTIVE).count() == 9
    after = row_counts()
    for model in (Agreement, Requirement, Technician, TechnicianCertification, TrainingGoal):
        assert after[model._meta.label] == before[model._meta.label], model


def test_missing_catalog_version_fails_with_a_clear_error():
    call_command("load_catalog", stdout=StringIO())
    exchange = Skill.objects.get(name="Exchange Server")
    exchange.versions.filter(label="2016").delete()
    SkillVersion.objects.create(skill=exchange, label="2016 CU23", rank=20)

    with pytest.raises(CommandError, match="no version “2016” of Exchange Server"):
        run_seed()

    assert not Client.objects.exists()


def test_the_demo_comes_with_a_first_coverage_check(demo):
    check = CoverageCheck.objects.get()

    assert (check.uncovered_count, check.at_risk_count, check.arr_total) == (1, 2, ARR)
    assert "Coverage checked: 1 uncovered, 2 at risk" in demo


def test_seeding_again_records_no_second_check(demo):
    run_seed()

    assert CoverageCheck.objects.count() == 1
