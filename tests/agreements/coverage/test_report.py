"""The coverage report: its figures, sections, parts and recipients."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from agreements.coverage.report import (
    coverage_report_build,
    coverage_report_recipients,
    coverage_report_send,
)
from agreements.coverage.runs import coverage_run_execute
from agreements.models import CoverageRun
from skills.models import Technician, TrainingGoal
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.conftest import add_recipient
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
PREVIOUS_DAY = DAY - datetime.timedelta(days=1)
NIGHT = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC)  # 02:00 in New York
PREVIOUS_NIGHT = NIGHT - datetime.timedelta(days=1)
SUBJECT = "Coverage 26 Nov 2026: 1 uncovered, 1 at risk — $41,000 of $165,000 ARR at risk"


def days(n):
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def book():
    """$165,000 a year: one agreement uncovered ($25,000), one at risk ($16,000), one covered.

    Run the day before (a flag that stays open, one resolved since) and on DAY (a new flag).
    """
    dana = TechnicianFactory(name="Dana Ortiz")
    lee = TechnicianFactory(name="Lee Park")
    sam = TechnicianFactory(name="Sam Reyes")

    exchange, cisco, windows, veeam, sonicwall = (
        SkillFactory(name=name)
        for name in ("Exchange", "Cisco IOS", "Windows 11", "Veeam", "SonicWall")
    )
    email = AgreementFactory(
        reference="AGR-2026-0001",
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
    )
    network = AgreementFactory(
        reference="AGR-2026-0002",
        title="Network care",
        client=ClientFactory(name="Harbor Dental"),
        annual_value=Decimal("16000.00"),
    )
    desktops = AgreementFactory(
        reference="AGR-2026-0003",
        title="Desktop support",
        client=ClientFactory(name="Pine Accounting"),
        annual_value=Decimal("124000.00"),
        end_date=days(100),
        notice_days=60,
    )
    RequirementFactory(agreement=email, skill=exchange, min_technicians=2)
    RequirementFactory(agreement=network, skill=cisco, min_technicians=2)
    RequirementFactory(agreement=desktops, skill=windows, min_technicians=2)
    RequirementFactory(agreement=desktops, skill=veeam, min_technicians=1)
    RequirementFactory(agreement=desktops, skill=sonicwall, min_technicians=1)

    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=cisco, level=4)
    for technician in (lee, sam):
        TechnicianSkillFactory(technician=technician, skill=windows, level=3)
    TechnicianSkillFactory(technician=lee, skill=veeam, level=5)

    with time_machine.travel(PREVIOUS_NIGHT, tick=False):
        coverage_run_execute(run_date=PREVIOUS_DAY)

    # Overnight: Sam leaves, so Cisco IOS rests on Dana alone; Kim joins and keeps Windows 11
    # covered; Dana learns SonicWall, which resolves its flag.
    Technician.objects.filter(pk=sam.pk).update(status=Technician.Status.DEPARTED)
    TechnicianSkillFactory(technician=TechnicianFactory(name="Kim Chen"), skill=windows, level=4)
    TechnicianSkillFactory(technician=dana, skill=sonicwall, level=3)

    mcp = CertificationFactory(name="MCP", is_baseline=True)
    ccna = CertificationFactory(name="CCNA")
    TechnicianCertificationFactory(technician=dana, certification=mcp)
    TechnicianCertificationFactory(technician=dana, certification=ccna, expires_on=days(30))
    TechnicianCertificationFactory(technician=lee, certification=ccna, expires_on=days(90))
    TechnicianCertificationFactory(
        technician=lee, certification=mcp, earned_on=datetime.date(2020, 1, 1), expires_on=days(-1)
    )

    TrainingGoalFactory(technician=lee, skill=exchange, due_date=days(10), reason="Backup")
    TrainingGoalFactory(
        technician=dana, skill=exchange, due_date=days(-5), status=TrainingGoal.Status.IN_PROGRESS
    )
    TrainingGoalFactory(technician=dana, skill=veeam, due_date=days(30))
    TrainingGoalFactory(technician=dana, skill=windows, due_date=days(-1), status="done")
    TrainingGoalFactory(technician=lee, skill=cisco, due_date=days(2), status="cancelled")

    with time_machine.travel(NIGHT, tick=False):
        run = coverage_run_execute(run_date=DAY)
    return {"run": run, "email": email}


# ------------------------------------------------------------------------------ content


def test_report_figures_match_the_run(book):
    context = coverage_report_build(run=book["run"])

    run = context["run"]
    assert (run.uncovered_count, run.at_risk_count, run.covered_count) == (1, 1, 1)
    assert run.arr_total == Decimal("165000.00")
    assert context["arr_at_risk"] == Decimal("41000.00")


def test_report_separates_new_still_open_and_resolved_flags(book):
    context = coverage_report_build(run=book["run"])

    assert [f["reference"] for f in context["new_flags"]] == ["AGR-2026-0002"]
    assert [f["reference"] for f in context["open_flags"]] == ["AGR-2026-0001"]
    assert [f["requirement"] for f in context["resolved_flags"]] == ["SonicWall at level 3+"]
    assert context["new_flags"][0]["reason"] == "Only Dana Ortiz qualifies (2 needed)"


def test_single_technician_skills_ranked_by_revenue_dependence(book):
    context = coverage_report_build(run=book["run"])

    rows = [(s["skill"], s["technicians"]) for s in context["single_technician_skills"]]
    assert rows == [
        ("SonicWall", "Dana Ortiz"),
        ("Veeam", "Lee Park"),
        ("Cisco IOS", "Dana Ortiz"),
    ]
    assert context["single_technician_skills"][0]["revenue_dependence"] == Decimal("124000.00")


def test_certifications_expiring_within_the_warning_window(book):
    context = coverage_report_build(run=book["run"])

    assert [
        (c["technician"], c["certification"], c["days_left"])
        for c in context["expiring_certifications"]
    ] == [("Dana Ortiz", "CCNA", 30)]


def test_agreements_whose_notice_date_falls_within_90_days(book):
    context = coverage_report_build(run=book["run"])

    assert [(a["reference"], a["notice_date"]) for a in context["notice_dates"]] == [
        ("AGR-2026-0003", days(40))
    ]


def test_training_goals_due_soon_or_overdue_and_still_open(book):
    context = coverage_report_build(run=book["run"])

    assert [(g["technician"], g["due_date"], g["overdue"]) for g in context["training_goals"]] == [
        ("Dana Ortiz", days(-5), True),
        ("Lee Park", days(10), False),
    ]


def test_active_technicians_without_a_valid_baseline_certification(book):
    context = coverage_report_build(run=book["run"])

    assert [t["name"] for t in context["technicians_without_baseline"]] == [
        "Kim Chen",
        "Lee Park",
    ]


def test_links_point_into_the_web_app(book, settings):
    settings.SITE_URL = "https://covered.example"

    context = coverage_report_build(run=book["run"])

    flag = context["open_flags"][0]
    assert flag["url"].startswith("https://covered.example/")
    assert f"/{book['email'].pk}/" in flag["url"]
    assert context["reports_url"] == "https://covered.example/reports/"


# ------------------------------------------------------------------------------ the email


def test_email_subject_states_counts_and_revenue_at_risk(book, recipient):
    coverage_report_send(run_id=book["run"].pk)

    assert mail.outbox[0].subject == SUBJECT


def test_email_has_text_and_html_parts_naming_the_uncovered_agreement(book, recipient):
    coverage_report_send(run_id=book["run"].pk)

    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "AGR-2026-0001" in message.body
    assert "Smith & Jones LLP" in message.body
    assert "No active technician has Exchange at level 3 or above" in message.body
    assert "AGR-2026-0001" in html
    assert "Smith &amp; Jones LLP" in html


def test_email_text_lists_every_section(book, recipient):
    coverage_report_send(run_id=book["run"].pk)

    body = mail.outbox[0].body
    for heading in (
        "NEW FLAGS",
        "STILL OPEN",
        "RESOLVED",
        "SKILLS WITH A SINGLE QUALIFIED TECHNICIAN",
        "CERTIFICATIONS EXPIRING WITHIN 60 DAYS",
        "NOTICE DATES WITHIN 90 DAYS",
        "TRAINING GOALS DUE OR OVERDUE",
        "TECHNICIANS WITHOUT A BASELINE CERTIFICATION",
    ):
        assert heading in body
    assert "Dana Ortiz, CCNA" in body
    assert "OVERDUE since 21 Nov 2026" in body


def test_email_html_is_self_contained_with_inline_styles(book, recipient):
    coverage_report_send(run_id=book["run"].pk)

    html = mail.outbox[0].alternatives[0][0]
    assert "<table" in html and 'style="' in html
    for external in ("<link", "<script", "<style", 'src="http', "url("):
        assert external not in html


def test_email_goes_to_active_recipients_with_an_address(django_user_model, book):
    add_recipient(django_user_model, "rachel")
    add_recipient(django_user_model, "omar")
    add_recipient(django_user_model, "gone", is_active=False)
    add_recipient(django_user_model, "no.address", email="")
    django_user_model.objects.create_user(username="outsider", email="out@msp.example")

    status = coverage_report_send(run_id=book["run"].pk)

    assert status == CoverageRun.EmailStatus.SENT
    assert coverage_report_recipients() == ["omar@msp.example", "rachel@msp.example"]
    assert mail.outbox[0].to == ["omar@msp.example", "rachel@msp.example"]
    run = CoverageRun.objects.get(pk=book["run"].pk)
    assert run.recipients_count == 2
    assert run.sent_at is not None


def test_email_skipped_when_nobody_can_receive_it(django_user_model, book):
    add_recipient(django_user_model, "gone", is_active=False)
    add_recipient(django_user_model, "no.address", email="")

    status = coverage_report_send(run_id=book["run"].pk)

    assert status == CoverageRun.EmailStatus.SKIPPED
    assert mail.outbox == []
    run = CoverageRun.objects.get(pk=book["run"].pk)
    assert (run.email_status, run.recipients_count, run.attempts) == ("skipped", 0, 0)
