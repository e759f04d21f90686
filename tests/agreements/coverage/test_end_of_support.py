"""End of support (DESIGN "End of support"): a check records each client version reaching end of
support within 12 months and whether the team covers its successor; the pages and the report
read that record."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.coverage.checks import coverage_check_run, coverage_checks_prune
from agreements.coverage.models import CheckedDraft, CheckedEndOfSupport, CoverageCheck
from agreements.coverage.report import report_context
from agreements.coverage.selectors import agreement_presale_verdict
from agreements.models import Agreement
from demo.portfolio import seed_demo
from skills.models import Skill, SkillVersion
from skills.skill_catalog import load_skill_catalog
from tests.agreements.api.conftest import token_for
from tests.agreements.factories import AgreementFactory, AgreementServiceFactory, ServiceFactory
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.skills.factories import (
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

EOS = datetime.date(2027, 1, 12)  # Windows Server 2016, as the lifecycle snapshot has it


def at(day):
    """The clock frozen at noon of `day` in the app's time zone."""
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return time_machine.travel(noon, tick=False)


@pytest.fixture
def windows_server():
    """The starter catalog's Windows Server, with the shipped lifecycle snapshot's dates."""
    load_skill_catalog()
    skill = Skill.objects.get(name="Windows Server")
    versions = {version.label: version for version in skill.versions.all()}
    assert versions["2016"].end_of_support == EOS
    assert versions["2016"].successor == versions["2019"]
    return {"skill": skill, "2016": versions["2016"], "2019": versions["2019"]}


@pytest.fixture
def harbor(windows_server, settings):
    """Harbor Dental runs Windows Server 2016 under a managed-servers agreement at level 3 that
    one technician can deliver; Dana Ortiz knows Windows Server up to 2016 only."""
    settings.COVERAGE_MIN_TECHNICIANS = 1
    service = ServiceFactory(name="Managed servers", min_level=3)
    service.skills_in_scope.add(windows_server["skill"])
    client = ClientFactory(name="Harbor Dental")
    ClientTechnologyFactory(
        client=client, skill=windows_server["skill"], version=windows_server["2016"]
    )
    agreement = AgreementFactory(client=client, annual_value=Decimal("24000.00"))
    AgreementServiceFactory(agreement=agreement, service=service)
    dana = TechnicianFactory(name="Dana Ortiz")
    holding = TechnicianSkillFactory(
        technician=dana,
        skill=windows_server["skill"],
        level=3,
        oldest_version=None,
        newest_version=windows_server["2016"],
    )
    return {
        "client": client,
        "agreement": agreement,
        "dana": dana,
        "holding": holding,
        **windows_server,
    }


def check_on(day):
    with at(day):
        return coverage_check_run(day=day, trigger=CoverageCheck.Trigger.MANUAL)


def test_a_client_on_windows_server_2016_is_listed_with_its_date_and_successor_until_covered(
    harbor, consultant_client
):
    day = datetime.date(2026, 11, 2)
    check = check_on(day)

    row = CheckedEndOfSupport.objects.get(coverage_check=check)
    assert (row.client_name, row.label, row.end_of_support, row.successor_label) == (
        "Harbor Dental",
        "Windows Server 2016",
        EOS,
        "Windows Server 2019",
    )
    assert (row.min_level, row.status, row.annual_value) == (3, "uncovered", Decimal("24000.00"))
    assert [candidate["name"] for candidate in row.candidates] == ["Dana Ortiz"]
    assert check.end_of_support_arr_not_covered == Decimal("24000.00")
    with at(day):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()
        client_page = consultant_client.get(
            reverse("clients:detail", args=[harbor["client"].pk])
        ).content.decode()
        dashboard = consultant_client.get(reverse("coverage:dashboard")).content.decode()
    for html in (page, client_page):
        assert "Windows Server 2016" in html
        assert "12 Jan 2027" in html
        assert "Windows Server 2019" in html
        assert ">Successor not covered</span>" in html
        assert "$24,000" in html
    assert 'data-testid="eos-arr-not-covered">$24,000' in dashboard

    # Dana learns Windows Server 2019: the next check finds the successor covered.
    harbor["holding"].newest_version = harbor["2019"]
    harbor["holding"].save()
    check = check_on(day)

    row = CheckedEndOfSupport.objects.get(coverage_check=check)
    assert row.status == "covered"
    assert [name for _, name in row.qualified] == ["Dana Ortiz"]
    assert check.end_of_support_arr_not_covered == 0
    with at(day):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()
    assert ">Successor covered</span>" in page
    assert ">Successor not covered</span>" not in page


def test_the_report_lists_the_version_within_90_days_of_its_end_of_support(harbor):
    early = check_on(EOS - datetime.timedelta(days=91))
    late = check_on(EOS - datetime.timedelta(days=90))

    assert CheckedEndOfSupport.objects.filter(coverage_check=early).count() == 1  # 12 months
    assert early.report["sections"]["end_of_support"]["rows"] == []
    (row,) = late.report["sections"]["end_of_support"]["rows"]
    assert (row["client"], row["version"], row["successor"], row["days_left"]) == (
        "Harbor Dental",
        "Windows Server 2016",
        "Windows Server 2019",
        90,
    )
    assert row["successor_status_label"] == "Successor not covered"
    section = report_context(coverage_check=late)["sections"]["end_of_support"]
    assert section["rows"][0]["end_of_support"] == EOS


def test_the_report_email_and_page_show_the_end_of_support_section(harbor, consultant_client):
    check = check_on(EOS - datetime.timedelta(days=30))
    context = report_context(coverage_check=check)
    text = render_to_string("emails/coverage-report-body.txt", {"report": context})
    page = consultant_client.get(reverse("coverage:report_detail", args=[check.pk]))
    assert "VERSIONS REACHING END OF SUPPORT WITHIN 90 DAYS" in text
    assert "12 Jan 2027 (30 days): Harbor Dental runs Windows Server 2016" in text
    assert "Successor not covered" in text
    assert page.status_code == 200
    html = page.content.decode()
    assert "Versions reaching end of support within 90 days" in html
    assert "Harbor Dental</a>: Windows Server 2016" in html


def test_versions_beyond_12_months_or_not_required_are_not_listed(harbor, windows_server):
    other = ClientFactory(name="Quarry Hill Veterinary")
    ClientTechnologyFactory(
        client=other, skill=windows_server["skill"], version=windows_server["2016"]
    )

    check = check_on(EOS - datetime.timedelta(days=366))
    assert not CheckedEndOfSupport.objects.filter(coverage_check=check).exists()
    check = check_on(EOS - datetime.timedelta(days=365))
    # Quarry Hill runs the version but has no agreement that requires it.
    assert list(
        CheckedEndOfSupport.objects.filter(coverage_check=check).values_list(
            "client_name", flat=True
        )
    ) == ["Harbor Dental"]


def test_add_to_plan_from_an_ending_version_is_prefilled_and_due_a_quarter_before(
    harbor, consultant_client
):
    day = datetime.date(2026, 9, 1)
    check = check_on(day)
    row = CheckedEndOfSupport.objects.get(coverage_check=check)

    with at(day):
        page = consultant_client.get(reverse("coverage:end_of_support"))
        assert f"?end_of_support={row.pk}" in page.content.decode()
        adding = consultant_client.get(reverse("planning:add_to_plan"), {"end_of_support": row.pk})
        form = adding.context["form"]
        back = f'<a href="{reverse("coverage:end_of_support")}">End of support</a>'
        assert back in adding.content.decode()
        response = consultant_client.post(
            reverse("planning:add_to_plan"),
            {
                "gap": form.initial["gap"],
                "skill": form.initial["skill"],
                "target_version": form.initial["target_version"],
                "target_level": form.initial["target_level"],
                "technicians": form.initial["technicians"],
                "due_date": form.initial["due_date"].isoformat(),
                "reason": form.initial["reason"],
            },
        )
    assert response.status_code == 302
    assert form.initial["skill"] == harbor["skill"].pk
    assert form.initial["target_version"] == harbor["2019"].pk
    assert form.initial["target_level"] == 3
    assert form.initial["technicians"] == [harbor["dana"].pk]
    assert form.initial["due_date"] == EOS - datetime.timedelta(days=91)
    goal = harbor["dana"].training_goals.get()
    assert (goal.target_version, goal.target_level, goal.due_date) == (
        harbor["2019"],
        3,
        datetime.date(2026, 10, 13),
    )
    assert "before Windows Server 2016 reaches end of support on 12 Jan 2027" in goal.reason


def test_a_row_id_that_is_not_an_ending_version_prefills_nothing(harbor, consultant_client):
    with at(datetime.date(2026, 9, 1)):
        form = consultant_client.get(
            reverse("planning:add_to_plan"), {"end_of_support": "987654"}
        ).context["form"]
    assert "target_version" not in form.initial


def test_a_check_records_each_drafts_pre_sale_verdict_and_the_figure(harbor, windows_server):
    day = datetime.date(2026, 11, 2)
    service = ServiceFactory(name="Managed email", min_level=3)
    exchange = Skill.objects.get(name="Exchange Server")
    service.skills_in_scope.add(exchange)
    client = ClientFactory(name="Lakeside Law")
    ClientTechnologyFactory(client=client, skill=exchange)
    draft = AgreementFactory(
        client=client,
        status=Agreement.Status.DRAFT,
        start_date=datetime.date(2027, 2, 1),
        annual_value=Decimal("18000.00"),
    )
    AgreementServiceFactory(agreement=draft, service=service)
    covered_draft = AgreementFactory(
        client=harbor["client"],
        status=Agreement.Status.DRAFT,
        start_date=datetime.date(2026, 6, 1),  # passed: judged on the check's day
        annual_value=Decimal("5000.00"),
    )
    AgreementServiceFactory(agreement=covered_draft, service=harbor["agreement"].services.get())

    check = check_on(day)

    recorded = {
        row.agreement_id: (row.status, row.assessed_on)
        for row in CheckedDraft.objects.filter(coverage_check=check)
    }
    assert recorded == {
        draft.pk: ("uncovered", datetime.date(2027, 2, 1)),
        covered_draft.pk: ("covered", day),
    }
    for agreement in (draft, covered_draft):
        verdict, _ = agreement_presale_verdict(agreement=agreement, day=day)
        assert recorded[agreement.pk] == (verdict.status, verdict.day)
    assert (check.drafts_not_deliverable_count, check.drafts_not_deliverable_value) == (
        1,
        Decimal("18000.00"),
    )


def test_pruning_drops_the_look_ahead_rows_of_old_checks(harbor):
    old = check_on(datetime.date(2026, 9, 1))
    check_on(datetime.date(2026, 11, 2))
    assert CheckedEndOfSupport.objects.filter(coverage_check=old).exists()

    pruned = coverage_checks_prune(
        now=old.finished_at + datetime.timedelta(days=settings.COVERAGE_CHECK_RETENTION_DAYS + 1)
    )

    assert pruned == 1
    assert not CheckedEndOfSupport.objects.filter(coverage_check=old).exists()
    assert not CheckedDraft.objects.filter(coverage_check=old).exists()


def test_the_end_of_support_page_pages_and_filters_at_a_fixed_query_count(
    harbor, windows_server, consultant_client, django_assert_max_num_queries
):
    for n in range(30):
        client = ClientFactory(name=f"Clinic {n:02d}")
        ClientTechnologyFactory(
            client=client, skill=windows_server["skill"], version=windows_server["2016"]
        )
        agreement = AgreementFactory(client=client)
        AgreementServiceFactory(agreement=agreement, service=harbor["agreement"].services.get())
    day = datetime.date(2026, 11, 2)
    check_on(day)

    with at(day), django_assert_max_num_queries(12):
        response = consultant_client.get(reverse("coverage:end_of_support"))
    assert response.context["paginator"].count == 31
    assert len(response.context["object_list"]) == 25
    with at(day):
        filtered = consultant_client.get(
            reverse("coverage:end_of_support"), {"successor": "not_covered", "within": "90"}
        )
    assert filtered.context["paginator"].count == 31
    with at(day):
        bogus = consultant_client.get(reverse("coverage:end_of_support"), {"within": "9999"})
    assert bogus.status_code == 200
    assert bogus.context["within"] == 365


def test_the_api_gives_a_checks_ending_versions_and_its_forward_looking_figures(harbor, consultant):
    check = check_on(datetime.date(2026, 11, 2))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant)}")

    figures = api.get(f"/api/v1/checks/{check.pk}/").json()
    rows = api.get(figures["end_of_support_url"]).json()["results"]
    covered = api.get(figures["end_of_support_url"], {"status": "covered"}).json()["results"]

    assert figures["end_of_support_arr_not_covered"] == "24000.00"
    assert figures["drafts_not_deliverable_count"] == 0
    assert [
        (r["client_name"], r["label"], r["end_of_support"], r["successor_label"], r["status"])
        for r in rows
    ] == [
        ("Harbor Dental", "Windows Server 2016", "2027-01-12", "Windows Server 2019", "uncovered")
    ]
    assert rows[0]["agreements"] == [harbor["agreement"].pk]
    assert rows[0]["candidates"][0]["name"] == "Dana Ortiz"
    assert covered == []


# ------------------------------------------------------------------------------ moves to


def between(html, start, end):
    """The part of `html` from `start` to the next `end`."""
    begins = html.index(start)
    return html[begins : html.index(end, begins)]


SUMMER = datetime.date(2026, 8, 1)  # QuickBooks 2023 ended on 31 May 2026, 2024 goes on


def client_running(name, value, *versions, level=3):
    """A client running `versions` (of the starter catalog, or made here) under one agreement
    whose service covers their skills at `level`."""
    service = ServiceFactory(name=f"Managed IT for {name}", min_level=level)
    client = ClientFactory(name=name)
    for version in versions:
        service.skills_in_scope.add(version.skill)
        ClientTechnologyFactory(client=client, skill=version.skill, version=version)
    agreement = AgreementFactory(client=client, annual_value=Decimal(value))
    AgreementServiceFactory(agreement=agreement, service=service)
    return agreement


def catalog_version(skill_name, label):
    return SkillVersion.objects.get(skill__name=skill_name, label=label)


@pytest.fixture
def catalog(settings):
    settings.COVERAGE_MIN_TECHNICIANS = 1
    load_skill_catalog()


def test_a_version_moves_to_the_first_successor_still_supported_and_names_both_versions(
    catalog,
):
    """QuickBooks 2022 → 2023 (ended in May 2026) → 2024."""
    client_running("Kessler & Ng CPAs", "18000.00", catalog_version("QuickBooks Desktop", "2022"))
    grace = TechnicianFactory(name="Grace Lindqvist")
    TechnicianSkillFactory(
        technician=grace,
        skill=Skill.objects.get(name="QuickBooks Desktop"),
        level=4,
        oldest_version=catalog_version("QuickBooks Desktop", "2021"),
        newest_version=catalog_version("QuickBooks Desktop", "2022"),
    )

    row = CheckedEndOfSupport.objects.get(coverage_check=check_on(SUMMER))

    assert (row.label, row.successor_label, row.successor_supported) == (
        "QuickBooks Desktop 2022",
        "QuickBooks Desktop 2024",
        True,
    )
    assert row.successor_id == catalog_version("QuickBooks Desktop", "2024").pk
    assert row.status == "uncovered"
    assert row.candidates[0]["gap"] == "knows 2021 – 2022, client moves from 2022 to 2024"


def test_a_version_already_out_of_support_is_a_finding_in_red_without_a_green_badge(
    catalog, consultant_client
):
    client_running("Lakeside Law", "12000.00", catalog_version("Exchange Server", "2013"))
    helen = TechnicianFactory(name="Helen Okafor")
    TechnicianSkillFactory(
        technician=helen,
        skill=Skill.objects.get(name="Exchange Server"),
        level=4,
        oldest_version=catalog_version("Exchange Server", "2019"),
        newest_version=None,
    )

    check = check_on(SUMMER)
    with at(SUMMER):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()

    row = CheckedEndOfSupport.objects.get(coverage_check=check)
    assert (row.out_of_support, row.successor_label, row.status) == (
        True,
        "Exchange Server SE",  # not 2016, which ended in October 2025
        "covered",
    )
    assert row.finding == "runs Exchange Server 2013, out of support since 11 Apr 2023"
    assert (
        '<div class="small text-danger fw-semibold" data-testid="eos-finding">'
        "Runs Exchange Server 2013, out of support since 11 Apr 2023: the client needs a "
        "migration.</div>"
    ) in page
    finding_row = between(page, '<tr data-testid="eos-out-of-support">', "</tr>")
    assert ">Out of support</span>" in finding_row
    assert "text-bg-success" not in finding_row
    assert "Successor covered" not in page
    assert "On Exchange Server SE: our team is ready (Helen Okafor)." in finding_row


def test_a_chain_without_a_supported_version_names_its_newest_and_proposes_no_training(
    catalog, consultant_client
):
    erp = SkillFactory(name="Legacy ERP")
    v10, v11 = (
        SkillVersionFactory(skill=erp, label=label, rank=rank, end_of_support=end)
        for label, rank, end in (("10", 1, datetime.date(2024, 1, 31)), ("11", 2, SUMMER))
    )
    v10.successor = v11
    v10.save()
    client_running("Quarry Hill Veterinary", "9000.00", v10)
    TechnicianSkillFactory(skill=erp, level=2)

    check = check_on(SUMMER)
    row = CheckedEndOfSupport.objects.get(coverage_check=check, version=v10)
    with at(SUMMER):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()
        prefill = consultant_client.get(
            reverse("planning:add_to_plan"), {"end_of_support": row.pk}
        ).context["form"]

    assert (row.successor_label, row.successor_supported, row.needs_plan) == (
        "Legacy ERP 11",
        False,
        False,
    )
    assert "Legacy ERP 11<div" in page
    assert 'data-testid="eos-no-supported-version">no supported version yet</div>' in page
    assert f"?end_of_support={row.pk}" not in page
    assert "target_version" not in prefill.initial


def test_arr_is_counted_once_per_agreement_in_totals_and_shown_once_per_client(
    catalog, consultant_client
):
    """One $36,600 agreement depends on three versions at or near their end, none of whose
    successors the team covers."""
    agreement = client_running(
        "Brennan Precision Machining",
        "36600.00",
        catalog_version("Windows Server", "2016"),
        catalog_version("Exchange Server", "2016"),
        catalog_version("QuickBooks Desktop", "2022"),
    )

    check = check_on(SUMMER)
    with at(SUMMER):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()
        client_page = consultant_client.get(
            reverse("clients:detail", args=[agreement.client_id])
        ).content.decode()

    assert CheckedEndOfSupport.objects.filter(coverage_check=check).count() == 3
    assert check.end_of_support_arr_not_covered == Decimal("36600.00")
    assert page.count("$36,600") == 2  # the total above the table, and the client's first row
    assert 'data-testid="eos-arr-not-covered">$36,600' in page
    panel = between(client_page, 'id="end-of-support-heading"', "</section>")
    assert panel.count("$36,600") == 1
    assert 'data-testid="client-eos-arr">$36,600' in panel


def test_the_page_lists_by_date_with_each_clients_arr_on_its_first_row(catalog, consultant_client):
    day = datetime.date(2026, 11, 2)
    client_running(
        "Alder Dental",
        "20000.00",
        catalog_version("Exchange Server", "2016"),  # ended 14 Oct 2025
        catalog_version("QuickBooks Desktop", "2024"),  # ends 31 May 2027
    )
    client_running("Birch Law", "5000.00", catalog_version("Windows Server", "2016"))  # 12 Jan 2027

    check_on(day)
    with at(day):
        response = consultant_client.get(reverse("coverage:end_of_support"))

    rows = list(response.context["object_list"])
    assert [(row.client_name, row.label) for row in rows] == [
        ("Alder Dental", "Exchange Server 2016"),
        ("Birch Law", "Windows Server 2016"),
        ("Alder Dental", "QuickBooks Desktop 2024"),
    ]
    assert [row.client_row for row in rows] == [1, 1, 2]
    values = response.context["client_values"]
    assert values == {rows[0].client_id: Decimal("20000.00"), rows[1].client_id: Decimal("5000")}
    html = response.content.decode()
    assert html.index("$20,000") < html.index("$5,000")
    assert html.count("$20,000") == 1


def test_the_report_section_lists_by_date_with_each_clients_arr_once(settings):
    settings.COVERAGE_MIN_TECHNICIANS = 1
    day = datetime.date(2026, 11, 2)
    product = SkillFactory(name="Practice Manager")
    soon, later, latest = (
        SkillVersionFactory(
            skill=product, label=label, rank=rank, end_of_support=day + datetime.timedelta(days)
        )
        for label, rank, days in (("7", 1, 30), ("8", 2, 60), ("9", 3, 80))
    )
    client_running("Large Clinic", "90000.00", later, latest)
    client_running("Small Clinic", "4000.00", soon)

    check = check_on(day)
    section = report_context(coverage_check=check)["sections"]["end_of_support"]
    text = render_to_string(
        "emails/coverage-report-body.txt", {"report": report_context(coverage_check=check)}
    )

    assert [(row["client"], row["version"], row["annual_value"]) for row in section["rows"]] == [
        ("Small Clinic", "Practice Manager 7", Decimal("4000.00")),
        ("Large Clinic", "Practice Manager 8", Decimal("90000.00")),
        ("Large Clinic", "Practice Manager 9", None),
    ]
    assert text.count("$90,000 ARR of the client's agreements concerned") == 1


def test_the_demo_reads_right_on_the_end_of_support_page(consultant_client):
    """The demo as a consultant first sees it in the summer of 2026: Kessler & Ng's QuickBooks
    2022 moves to 2024 (2023 ended in May), Harlow & Pierce's Exchange 2016 is out of support
    and moves to SE, and Brennan's $36,600 shows once however many of its versions end."""
    with at(SUMMER):
        seed_demo(today=SUMMER)
    check_on(SUMMER)
    with at(SUMMER):
        response = consultant_client.get(reverse("coverage:end_of_support"))
    html = response.content.decode()
    rows = {(row.client_name, row.label): row for row in response.context["object_list"]}

    quickbooks = rows[("Kessler & Ng CPAs", "QuickBooks Desktop 2022")]
    assert (quickbooks.successor_label, quickbooks.out_of_support) == (
        "QuickBooks Desktop 2024",
        True,
    )
    exchange = rows[("Harlow & Pierce LLP", "Exchange Server 2016")]
    assert exchange.successor_label == "Exchange Server SE"
    assert "Runs Exchange Server 2016, out of support since 14 Oct 2025" in html
    assert sum(1 for client, _ in rows if client == "Brennan Precision Machining") > 1
    assert html.count("$36,600") == 1
    dates = [row.end_of_support for row in response.context["object_list"]]
    assert dates == sorted(dates)
    for row in response.context["object_list"]:
        if row.successor_id:
            assert row.successor_supported, row
        assert f"client runs {row.successor_label.rsplit(' ', 1)[-1]}" not in str(row.candidates)


def test_a_version_ended_on_an_unknown_day_is_out_of_support_in_the_forecast_and_its_moves(
    catalog, consultant_client
):
    """endoflife.date's `eol: true`: ended, the day unknown. It is listed first, out of support
    whatever the horizon, and the client moves past a successor that ended the same way."""
    erp = SkillFactory(name="Practice ERP")
    v8, v9, v10 = (
        SkillVersionFactory(skill=erp, label=label, rank=rank, end_of_support_unknown=unknown)
        for label, rank, unknown in (("8", 1, True), ("9", 2, True), ("10", 3, False))
    )
    v8.successor, v9.successor = v9, v10
    v8.save()
    v9.save()
    client_running("Lakeside Law", "12000.00", v8)

    check = check_on(SUMMER)
    with at(SUMMER):
        page = consultant_client.get(reverse("coverage:end_of_support")).content.decode()

    row = CheckedEndOfSupport.objects.get(coverage_check=check)
    assert (row.end_of_support, row.out_of_support, row.successor_label) == (
        None,
        True,
        "Practice ERP 10",  # not 9, which has ended too
    )
    assert row.finding == "runs Practice ERP 8, out of support (ended, date unknown)"
    finding_row = between(page, '<tr data-testid="eos-out-of-support">', "</tr>")
    assert '<span data-testid="eos-date-unknown">Ended</span>' in finding_row
    assert "date unknown" in finding_row
    with at(SUMMER):
        adding = consultant_client.get(reverse("planning:add_to_plan"), {"end_of_support": row.pk})
    initial = adding.context["form"].initial
    assert (initial["target_version"], initial["due_date"]) == (v10.pk, SUMMER)  # due at once
    assert initial["reason"] == (
        "Practice ERP 10: Lakeside Law runs Practice ERP 8, out of support (ended, date unknown)"
    )
