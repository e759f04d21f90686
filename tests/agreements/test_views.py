"""The agreement, coverage-run, flag and report pages: roles, figures, forms and query counts."""

import datetime
import json
from decimal import Decimal

import kombu.exceptions
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreements.coverage.check_now import check_state
from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck, CoverageFlag, CoverageRun
from agreements.coverage.runs import coverage_run_execute
from agreements.coverage.tasks import run_coverage_check
from agreements.models import Agreement, Requirement
from agreements.services import agreement_create, agreement_services_set, agreement_update
from tests.agreements.factories import (
    AgreementFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.conftest import make_user
from tests.forms import formset
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)  # 10:00 in New York
TODAY = datetime.date(2026, 11, 26)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def exchange():
    skill = SkillFactory(name="Exchange")
    SkillVersionFactory(skill=skill, label="2013", rank=1)
    SkillVersionFactory(skill=skill, label="2016", rank=2)
    SkillVersionFactory(skill=skill, label="2019", rank=3)
    return skill


@pytest.fixture
def agreement(exchange):
    """Harlow & Pierce runs Exchange 2016 under Managed email; nobody supports it at level 3."""
    client = ClientFactory(name="Harlow & Pierce")
    ClientTechnologyFactory(client=client, skill=exchange, version=exchange.versions.get(rank=2))
    service = ServiceFactory(name="Managed email")
    service.skills_in_scope.add(exchange)
    lee = TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=lee, skill=exchange, level=2)
    return agreement_create(
        client=client,
        title="Managed email",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("25000.00"),
        services=[service],
        status=Agreement.Status.ACTIVE,
    )


@pytest.fixture
def run(agreement):
    with time_machine.travel(NOW - datetime.timedelta(hours=8), tick=False):
        return coverage_run_execute(run_date=TODAY)


def valid_form_data(client, *, services=(), **overrides):
    data = {
        "client": client.pk,
        "title": "Network care",
        "status": "active",
        "start_date": "2026-12-01",
        "end_date": "2027-11-30",
        "notice_days": "60",
        "renewal_term_months": "12",
        "billing_cycle": "monthly",
        "annual_value": "18000",
        "sla_response_hours": "4",
        "support_hours": "8x5",
        "owner": "",
        "notes": "",
        "services": [service.pk for service in services],
        # The blank row as the browser sends it: untouched, with its initial values.
        **formset("requirements", [{"min_level": "3", "min_technicians": "2"}]),
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------ roles

PAGES = [
    ("coverage:dashboard", None),
    ("agreements:list", None),
    ("agreements:detail", "agreement"),
    ("agreements:history", "agreement"),
    ("coverage:report_list", None),
    ("coverage:report_detail", "run"),
    ("coverage:status", None),
]
EDIT_PAGES = [("agreements:create", None), ("agreements:update", "agreement")]


def page_url(name, target, objects):
    return reverse(name, args=[objects[target].pk] if target else [])


@pytest.fixture
def objects(agreement, run):
    return {"agreement": agreement, "run": run.coverage_check}


def check_now():
    return coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)


@pytest.mark.parametrize(("name", "target"), PAGES)
@pytest.mark.parametrize("role", ["admin_user", "consultant", "viewer"])
def test_every_role_can_read_every_page(client, request, objects, role, name, target):
    client.force_login(request.getfixturevalue(role))

    assert client.get(page_url(name, target, objects)).status_code == 200


@pytest.mark.parametrize(("name", "target"), PAGES + EDIT_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, objects, name, target):
    response = client.get(page_url(name, target, objects))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
@pytest.mark.parametrize("role", ["admin_user", "consultant"])
def test_admin_and_consultant_open_the_agreement_forms(
    client, request, objects, role, name, target
):
    client.force_login(request.getfixturevalue(role))

    assert client.get(page_url(name, target, objects)).status_code == 200


@pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
def test_viewer_cannot_open_the_agreement_forms(viewer_client, objects, name, target):
    assert viewer_client.get(page_url(name, target, objects)).status_code == 403


def test_viewer_sees_no_edit_controls(viewer_client, agreement, run):
    CoverageFlag.objects.update(acknowledged_at=None)
    pages = [
        viewer_client.get(reverse("coverage:dashboard")),
        viewer_client.get(reverse("agreements:list")),
        viewer_client.get(reverse("agreements:detail", args=[agreement.pk])),
    ]

    for response in pages:
        html = response.content.decode()
        assert reverse("agreements:create") not in html
        assert reverse("agreements:update", args=[agreement.pk]) not in html
        assert "Run coverage check now" not in html
        assert "Acknowledge</button>" not in html


def test_consultant_sees_the_edit_controls(consultant_client, agreement, run):
    html = consultant_client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()

    assert reverse("agreements:update", args=[agreement.pk]) in html
    assert "Acknowledge</button>" in html


def test_viewer_post_to_create_is_refused_and_nothing_is_created(viewer_client, agreement):
    response = viewer_client.post(reverse("agreements:create"), valid_form_data(agreement.client))

    assert response.status_code == 403
    assert Agreement.objects.count() == 1


def test_viewer_post_to_edit_is_refused_and_nothing_changes(viewer_client, agreement):
    data = valid_form_data(agreement.client, title="Renamed")
    response = viewer_client.post(reverse("agreements:update", args=[agreement.pk]), data)

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Managed email"


def test_viewer_cannot_run_the_coverage_check(viewer_client, agreement):
    response = viewer_client.post(reverse("coverage:run_now"))

    assert response.status_code == 403
    assert not CoverageRun.objects.exists()


def test_viewer_cannot_acknowledge_a_flag(viewer_client, run):
    flag = CoverageFlag.objects.get()

    response = viewer_client.post(reverse("coverage:flag_acknowledge", args=[flag.pk]))

    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_user_without_a_role_is_refused(client, django_user_model, agreement):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))

    assert client.get(reverse("agreements:list")).status_code == 403
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 403


def test_run_and_acknowledge_refuse_get(consultant_client, run):
    flag = CoverageFlag.objects.get()

    assert consultant_client.get(reverse("coverage:run_now")).status_code == 405
    assert (
        consultant_client.get(reverse("coverage:flag_acknowledge", args=[flag.pk])).status_code
        == 405
    )


def test_missing_agreement_is_404(consultant_client):
    assert consultant_client.get(reverse("agreements:detail", args=[999999])).status_code == 404
    assert consultant_client.get(reverse("agreements:update", args=[999999])).status_code == 404


# ------------------------------------------------------------------------------ list


def test_list_filters_by_status_and_totals_the_filtered_rows(consultant_client):
    AgreementFactory(annual_value=Decimal("20000"), status=Agreement.Status.ACTIVE)
    AgreementFactory(annual_value=Decimal("5000"), status=Agreement.Status.ACTIVE)
    AgreementFactory(annual_value=Decimal("7000"), status=Agreement.Status.DRAFT)

    everything = consultant_client.get(reverse("agreements:list"))
    active = consultant_client.get(reverse("agreements:list"), {"status": "active"})

    # The total is of the agreements active today among the listed rows: not the draft.
    assert everything.context["total_annual_value"] == Decimal("25000")
    assert "Annual value of those active today" in everything.content.decode()
    assert active.context["total_annual_value"] == Decimal("25000")
    assert "$25,000" in active.content.decode()
    assert active.context["paginator"].count == 2


def test_list_filters_by_coverage_status(consultant_client, agreement):
    covered = AgreementFactory(title="Desktop care")
    skill = SkillFactory()
    RequirementFactory(agreement=covered, skill=skill, min_technicians=1)
    TechnicianSkillFactory(skill=skill, level=4)
    check_now()

    response = consultant_client.get(reverse("agreements:list"), {"coverage": "uncovered"})

    assert list(response.context["object_list"]) == [agreement]
    assert "Uncovered" in response.content.decode()
    covered_only = consultant_client.get(reverse("agreements:list"), {"coverage": "covered"})
    assert list(covered_only.context["object_list"]) == [covered]


@pytest.fixture
def thin_and_lapsing():
    """ "Help desk" rests on one Exchange technician of the two it needs (thin); "Firewall care"
    on one CCNA holder, as it needs, whose CCNA expires inside the window (lapsing)."""
    exchange = SkillFactory(name="Exchange Online")
    TechnicianSkillFactory(skill=exchange, level=4)
    thin = AgreementFactory(title="Help desk")
    RequirementFactory(agreement=thin, skill=exchange, min_technicians=2)
    ccna = CertificationFactory(name="CCNA")
    TechnicianCertificationFactory(
        certification=ccna, expires_on=TODAY + datetime.timedelta(days=15)
    )
    lapsing = AgreementFactory(title="Firewall care")
    RequirementFactory(agreement=lapsing, skill=None, certification=ccna, min_technicians=1)
    return {"thin": thin, "lapsing": lapsing}


def test_list_badges_say_which_kind_of_at_risk(consultant_client, thin_and_lapsing):
    check_now()

    response = consultant_client.get(reverse("agreements:list"))

    html = response.content.decode()
    assert 'title="Fewer technicians qualify today than the requirement needs">At risk · thin<' in (
        html
    )
    assert (
        'title="Enough technicians qualify today, but coverage lapses inside the warning window">'
        "At risk · lapsing<"
    ) in html


@pytest.mark.parametrize("kind", ["thin", "lapsing"])
def test_list_filters_at_risk_by_kind(consultant_client, agreement, thin_and_lapsing, kind):
    check_now()

    response = consultant_client.get(reverse("agreements:list"), {"coverage": f"at_risk_{kind}"})
    at_risk = consultant_client.get(reverse("agreements:list"), {"coverage": "at_risk"})

    assert list(response.context["object_list"]) == [thin_and_lapsing[kind]]
    assert {a.title for a in at_risk.context["object_list"]} == {"Help desk", "Firewall care"}
    assert f'<option value="at_risk_{kind}" selected>At risk: {kind}</option>' in (
        response.content.decode()
    )


def test_agreement_page_shows_the_kind_of_at_risk_and_what_makes_it(
    consultant_client, thin_and_lapsing
):
    response = consultant_client.get(
        reverse("agreements:detail", args=[thin_and_lapsing["lapsing"].pk])
    )

    html = response.content.decode()
    assert (
        'coverage <span class="badge text-bg-warning" title="Enough technicians qualify today, '
        'but coverage lapses inside the warning window">At risk · lapsing</span>'
    ) in html
    assert 'title="covered through 11 Dec 2026">At risk · lapsing</span>' in html


def test_flag_list_shows_and_filters_the_kind_of_at_risk(consultant_client, thin_and_lapsing):
    check_now()
    url = reverse("coverage:flag_list")

    thin = consultant_client.get(url, {"status": "at_risk_thin"})
    every = consultant_client.get(url, {"export": "csv"})

    assert [flag.agreement for flag in thin.context["object_list"]] == [thin_and_lapsing["thin"]]
    assert "At risk · thin" in thin.content.decode()
    assert "At risk · lapsing" not in thin.content.decode()
    rows = b"".join(every.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Agreement,Client,Requirement,Status,Kind of risk,")
    assert sorted(row.split(",")[3:5] for row in rows[1:]) == [
        ["at_risk", "lapsing"],
        ["at_risk", "thin"],
    ]


def test_list_filters_by_client(consultant_client, agreement):
    AgreementFactory()

    response = consultant_client.get(reverse("agreements:list"), {"client": agreement.client.pk})

    assert list(response.context["object_list"]) == [agreement]


def test_list_filters_by_notice_within_days(consultant_client):
    # Notice dates: 40 days away, 100 days away, and one whose notice date has passed.
    soon = AgreementFactory(end_date=TODAY + datetime.timedelta(days=100), notice_days=60)
    AgreementFactory(end_date=TODAY + datetime.timedelta(days=160), notice_days=60)
    AgreementFactory(end_date=TODAY + datetime.timedelta(days=30), notice_days=60)
    AgreementFactory(end_date=None)

    response = consultant_client.get(reverse("agreements:list"), {"notice_within": "90"})

    assert list(response.context["object_list"]) == [soon]


def test_list_refuses_a_negative_notice_window_with_a_message(consultant_client, agreement):
    response = consultant_client.get(reverse("agreements:list"), {"notice_within": "-5"})

    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"coverage": "bogus"}, {"client": "abc"}, {"status": "x", "notice_within": "soon"}],
)
def test_list_shows_nonsense_filters_as_form_errors(consultant_client, agreement, query):
    response = consultant_client.get(reverse("agreements:list"), query)

    assert response.status_code == 400
    assert response.context["filter"].form.errors


def test_list_page_out_of_range_is_404(consultant_client, agreement):
    assert consultant_client.get(reverse("agreements:list"), {"page": "9"}).status_code == 404
    assert consultant_client.get(reverse("agreements:list"), {"page": "last"}).status_code == 200


def test_list_is_paginated(consultant_client):
    AgreementFactory.create_batch(30)

    first = consultant_client.get(reverse("agreements:list"))
    second = consultant_client.get(reverse("agreements:list"), {"page": 2})

    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 5
    assert first.context["total_annual_value"] == Decimal("360000")


# ------------------------------------------------------------------------------ detail


def test_detail_shows_terms_services_and_the_uncovered_requirement_with_candidates(
    consultant_client, agreement
):
    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    html = response.content.decode()
    assert agreement.reference in html
    assert "$25,000" in html
    assert "Managed email" in html
    assert "Exchange 2016 at level 3+" in html
    assert "No active technician has Exchange 2016 at level 3 or above" in html
    assert "Lee Park" in html
    assert "level 2 of 3 needed" in html


def test_detail_names_the_qualified_technicians(consultant_client, agreement, exchange):
    TechnicianSkillFactory(technician=TechnicianFactory(name="Dana Ortiz"), skill=exchange, level=4)

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    row, *_ = response.context["requirement_rows"]
    assert row.live.status == "at_risk"
    assert row.live.qualified_names == ("Dana Ortiz",)
    html = response.content.decode()
    assert "Only Dana Ortiz qualifies (2 needed)" in html
    # at risk, the one who could make it two is proposed
    assert [c.name for c in row.live.candidates] == ["Lee Park"]
    assert "Nearest candidates:" in html
    assert "level 2 of 3 needed" in html


def test_detail_of_a_draft_agreement_shows_its_pre_sale_verdict(consultant_client, agreement):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.DRAFT)

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    assert response.status_code == 200
    assert response.context["presale"].status == response.context["coverage"].status
    assert "Can we deliver this deal?" in response.content.decode()


def test_detail_of_a_cancelled_agreement_shows_requirements_without_coverage(
    consultant_client, agreement
):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.CANCELLED)

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    assert response.status_code == 200
    assert response.context["coverage"] is None
    assert "coverage is checked for agreements active today" in response.content.decode()


# ------------------------------------------------------------------------------ forms


def test_consultant_creates_an_agreement_with_a_service(consultant_client, consultant, agreement):
    service = agreement.agreement_services.get().service
    data = valid_form_data(agreement.client, services=[service], owner=consultant.pk)

    response = consultant_client.post(reverse("agreements:create"), data)

    created = Agreement.objects.get(title="Network care")
    assert response.status_code == 302
    assert response.url == reverse("agreements:detail", args=[created.pk])
    assert created.reference.startswith("AGR-2026-")
    assert created.owner == consultant
    assert list(created.services.all()) == [service]
    assert created.requirements.filter(source=Requirement.Source.DERIVED).count() == 1


def test_the_owner_is_chosen_by_full_name_in_the_order_of_names(
    consultant_client, django_user_model
):
    make_user(django_user_model, "zimmer", first_name="Ada", last_name="Zimmer")
    make_user(django_user_model, "abbott", first_name="Yusuf", last_name="Abbott")

    field = consultant_client.get(reverse("agreements:create")).context["form"]["owner"].field
    labels = [label for value, label in field.choices if value]

    assert labels.index("Ada Zimmer (zimmer)") < labels.index("Yusuf Abbott (abbott)")


def test_create_form_adds_manual_requirements(consultant_client, agreement, exchange):
    data = valid_form_data(
        agreement.client,
        **{
            "requirements-0-skill": exchange.pk,
            "requirements-0-version": exchange.versions.get(label="2019").pk,
            "requirements-0-min_level": "4",
            "requirements-0-min_technicians": "1",
            "requirements-0-notes": "Named in the contract",
        },
    )

    response = consultant_client.post(reverse("agreements:create"), data)

    assert response.status_code == 302
    requirement = Agreement.objects.get(title="Network care").requirements.get()
    assert requirement.source == Requirement.Source.MANUAL
    assert (requirement.version.label, requirement.min_level, requirement.min_technicians) == (
        "2019",
        4,
        1,
    )


def test_negative_annual_value_is_shown_on_the_field(consultant_client, agreement):
    data = valid_form_data(agreement.client, annual_value="-100")

    response = consultant_client.post(reverse("agreements:create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["annual_value"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not Agreement.objects.filter(title="Network care").exists()


def test_end_date_before_start_is_shown_on_the_field(consultant_client, agreement):
    data = valid_form_data(agreement.client, start_date="2027-01-01", end_date="2026-12-01")

    response = consultant_client.post(reverse("agreements:create"), data)

    assert response.status_code == 200
    message = "End date (1 Dec 2026) is before the start date (1 Jan 2027)."
    assert response.context["form"].errors["end_date"] == [message]
    assert message in response.content.decode()


def test_unknown_version_is_shown_on_the_requirement_field(consultant_client, agreement, exchange):
    data = valid_form_data(
        agreement.client,
        **{
            "requirements-0-skill": exchange.pk,
            "requirements-0-version": "999999",
            "requirements-0-min_level": "3",
            "requirements-0-min_technicians": "2",
        },
    )

    response = consultant_client.post(reverse("agreements:create"), data)

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert "Select a valid choice" in errors["version"][0]
    assert not Agreement.objects.filter(title="Network care").exists()


def test_version_of_another_skill_is_shown_on_the_requirement_field(
    consultant_client, agreement, exchange
):
    windows = SkillFactory(name="Windows Server")
    data = valid_form_data(
        agreement.client,
        **{
            "requirements-0-skill": windows.pk,
            "requirements-0-version": exchange.versions.get(label="2016").pk,
            "requirements-0-min_level": "3",
            "requirements-0-min_technicians": "2",
        },
    )

    response = consultant_client.post(reverse("agreements:create"), data)

    assert response.status_code == 200
    message = "Version 2016 belongs to Exchange, not Windows Server."
    assert response.context["formset"].forms[0].errors["version"] == [message]
    assert message in response.content.decode()


def test_edit_changes_terms_and_services_and_records_history(consultant_client, agreement):
    backup = ServiceFactory(name="Backup")
    data = valid_form_data(
        agreement.client,
        title="Managed email and backup",
        start_date="2026-01-01",
        end_date="",
        annual_value="27500",
        services=[backup],
    )

    response = consultant_client.post(reverse("agreements:update", args=[agreement.pk]), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Managed email and backup"
    assert agreement.annual_value == Decimal("27500")
    assert list(agreement.services.all()) == [backup]
    assert not agreement.requirements.exists()  # Backup covers nothing the client runs
    history = consultant_client.get(reverse("agreements:history", args=[agreement.pk]))
    html = history.content.decode()
    assert "Title: Managed email → Managed email and backup" in html
    assert "Annual value: $25,000 → $27,500" in html
    assert "marcus.consultant" in html


def test_edit_updates_and_removes_manual_requirements(consultant_client, agreement, exchange):
    requirement = RequirementFactory(agreement=agreement, skill=exchange, min_technicians=2)
    other = RequirementFactory(agreement=agreement, skill=SkillFactory(), min_technicians=1)
    service = agreement.agreement_services.get().service
    data = valid_form_data(
        agreement.client,
        title=agreement.title,
        start_date="2026-01-01",
        end_date="",
        annual_value="25000",
        services=[service],
        **formset(
            "requirements",
            [
                {
                    "id": requirement.pk,
                    "skill": exchange.pk,
                    "min_level": "4",
                    "min_technicians": "1",
                },
                {
                    "id": other.pk,
                    "skill": other.skill_id,
                    "min_level": "3",
                    "min_technicians": "1",
                    "DELETE": "on",
                },
                {"min_level": "3", "min_technicians": "2"},
            ],
            initial=2,
        ),
    )

    response = consultant_client.post(reverse("agreements:update", args=[agreement.pk]), data)

    assert response.status_code == 302
    requirement.refresh_from_db()
    assert (requirement.min_level, requirement.min_technicians) == (4, 1)
    assert not Requirement.objects.filter(pk=other.pk).exists()
    assert agreement.requirements.filter(source=Requirement.Source.DERIVED).count() == 1


def test_edit_form_ticks_the_current_services(consultant_client, agreement):
    service = agreement.agreement_services.get().service

    response = consultant_client.get(reverse("agreements:update", args=[agreement.pk]))

    assert response.context["form"].initial["services"] == [service.pk]


# ------------------------------------------------------------------------------ history


def test_history_lists_changes_newest_first_with_names(consultant_client, consultant, agreement):
    other_client = ClientFactory(name="Kessler & Ng")
    agreement_update(agreement=agreement, status=Agreement.Status.CANCELLED)
    agreement_update(agreement=agreement, client=other_client)

    response = consultant_client.get(reverse("agreements:history", args=[agreement.pk]))

    entries = response.context["entries"]
    assert [entry.action for entry in entries] == ["Changed", "Changed", "Created"]
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
        ("Client", "Harlow & Pierce", "Kessler & Ng")
    ]
    assert [(c.field, c.old, c.new) for c in entries[1].changes] == [
        ("Status", "Active", "Cancelled")
    ]


# ------------------------------------------------------------------------------ coverage run


def test_run_now_records_a_manual_check_and_shows_it_finished(
    consultant_client, consultant, agreement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(reverse("coverage:run_now"))

    assert response.status_code == 302
    assert response.url == reverse("coverage:dashboard")
    check = CoverageCheck.objects.get()
    assert (check.trigger, check.requested_by, check.uncovered_count) == ("manual", consultant, 1)
    assert not CoverageRun.objects.exists()
    flag = CoverageFlag.objects.get()
    assert flag.reason == "No active technician has Exchange 2016 at level 3 or above"
    dashboard = consultant_client.get(response.url)
    assert "The coverage check has finished" in dashboard.content.decode()
    assert dashboard.context["check_state"] == "finished"


def test_run_now_goes_back_to_the_page_it_came_from(
    consultant_client, agreement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(reverse("coverage:run_now"), {"next": "/agreements/"})

    assert response.url == "/agreements/"


def test_status_reports_running_until_the_queued_check_finishes(
    consultant_client, agreement, monkeypatch
):
    queued = []
    monkeypatch.setattr(run_coverage_check, "apply_async", lambda **kw: queued.append(kw))
    consultant_client.post(reverse("coverage:run_now"))

    running = json.loads(consultant_client.get(reverse("coverage:status")).content)
    assert running == {"state": "running", "check": None}
    assert 'data-state="running"' in consultant_client.get("/").content.decode()

    with time_machine.travel(NOW + datetime.timedelta(seconds=5), tick=False):
        run_coverage_check.run(**queued[0]["kwargs"])

    finished = json.loads(consultant_client.get(reverse("coverage:status")).content)
    assert finished["state"] == "finished"
    assert finished["check"]["check_date"] == "2026-11-26"
    assert finished["check"]["trigger"] == "manual"


def test_run_now_on_a_day_already_run_checks_again_without_touching_the_run(
    consultant_client, run, exchange, django_capture_on_commit_callbacks
):
    assert CoverageFlag.objects.get().is_open
    for name in ("Dana Ortiz", "Sam Reyes"):
        TechnicianSkillFactory(technician=TechnicianFactory(name=name), skill=exchange, level=3)
    emails_before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        consultant_client.post(reverse("coverage:run_now"))

    run.refresh_from_db()
    assert CoverageRun.objects.count() == 1
    figures = run.coverage_check  # the run's figures stay
    assert (figures.uncovered_count, figures.covered_count) == (1, 0)
    manual = CoverageCheck.objects.get(trigger="manual")
    assert (manual.uncovered_count, manual.covered_count, manual.resolved_flags_count) == (0, 1, 1)
    assert not CoverageFlag.objects.get().is_open  # flags follow the newest check
    assert len(mail.outbox) == emails_before


def test_check_state_is_running_until_a_check_finishes_after_the_request(run):
    finished_at = run.coverage_check.finished_at
    queued_at = finished_at + datetime.timedelta(seconds=1)

    assert check_state(queued_at=queued_at, finished_at=finished_at) == "running"
    assert check_state(queued_at=finished_at, finished_at=finished_at) == "finished"
    assert check_state(queued_at=None, finished_at=finished_at) == "idle"
    assert check_state(queued_at=queued_at, finished_at=None) == "running"


# ------------------------------------------------------------------------------ flags


def test_consultant_acknowledges_a_flag(consultant_client, consultant, run):
    flag = CoverageFlag.objects.get()

    response = consultant_client.post(
        reverse("coverage:flag_acknowledge", args=[flag.pk]), {"next": "/agreements/"}
    )

    assert response.status_code == 302
    assert response.url == "/agreements/"
    flag.refresh_from_db()
    assert flag.acknowledged_by == consultant


def test_acknowledge_ignores_a_next_pointing_off_site(consultant_client, run):
    flag = CoverageFlag.objects.get()

    response = consultant_client.post(
        reverse("coverage:flag_acknowledge", args=[flag.pk]), {"next": "//evil.example/"}
    )

    assert response.url == reverse("coverage:dashboard")


def test_acknowledging_a_resolved_flag_says_why_and_changes_nothing(consultant_client, run):
    flag = CoverageFlag.objects.get()
    CoverageFlag.objects.update(resolved_at=NOW)

    response = consultant_client.post(
        reverse("coverage:flag_acknowledge", args=[flag.pk]), follow=True
    )

    assert "already resolved" in response.content.decode()
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


# ------------------------------------------------------------------------------ reports


def test_report_list_shows_each_check_with_counts_arr_and_email_status(consultant_client, run):
    CoverageRun.objects.filter(pk=run.pk).update(email_status=CoverageRun.EmailStatus.SENT)

    response = consultant_client.get(reverse("coverage:report_list"))

    html = response.content.decode()
    assert "Thu 26 Nov 2026" in html
    assert "$25,000" in html
    assert "Email sent" in html


def test_report_detail_shows_what_the_email_shows(consultant_client, run):
    response = consultant_client.get(
        reverse("coverage:report_detail", args=[run.coverage_check.pk])
    )

    html = response.content.decode()
    assert "Coverage report for 26 Nov 2026" in html
    assert "$25,000</strong> of $25,000 ARR at risk" in html
    assert "No active technician has Exchange 2016 at level 3 or above" in html
    agreement_path = (
        f"/agreements/{run.coverage_check.agreements_count and Agreement.objects.get().pk}/"
    )
    assert f'href="{agreement_path}"' in html
    for section in ("New flags", "Still open", "Resolved", "Training goals due or overdue"):
        assert section in html


# ------------------------------------------------------------------------------ query counts


def many_agreements(count):
    skill = SkillFactory()
    TechnicianSkillFactory(skill=skill, level=3)
    for agreement in AgreementFactory.create_batch(count, end_date=TODAY + datetime.timedelta(30)):
        RequirementFactory(agreement=agreement, skill=skill)


@pytest.mark.parametrize("rows", [1, 30])
def test_list_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    many_agreements(rows)
    check_now()

    # session, user, savepoint and its release (the request's transaction), user's permissions,
    # group permissions; the newest check for the coverage column and for the notice above the
    # list, the change stamp; total annual value of those active today, page count, page rows
    # with clients and their recorded coverage. No coverage is evaluated.
    with django_assert_num_queries(12):
        response = consultant_client.get(reverse("agreements:list"), {"status": "active"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_detail_query_count_does_not_grow_with_requirements(
    consultant_client, django_assert_num_queries, agreement, rows
):
    for _ in range(rows):
        RequirementFactory(agreement=agreement, skill=SkillFactory())
    coverage_run_execute(run_date=TODAY)

    # session, user, savepoint and its release, user's permissions, group permissions,
    # agreement with client and owner, services; live coverage of this one agreement: the
    # warning window in force, agreements, requirements, skills, versions, certifications,
    # technicians, technician skills, technician certifications, and the team's time (working
    # hours, time off, rotas, their members, hours and overrides), which the week grid reuses; the
    # end of support and successors of the versions required (a version out of support calls
    # for a migration); the newest check, the change stamp, what the check recorded for the
    # agreement and its requirements; requirements with skill, version, certification and
    # service, and the services that need the derived ones; the open training goals of the
    # uncovered requirements' candidates; open flags (with their first gap, subqueries).
    with django_assert_num_queries(32):
        response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))
    assert len(response.context["requirement_rows"]) == rows + 1


@pytest.mark.parametrize("rows", [1, 30])
def test_history_query_count_does_not_grow_with_changes(
    consultant_client, django_assert_num_queries, agreement, rows
):
    for number in range(rows):
        agreement_update(agreement=agreement, title=f"Managed email v{number}")

    # session, user, savepoint and its release, user's permissions, group permissions,
    # agreement, count, page of records with users, the record before the page's last one.
    with django_assert_num_queries(10):
        response = consultant_client.get(reverse("agreements:history", args=[agreement.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_report_list_query_count_does_not_grow_with_runs(
    consultant_client, django_assert_num_queries, rows
):
    CoverageCheck.objects.bulk_create(
        CoverageCheck(
            check_date=TODAY - datetime.timedelta(days=n),
            trigger=CoverageCheck.Trigger.SCHEDULE,
            started_at=NOW,
            finished_at=NOW,
            warning_days=60,
        )
        for n in range(rows)
    )

    # session, user, savepoint and its release, user's permissions, group permissions, count,
    # page of runs.
    with django_assert_num_queries(8):
        response = consultant_client.get(reverse("coverage:report_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_report_detail_query_count_does_not_grow_with_flags(
    consultant_client, django_assert_num_queries, rows
):
    many_agreements(rows)
    run = coverage_run_execute(run_date=TODAY)

    # session, user, savepoint and its release, user's permissions, group permissions, the
    # check with its run and requester. The report is the check's recorded sections.
    with django_assert_num_queries(7):
        response = consultant_client.get(
            reverse("coverage:report_detail", args=[run.coverage_check.pk])
        )
    assert response.context["report"]["sections"]["new_flags"]["total"] == rows


def test_list_reads_coverage_from_the_newest_check(consultant_client, agreement, engine_forbidden):
    check_now()
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        newer = AgreementFactory(title="Signed after the check")
        RequirementFactory(agreement=newer, skill=SkillFactory())

    with engine_forbidden():
        response = consultant_client.get(reverse("agreements:list"))

    html = response.content.decode()
    by_title = {row.title: row.coverage for row in response.context["object_list"]}
    assert by_title == {"Managed email": "uncovered", "Signed after the check": "not_checked"}
    assert "not checked yet" in html
    assert "Coverage as of" in html
    assert "Data has changed since" in html


def test_list_filters_agreements_the_check_has_not_seen(consultant_client, agreement):
    check_now()
    newer = AgreementFactory(title="Signed after the check")

    response = consultant_client.get(reverse("agreements:list"), {"coverage": "not_checked"})

    assert list(response.context["object_list"]) == [newer]


def test_list_client_filter_is_a_search_box_not_a_list_of_every_client(
    consultant_client, agreement
):
    ClientFactory.create_batch(5)

    response = consultant_client.get(reverse("agreements:list"), {"client": agreement.client.pk})

    html = response.content.decode()
    assert f'data-autocomplete-url="{reverse("clients:autocomplete")}"' in html
    assert 'value="Harlow &amp; Pierce"' in html
    assert html.count("<option") < 20


def test_detail_evaluates_its_agreement_live_and_says_where_the_check_differs(
    consultant_client, agreement, exchange
):
    check_now()
    TechnicianSkillFactory(technician=TechnicianFactory(name="Dana Ortiz"), skill=exchange, level=4)

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    html = response.content.decode()
    row = response.context["requirement_rows"][0]
    assert (row.live.status, row.recorded_status) == ("at_risk", "uncovered")
    assert response.context["differs_from_check"] is True
    assert 'data-testid="differs-from-check"' in html
    assert "last check: uncovered" in html


def test_report_list_names_who_ran_a_check_by_hand(consultant_client, consultant, agreement):
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL, user=consultant)

    response = consultant_client.get(reverse("coverage:report_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "By hand" in html and "marcus.consultant" in html
    assert "not emailed" in html


def test_run_now_with_the_queue_down_says_so_and_writes_nothing(
    consultant_client, agreement, monkeypatch
):
    def refused(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(run_coverage_check, "apply_async", refused)

    response = consultant_client.post(reverse("coverage:run_now"), follow=True)

    assert response.status_code == 200
    assert "The job queue cannot be reached right now" in response.content.decode()
    assert "coverage_check_queued_at" not in consultant_client.session
    assert not CoverageCheck.objects.exists()


def test_history_of_an_agreement_written_without_history_says_so(consultant_client):
    (agreement,) = Agreement.objects.bulk_create([AgreementFactory.build(client=ClientFactory())])

    response = consultant_client.get(reverse("agreements:history", args=[agreement.pk]))

    assert response.status_code == 200
    assert "No recorded changes" in response.content.decode()


def test_new_agreement_from_the_client_page_has_the_client_chosen(consultant_client):
    client = ClientFactory(name="Marlow Veterinary")
    page = consultant_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    link = f"{reverse('agreements:create')}?client={client.pk}"
    assert f'href="{link}"' in page

    form = consultant_client.get(link).content.decode()

    assert f'name="client" value="{client.pk}"' in form
    assert 'value="Marlow Veterinary"' in form


def test_new_agreement_ignores_a_client_id_that_is_not_a_client(consultant_client):
    response = consultant_client.get(reverse("agreements:create"), {"client": "987654321"})

    assert response.status_code == 200
    assert 'name="client" value=""' in response.content.decode()


def test_detail_names_every_service_that_needs_a_derived_requirement(
    consultant_client, agreement, exchange
):
    security = ServiceFactory(name="Email security")
    security.skills_in_scope.add(exchange)
    agreement_services_set(agreement=agreement, services=[*agreement.services.all(), security])

    response = consultant_client.get(reverse("agreements:detail", args=[agreement.pk]))

    assert agreement.requirements.count() == 1
    assert "from Email security and Managed email and the client" in response.content.decode()
