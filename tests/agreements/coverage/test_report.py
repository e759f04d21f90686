"""The coverage report: its figures, sections, parts and recipients."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from agreements.coverage.models import CoverageRun
from agreements.coverage.report import (
    coverage_report_recipients,
    coverage_report_send,
    report_context,
)
from tests.conftest import add_recipient

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)

SUBJECT = "Coverage 26 Nov 2026: 1 uncovered, 1 at risk — $41,000 of $165,000 ARR at risk"


def days(n):
    return DAY + datetime.timedelta(days=n)


# ------------------------------------------------------------------------------ content


def report_of(run, **kwargs):
    return report_context(coverage_check=run.coverage_check, **kwargs)


def rows(run, section):
    return report_of(run)["sections"][section]["rows"]


def test_report_figures_match_the_run(book):
    check = report_of(book["run"])["check"]

    assert (check.uncovered_count, check.at_risk_count, check.covered_count) == (1, 1, 1)
    assert check.arr_total == Decimal("165000.00")
    assert check.arr_at_risk_total == Decimal("41000.00")
    run = book["run"]
    assert run.coverage_check == check


def test_report_separates_new_still_open_and_resolved_flags(book):
    assert [f["reference"] for f in rows(book["run"], "new_flags")] == ["AGR-2026-0002"]
    assert [f["reference"] for f in rows(book["run"], "open_flags")] == ["AGR-2026-0001"]
    assert [f["requirement"] for f in rows(book["run"], "resolved_flags")] == [
        "SonicWall at level 3+"
    ]
    assert rows(book["run"], "new_flags")[0]["reason"] == "Only Dana Ortiz qualifies (2 needed)"


def test_single_technician_skills_ranked_by_revenue_dependence(book):
    single = rows(book["run"], "single_technician_skills")

    assert [(s["skill"], s["technicians"]) for s in single] == [
        ("SonicWall", "Dana Ortiz"),
        ("Veeam", "Lee Park"),
        ("Cisco IOS", "Dana Ortiz"),
    ]
    assert single[0]["revenue_dependence"] == Decimal("124000.00")


def test_certifications_expiring_within_the_warning_window(book):
    assert [
        (c["technician"], c["certification"], c["days_left"])
        for c in rows(book["run"], "expiring_certifications")
    ] == [("Dana Ortiz", "CCNA", 30)]


def test_agreements_whose_notice_date_falls_within_90_days(book):
    assert [(a["reference"], a["notice_date"]) for a in rows(book["run"], "notice_dates")] == [
        ("AGR-2026-0003", days(40))
    ]


def test_training_goals_due_soon_or_overdue_and_still_open(book):
    assert [
        (g["technician"], g["due_date"], g["overdue"]) for g in rows(book["run"], "training_goals")
    ] == [
        ("Dana Ortiz", days(-5), True),
        ("Lee Park", days(10), False),
    ]


def test_active_technicians_without_a_valid_baseline_certification(book):
    assert [t["name"] for t in rows(book["run"], "technicians_without_baseline")] == [
        "Kim Chen",
        "Lee Park",
    ]


def test_links_point_into_the_web_app(book, settings):
    settings.SITE_URL = "https://covered.example"

    context = report_of(book["run"])

    flag = context["sections"]["open_flags"]["rows"][0]
    assert flag["path"] == f"/agreements/{book['email'].pk}/"
    assert context["base_url"] == "https://covered.example"
    assert context["reports_url"] == "https://covered.example/reports/"


def test_report_is_read_from_the_check_alone(book, django_assert_num_queries):
    coverage_check = book["run"].coverage_check

    with django_assert_num_queries(0):
        report_context(coverage_check=coverage_check)


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
    assert 'class="' not in html
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


def test_email_links_start_with_the_site_url(book, recipient, settings):
    settings.SITE_URL = "https://covered.example"

    coverage_report_send(run_id=book["run"].pk)

    message = mail.outbox[0]
    agreement_url = f"https://covered.example/agreements/{book['email'].pk}/"
    assert agreement_url in message.body
    assert f'href="{agreement_url}"' in message.alternatives[0][0]
    report_url = f"https://covered.example/reports/{book['run'].coverage_check.pk}/"
    assert report_url in message.body


def test_email_splits_what_is_at_risk_into_thin_and_lapsing(book, recipient):
    coverage_report_send(run_id=book["run"].pk)

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert (
        "3 active agreements: 1 uncovered, 1 at risk (1 thin, 0 lapsing), 1 covered, "
        "0 not assessed.\n"
        "ARR at risk: $41,000 of $165,000 (uncovered $25,000, too few qualified today $16,000, "
        "lapsing within 60 days $0).\n"
    ) in message.body
    assert "- AT RISK · THIN: AGR-2026-0002 Harbor Dental – Network care ($16,000/year)" in (
        message.body
    )
    assert "uncovered $25,000, too few qualified today $16,000, lapsing within 60 days $0." in html
    assert '<strong style="color:#b54708;">At risk · thin</strong>' in html


def test_report_page_shows_the_kind_of_each_flag_at_risk(consultant_client, book):
    response = consultant_client.get(
        reverse("coverage:report_detail", args=[book["run"].coverage_check.pk])
    )

    assert (
        'title="Fewer technicians qualify today than the requirement needs">At risk · thin</span>'
    ) in response.content.decode()
