"""The dashboard: coverage figures from the newest check, open flags, the live watch lists."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck, CoverageFlag, CoverageRun
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    PartnerRuleFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)  # 10:00 in New York
TODAY = datetime.date(2026, 11, 26)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def book():
    """Eight clients booking $165,000 a year, plus a draft that does not count.

    Exchange is required by the $25,000 agreement and nobody has it (uncovered); QuickBooks by
    the $16,000 one and only Grace has it (at risk); Windows by the rest, covered by two.
    """
    values = [25000, 16000, 30000, 24000, 20000, 18000, 17000, 15000]
    agreements = [
        AgreementFactory(
            client=ClientFactory(name=f"Client {number}"),
            title=f"Managed IT {number}",
            annual_value=Decimal(value),
        )
        for number, value in enumerate(values, start=1)
    ]
    AgreementFactory(client=agreements[0].client, status="draft", annual_value=Decimal(9999))
    exchange = SkillFactory(name="Exchange")
    quickbooks = SkillFactory(name="QuickBooks")
    windows = SkillFactory(name="Windows 11")
    RequirementFactory(agreement=agreements[0], skill=exchange)
    RequirementFactory(agreement=agreements[1], skill=quickbooks)
    for agreement in agreements[2:]:
        RequirementFactory(agreement=agreement, skill=windows)
    grace = TechnicianFactory(name="Grace Lindqvist")
    TechnicianSkillFactory(technician=grace, skill=quickbooks, level=4)
    for name in ("Tomás Reyes", "Kevin Brandt"):
        TechnicianSkillFactory(technician=TechnicianFactory(name=name), skill=windows, level=3)
    return agreements


def check_now():
    return coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)


def test_dashboard_shows_arr_across_active_clients(consultant_client, book, engine_forbidden):
    check_now()
    with engine_forbidden():
        response = consultant_client.get(reverse("coverage:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "$165,000" in html
    assert "across 8 clients" in html


def test_dashboard_counts_agreements_by_coverage_status_with_arr_at_risk(
    consultant_client, book, engine_forbidden
):
    check_now()
    with engine_forbidden():
        response = consultant_client.get(reverse("coverage:dashboard"))

    summaries = {
        s.status: (s.count, s.annual_value) for s in response.context["dashboard"].statuses
    }
    assert summaries == {
        "uncovered": (1, Decimal("25000")),
        "at_risk": (1, Decimal("16000")),
        "covered": (6, Decimal("124000")),
        "not_assessed": (0, Decimal("0")),
    }
    assert response.context["dashboard"].check.arr_at_risk_total == Decimal("41000")
    assert "$41,000" in response.content.decode()


def test_dashboard_splits_the_arr_at_risk_into_thin_and_lapsing(
    consultant_client, book, engine_forbidden
):
    # QuickBooks rests on Grace alone (thin); a $5,000 agreement's only CCNA holder has a
    # certificate that expires inside the window (lapsing).
    ccna = CertificationFactory(name="CCNA")
    TechnicianCertificationFactory(certification=ccna, expires_on=days(15))
    RequirementFactory(
        agreement=AgreementFactory(annual_value=Decimal("5000")),
        skill=None,
        certification=ccna,
        min_technicians=1,
    )
    check_now()
    with engine_forbidden():
        response = consultant_client.get(reverse("coverage:dashboard"))

    html = response.content.decode()
    split = re.search(r'data-testid="arr-at-risk-split">([^<]*)<', html).group(1)
    shares = [
        (share.words, share.count, share.annual_value)
        for share in response.context["dashboard"].risk_shares
    ]
    assert split == (
        "uncovered $25,000 · too few qualified today $16,000 · lapsing within 60 days $5,000"
    )
    assert shares == [
        ("too few qualified today", 1, Decimal("16000")),
        ("lapsing within 60 days", 1, Decimal("5000")),
    ]
    assert f'href="{reverse("agreements:list")}?coverage=at_risk_thin">1</a>' in html
    assert f'href="{reverse("agreements:list")}?coverage=at_risk_lapsing">1</a>' in html


def test_dashboard_lists_open_flags_newest_first_with_reason_and_link(consultant_client, book):
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        coverage_run_execute(run_date=days(-1))
    Agreement.objects.filter(pk=book[0].pk).update(status="cancelled")
    RequirementFactory(agreement=book[2], skill=SkillFactory(name="Veeam"))
    coverage_run_execute(run_date=TODAY)

    response = consultant_client.get(reverse("coverage:dashboard"))

    flags = list(response.context["flags_page"].object_list)
    assert [flag.requirement_label for flag in flags] == [
        "Veeam at level 3+",
        "QuickBooks at level 3+",
    ]
    html = response.content.decode()
    assert "No active technician has Veeam at level 3 or above" in html
    assert "Only Grace Lindqvist qualifies (2 needed)" in html
    assert f'href="{reverse("agreements:detail", args=[book[2].pk])}"' in html


def test_dashboard_paginates_open_flags(consultant_client, book):
    for agreement in book[2:]:
        for _ in range(2):
            RequirementFactory(agreement=agreement, skill=SkillFactory())
    coverage_run_execute(run_date=TODAY)

    first = consultant_client.get(reverse("coverage:dashboard"))
    second = consultant_client.get(reverse("coverage:dashboard"), {"page": 2})

    assert first.context["flags_page"].paginator.count == 14
    assert len(first.context["flags_page"].object_list) == 10
    assert len(second.context["flags_page"].object_list) == 4


def test_dashboard_ranks_single_technician_skills_by_revenue_dependence(consultant_client, book):
    sql = SkillFactory(name="SQL Server")
    RequirementFactory(agreement=book[2], skill=sql)
    RequirementFactory(agreement=book[3], skill=sql)
    TechnicianSkillFactory(technician=TechnicianFactory(name="Dana Ortiz"), skill=sql, level=5)
    check_now()

    response = consultant_client.get(reverse("coverage:dashboard"))

    rows = response.context["dashboard"].single_technician_skills["rows"]
    assert [(row["skill"], row["revenue_dependence"]) for row in rows] == [
        ("SQL Server", Decimal("54000")),
        ("QuickBooks", Decimal("16000")),
    ]
    assert "$54,000" in response.content.decode()


def test_dashboard_lists_certifications_expiring_within_the_window(consultant_client, book):
    ccna = CertificationFactory(name="Cisco CCNA")
    tomas = TechnicianFactory(name="Tomás Ruiz")
    TechnicianCertificationFactory(technician=tomas, certification=ccna, expires_on=days(20))
    TechnicianCertificationFactory(certification=CertificationFactory(), expires_on=days(61))

    response = consultant_client.get(reverse("coverage:dashboard"))

    expiring = response.context["dashboard"].expiring_certifications.rows
    assert [(h.technician.name, h.certification.name) for h in expiring] == [
        ("Tomás Ruiz", "Cisco CCNA")
    ]
    assert "16 Dec 2026" in response.content.decode()


def test_dashboard_lists_agreements_whose_notice_date_is_within_90_days(consultant_client, book):
    Agreement.objects.filter(pk=book[4].pk).update(end_date=days(74), notice_days=60)
    Agreement.objects.filter(pk=book[5].pk).update(end_date=days(200), notice_days=60)

    response = consultant_client.get(reverse("coverage:dashboard"))

    assert response.context["dashboard"].notice_dates.rows == [Agreement.objects.get(pk=book[4].pk)]
    assert "10 Dec 2026" in response.content.decode()


def test_dashboard_shows_the_last_run_with_its_email_status(consultant_client, book):
    run = coverage_run_execute(run_date=TODAY)
    CoverageRun.objects.filter(pk=run.pk).update(email_status=CoverageRun.EmailStatus.FAILED)

    response = consultant_client.get(reverse("coverage:dashboard"))

    html = response.content.decode()
    assert response.context["dashboard"].check == run.coverage_check
    assert "Email failed" in html
    assert reverse("coverage:report_detail", args=[run.coverage_check.pk]) in html
    assert "Run coverage check now" in html


def test_dashboard_without_any_run_invites_a_first_check(consultant_client):
    response = consultant_client.get(reverse("coverage:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No check has run yet." in html
    assert "known after the first check" in html
    assert "Run coverage check now" in html


def test_viewer_sees_the_figures_but_not_the_run_button(viewer_client, book):
    coverage_run_execute(run_date=TODAY)

    response = viewer_client.get(reverse("coverage:dashboard"))

    html = response.content.decode()
    assert "$165,000" in html
    assert "Run coverage check now" not in html
    assert "Acknowledge</button>" not in html


def test_acknowledged_flag_shows_who_acknowledged_it(consultant_client, consultant, book):
    coverage_run_execute(run_date=TODAY)
    CoverageFlag.objects.update(acknowledged_by=consultant, acknowledged_at=NOW)

    response = consultant_client.get(reverse("coverage:dashboard"))

    assert "Acknowledged by marcus.consultant" in response.content.decode()


@pytest.mark.parametrize("flags", [1, 30])
def test_dashboard_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, flags
):
    skill = SkillFactory()
    for _ in range(flags):
        agreement = AgreementFactory(end_date=days(70))  # notice due in 10 days
        RequirementFactory(agreement=agreement, skill=skill)
        held = TechnicianCertificationFactory(expires_on=days(10))
        PartnerRuleFactory(certification=held.certification, min_technicians=1)  # at risk
    TechnicianSkillFactory(skill=skill, level=3)
    coverage_run_execute(run_date=TODAY)

    # session, user, savepoint and its release, user's permissions, group permissions; the
    # warning window in force; the newest check (with its run), the change stamp; notice dates
    # (with clients) and their count; expiring certifications and their count; technicians
    # without a baseline certification and their count; open flags count and page. No
    # coverage query: the figures are the check's (the partner programmes' too).
    with django_assert_num_queries(17):
        response = consultant_client.get(reverse("coverage:dashboard"))
    assert response.status_code == 200


def test_dashboard_lists_technicians_without_a_baseline_certification(consultant_client):
    mcp = CertificationFactory(name="Microsoft Certified Professional", is_baseline=True)
    TechnicianCertificationFactory(technician__name="Dana Ortiz", certification=mcp)
    TechnicianFactory(name="Kevin Brandt")

    response = consultant_client.get(reverse("coverage:dashboard"))

    listed = response.context["dashboard"].technicians_without_baseline.rows
    assert [technician.name for technician in listed] == ["Kevin Brandt"]
    assert "Kevin Brandt" in response.content.decode()


def test_dashboard_figures_are_those_of_the_newest_check_not_of_today(
    consultant_client, book, engine_forbidden
):
    check_now()
    # After the check, Grace leaves: QuickBooks is uncovered now, but no check has said so.
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        TechnicianFactory._meta.model.objects.filter(name="Grace Lindqvist").first().delete()
        with engine_forbidden():
            response = consultant_client.get(reverse("coverage:dashboard"))

    html = response.content.decode()
    summaries = {s.status: s.count for s in response.context["dashboard"].statuses}
    assert (summaries["uncovered"], summaries["at_risk"]) == (1, 1)
    assert "$41,000" in html
    assert "Data has changed since" in html
    assert "Run coverage check now" in html


def test_dashboard_says_nothing_changed_right_after_a_check(consultant_client, book):
    check_now()

    response = consultant_client.get(reverse("coverage:dashboard"))

    assert response.context["dashboard"].freshness.changed_since is False
    assert "Data has changed since" not in response.content.decode()


def test_dashboard_figure_of_partner_programmes_comes_from_the_check(consultant_client):
    held = TechnicianCertificationFactory(expires_on=days(10))
    PartnerRuleFactory(
        certification=held.certification,
        min_technicians=1,
        program__yearly_benefit=Decimal("4200"),
    )
    coverage_run_execute(run_date=TODAY)
    held.delete()  # after the check: the page still shows what the check found

    page = consultant_client.get(reverse("coverage:dashboard")).content.decode()

    assert 'data-testid="programme-benefit-at-stake">$4,200</div>' in page
    assert "0 not met · 1 at risk within 60 days" in page
