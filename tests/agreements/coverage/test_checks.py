"""Recorded checks: written once, read by every page, emailed as recorded."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agreements.coverage import checks, signals
from agreements.coverage.checks import (
    coverage_check_run,
    coverage_checks_prune,
    coverage_data_changes_since,
    newest_check,
)
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageFlag,
    CoverageRun,
)
from agreements.coverage.report import coverage_report_send
from agreements.coverage.runs import coverage_run_execute
from agreements.coverage.tasks import run_coverage_check, run_nightly_coverage
from agreements.models import Agreement, Requirement
from clients.models import Client
from skills.models import Skill, SkillCategory, Technician
from tests.agreements.coverage.conftest import DAY, NIGHT
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

LATER = NIGHT + datetime.timedelta(hours=8)


def manual_check(user=None):
    return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL, user=user)


# ------------------------------------------------------------------------------ what a check holds


def test_a_check_records_every_agreement_and_every_requirement_not_covered(book):
    check = book["run"].coverage_check

    statuses = dict(
        CheckedAgreement.objects.filter(coverage_check=check).values_list(
            "agreement__reference", "status"
        )
    )
    assert statuses == {
        "AGR-2026-0001": "uncovered",
        "AGR-2026-0002": "at_risk",
        "AGR-2026-0003": "covered",
    }
    recorded = CheckedRequirement.objects.filter(coverage_check=check).order_by("agreement_id")
    assert [(row.label, row.status, row.qualified_count, row.is_new) for row in recorded] == [
        ("Exchange at level 3+", "uncovered", 0, False),
        ("Cisco IOS at level 3+", "at_risk", 1, True),
    ]
    assert [name for _, name in recorded[1].qualified] == ["Dana Ortiz"]


@pytest.fixture
def thin_and_lapsing():
    """Harbor ($10,000) needs two on Exchange and has Dana alone: thin. Cove ($2,500) needs one
    CCNA holder and has Sam, whose CCNA expires on 11 Dec 2026, inside the window: lapsing."""
    exchange = SkillFactory(name="Exchange")
    ccna = CertificationFactory(name="CCNA")
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(technician=dana, skill=exchange, level=4)
    TechnicianCertificationFactory(
        technician=TechnicianFactory(name="Sam Lee"),
        certification=ccna,
        expires_on=datetime.date(2026, 12, 11),
    )
    harbor = AgreementFactory(reference="AGR-HARBOR", annual_value=Decimal("10000.00"))
    cove = AgreementFactory(reference="AGR-COVE", annual_value=Decimal("2500.00"))
    thin = RequirementFactory(agreement=harbor, skill=exchange, min_technicians=2)
    lapsing = RequirementFactory(agreement=cove, skill=None, certification=ccna, min_technicians=1)
    return {"exchange": exchange, "thin": thin, "lapsing": lapsing}


def test_a_check_records_the_kind_of_each_agreement_and_requirement_at_risk(thin_and_lapsing):
    check = manual_check()

    agreements = dict(
        CheckedAgreement.objects.filter(coverage_check=check).values_list(
            "agreement__reference", "risk_kind"
        )
    )
    requirements = {
        row.requirement_id: (row.risk_kind, row.risk_detail)
        for row in CheckedRequirement.objects.filter(coverage_check=check)
    }
    assert agreements == {"AGR-HARBOR": "thin", "AGR-COVE": "lapsing"}
    assert requirements == {
        thin_and_lapsing["thin"].pk: ("thin", "only 1 of 2 qualify"),
        thin_and_lapsing["lapsing"].pk: ("lapsing", "covered through 11 Dec 2026"),
    }


def test_a_check_records_the_thin_and_lapsing_shares_of_the_figures(thin_and_lapsing):
    check = manual_check()

    assert (
        check.at_risk_count,
        check.thin_count,
        check.lapsing_count,
        check.arr_at_risk,
        check.arr_thin,
        check.arr_lapsing,
    ) == (2, 1, 1, Decimal("12500.00"), Decimal("10000.00"), Decimal("2500.00"))


def test_flags_carry_the_kind_and_follow_it_from_check_to_check(thin_and_lapsing):
    manual_check()
    opened = dict(CoverageFlag.objects.values_list("requirement_id", "risk_kind"))
    # A second Exchange technician who leaves inside the window: enough today, lapsing.
    TechnicianSkillFactory(
        technician=TechnicianFactory(available_until=datetime.date(2026, 12, 20)),
        skill=thin_and_lapsing["exchange"],
        level=4,
    )

    manual_check()

    thin_flag = CoverageFlag.objects.get(requirement=thin_and_lapsing["thin"])
    assert opened == {
        thin_and_lapsing["thin"].pk: "thin",
        thin_and_lapsing["lapsing"].pk: "lapsing",
    }
    assert (thin_flag.risk_kind, thin_flag.resolved_at) == ("lapsing", None)


def test_a_check_announces_the_flags_it_opened_and_only_those(thin_and_lapsing):
    announced = []

    def receiver(sender, flag_ids, **kwargs):
        announced.append(sorted(flag_ids))

    signals.flags_opened.connect(receiver)
    try:
        first = manual_check()
        nobody_has = RequirementFactory(
            agreement=thin_and_lapsing["thin"].agreement, skill=SkillFactory(name="Fortinet")
        )
        second = manual_check()
    finally:
        signals.flags_opened.disconnect(receiver)

    opened_first = sorted(
        CoverageFlag.objects.filter(opened_by_check=first).values_list("pk", flat=True)
    )
    (opened_second,) = CoverageFlag.objects.filter(opened_by_check=second)
    assert len(opened_first) == 2
    assert announced == [opened_first, [opened_second.pk]]
    assert (opened_second.requirement_id, opened_second.status) == (nobody_has.pk, "uncovered")
    assert opened_second.first_detected_at == opened_second.last_seen_at == second.started_at
    assert (second.new_flags_count, second.open_flags_count) == (1, 3)


def test_a_check_records_each_skills_figures(book):
    figures = {
        row.skill.name: (row.qualified_count, row.revenue_dependence)
        for row in CheckedSkill.objects.filter(
            coverage_check=book["run"].coverage_check
        ).select_related("skill")
    }

    assert figures["Windows 11"] == (2, Decimal("124000.00"))
    assert figures["Cisco IOS"] == (1, Decimal("16000.00"))
    assert figures["Exchange"] == (0, Decimal("25000.00"))


def test_the_nightly_job_runs_the_engine_once(book, monkeypatch):
    calls = []
    real = checks.evaluate_coverage

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(checks, "evaluate_coverage", counted)
    with time_machine.travel(NIGHT + datetime.timedelta(days=1), tick=False):
        run_nightly_coverage.apply(args=[(DAY + datetime.timedelta(days=1)).isoformat()])

    assert len(calls) == 1


def test_flags_name_the_check_that_opened_and_resolved_them(book):
    check = book["run"].coverage_check

    assert list(
        CoverageFlag.objects.filter(opened_by_check=check).values_list(
            "requirement_label", flat=True
        )
    ) == ["Cisco IOS at level 3+"]
    assert list(
        CoverageFlag.objects.filter(resolved_by_check=check).values_list(
            "requirement_label", flat=True
        )
    ) == ["SonicWall at level 3+"]


# ------------------------------------------------------------------------------ as it was sent


def email_and_page(client, run):
    coverage_report_send(run_id=run.pk)
    html = mail.outbox[-1].alternatives[0][0]
    page = client.get(reverse("coverage:report_detail", args=[run.coverage_check.pk]))
    return html, page.content.decode()


def rows_of(html):
    """What a reader sees of each flag and figure: references, reasons, amounts, counts."""
    return (
        re.findall(r"AGR-\d{4}-\d{4}", html),
        re.findall(r"(?:Only|No active|Coverage lapses)[^<]*", html),
        re.findall(r"\$[\d,]+(?:\.\d\d)?", html),
        re.findall(r'data-testid="[a-z-]+-count">(\d+)<', html),
    )


def test_the_report_page_shows_every_figure_and_flag_of_the_email(
    book, recipient, consultant_client
):
    html, page = email_and_page(consultant_client, book["run"])

    assert rows_of(page) == rows_of(html)
    assert "AGR-2026-0001" in page and "$41,000" in page


def test_a_second_check_the_same_day_leaves_the_emailed_report_as_it_was(
    book, recipient, consultant_client
):
    run = book["run"]
    html, page_before = email_and_page(consultant_client, run)

    # Later that day the team changes: Dana leaves; someone runs a check by hand.
    Technician.objects.filter(name="Dana Ortiz").update(status=Technician.Status.DEPARTED)
    with time_machine.travel(LATER, tick=False):
        second = manual_check()

    page_after = consultant_client.get(
        reverse("coverage:report_detail", args=[run.coverage_check.pk])
    ).content.decode()
    assert rows_of(page_after) == rows_of(page_before) == rows_of(html)
    assert second.pk != run.coverage_check.pk and second.uncovered_count == 3
    run.refresh_from_db()
    assert (run.coverage_check_id, run.coverage_check.uncovered_count) == (run.coverage_check.pk, 1)
    assert len(mail.outbox) == 1
    assert newest_check() == second


def test_a_manual_check_claims_no_run_and_sends_nothing(
    recipient, django_capture_on_commit_callbacks
):
    RequirementFactory(agreement=AgreementFactory(), skill=SkillFactory(name="Exchange"))

    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        check_id = run_coverage_check.apply(kwargs={"user_id": recipient.pk}).get()

    check = CoverageCheck.objects.get(pk=check_id)
    assert (check.trigger, check.requested_by, check.uncovered_count) == ("manual", recipient, 1)
    assert not CoverageRun.objects.exists()
    assert mail.outbox == []
    # The night's run still happens and emails its own check.
    with time_machine.travel(NIGHT + datetime.timedelta(hours=1), tick=False):
        run = coverage_run_execute(run_date=DAY)
    assert run is not None and run.coverage_check != check


def test_the_run_now_button_queues_a_manual_check_not_the_nightly_run(
    consultant_client, django_capture_on_commit_callbacks
):
    RequirementFactory(agreement=AgreementFactory(), skill=SkillFactory(name="Exchange"))

    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(reverse("coverage:run_now"))

    assert response.status_code == 302
    assert CoverageCheck.objects.get().trigger == "manual"
    assert not CoverageRun.objects.exists()


# ------------------------------------------------------------------------------ bounded report


def test_report_email_stays_under_100_kb_with_5000_flags_and_says_how_many_more(recipient):
    nobody_knows = Skill.objects.create(
        name="Obscure ERP", category=SkillCategory.objects.create(name="Line-of-business apps")
    )
    clients = Client.objects.bulk_create(
        Client(name=f"Client {n:04d} with a reasonably long business name") for n in range(1000)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            client=clients[n % 1000],
            reference=f"AGR-2026-{n:05d}",
            title=f"Managed services and line-of-business support {n}",
            status=Agreement.Status.ACTIVE,
            start_date=datetime.date(2026, 1, 1),
            annual_value=Decimal(1000 + n),
        )
        for n in range(5000)
    )
    Requirement.objects.bulk_create(
        Requirement(agreement=agreement, skill=nobody_knows, min_level=3, min_technicians=2)
        for agreement in agreements
    )

    with time_machine.travel(NIGHT, tick=False):
        run = coverage_run_execute(run_date=DAY)
        coverage_report_send(run_id=run.pk)

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert run.coverage_check.new_flags_count == 5000
    assert len(html.encode()) < 100_000
    assert "and 4975 more" in html and "and 4975 more" in message.body
    assert len(message.body.encode()) < 100_000


# ------------------------------------------------------------------------------ changed since


def test_a_write_after_the_check_marks_it_out_of_date():
    with time_machine.travel(NIGHT - datetime.timedelta(hours=1), tick=False):
        RequirementFactory(agreement=AgreementFactory(), skill=SkillFactory())
        technician, skill = TechnicianFactory(), SkillFactory()
    with time_machine.travel(NIGHT, tick=False):
        check = manual_check()
    assert coverage_data_changes_since(check) == []

    with time_machine.travel(LATER, tick=False):
        TechnicianSkillFactory(technician=technician, skill=skill, level=3)

    assert [str(change) for change in coverage_data_changes_since(check)] == ["1 technician skill"]


def test_the_changes_since_a_check_are_counted_by_kind():
    with time_machine.travel(NIGHT, tick=False):
        check = manual_check()

    with time_machine.travel(LATER, tick=False):
        technician = TechnicianFactory()
        for skill in SkillFactory.create_batch(3):
            TechnicianSkillFactory(technician=technician, skill=skill, level=3)

    changes = [str(change) for change in coverage_data_changes_since(check)]
    assert changes == ["3 technician skills", "1 technician"]


def test_a_check_does_not_mark_itself_out_of_date():
    RequirementFactory(agreement=AgreementFactory(), skill=SkillFactory())

    check = manual_check()

    assert coverage_data_changes_since(check) == []


# ------------------------------------------------------------------------------ retention


def test_old_checks_lose_their_details_but_keep_figures_and_report(book, settings):
    settings.COVERAGE_CHECK_RETENTION_DAYS = 30
    old = book["run"].coverage_check
    with time_machine.travel(NIGHT + datetime.timedelta(days=45), tick=False):
        newest = manual_check()
        pruned = coverage_checks_prune()

    assert pruned == 2  # the two nightly checks of the book
    old.refresh_from_db()
    assert old.details_pruned_at is not None
    assert not CheckedAgreement.objects.filter(coverage_check=old).exists()
    assert not CheckedRequirement.objects.filter(coverage_check=old).exists()
    assert (old.uncovered_count, old.arr_total) == (1, Decimal("165000.00"))
    assert old.report["sections"]["open_flags"]["rows"][0]["reference"] == "AGR-2026-0001"
    assert CheckedAgreement.objects.filter(coverage_check=newest).count() == 3


def test_the_newest_check_is_never_pruned(settings):
    settings.COVERAGE_CHECK_RETENTION_DAYS = 1
    AgreementFactory()
    only = manual_check()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert coverage_checks_prune() == 0
    assert CheckedAgreement.objects.filter(coverage_check=only).exists()
