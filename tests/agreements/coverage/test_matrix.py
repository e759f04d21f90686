import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.matrix import SKILLS_PER_PAGE, TECHNICIANS_PER_PAGE, skills_matrix
from agreements.coverage.models import CoverageCheck
from agreements.models import Agreement
from skills.models import Technician, TechnicianSkill
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillCategoryFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

TODAY = datetime.date(2026, 6, 1)
NOON = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


@pytest.fixture
def team():
    """Exchange: one qualified technician (Avery); Veeam: two; Hyper-V: nobody."""
    email = SkillCategoryFactory(name="Email")
    backup = SkillCategoryFactory(name="Backup")
    exchange = SkillFactory(name="Exchange", category=email)
    veeam = SkillFactory(name="Veeam", category=backup)
    SkillFactory(name="Hyper-V", category=SkillCategoryFactory(name="Virtualization"))

    avery = TechnicianFactory(name="Avery Stone")
    blake = TechnicianFactory(name="Blake Moss", status=Technician.Status.ON_LEAVE)
    casey = TechnicianFactory(name="Casey Lund")
    leaving = TechnicianFactory(
        name="Drew Park", available_until=TODAY - datetime.timedelta(days=1)
    )
    gone = TechnicianFactory(name="Emery Fox", status=Technician.Status.DEPARTED)

    TechnicianSkillFactory(technician=avery, skill=exchange, level=4)
    TechnicianSkillFactory(technician=blake, skill=exchange, level=5)  # on leave
    TechnicianSkillFactory(technician=casey, skill=exchange, level=2)  # below level 3
    TechnicianSkillFactory(technician=leaving, skill=exchange, level=5)  # last day passed
    TechnicianSkillFactory(technician=gone, skill=exchange, level=5)  # departed
    TechnicianSkillFactory(technician=avery, skill=veeam, level=3)
    TechnicianSkillFactory(technician=casey, skill=veeam, level=3)
    return {"exchange": exchange, "veeam": veeam, "email": email}


@pytest.fixture
def agreements(team):
    exchange = team["exchange"]
    big = AgreementFactory(title="Big", annual_value=Decimal("12000"))
    # Two requirements of one agreement count its value once.
    for label in ("2016", "2019"):
        RequirementFactory(
            agreement=big, skill=exchange, version=SkillVersionFactory(skill=exchange, label=label)
        )
    RequirementFactory(
        agreement=AgreementFactory(title="Small", annual_value=Decimal("3000")), skill=exchange
    )
    RequirementFactory(
        agreement=AgreementFactory(
            title="Draft", annual_value=Decimal("5000"), status=Agreement.Status.DRAFT
        ),
        skill=exchange,
    )
    RequirementFactory(
        agreement=AgreementFactory(
            title="Ended", annual_value=Decimal("7000"), end_date=datetime.date(2026, 5, 31)
        ),
        skill=exchange,
    )


def checked():
    return coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# ------------------------------------------------------------------------------ the data


def test_matrix_lists_technicians_still_on_the_team(team):
    matrix = skills_matrix(day=TODAY)

    assert [t.name for t in matrix.technicians] == [
        "Avery Stone",
        "Blake Moss",
        "Casey Lund",
        "Drew Park",
    ]
    assert [t.available for t in matrix.technicians] == [True, False, True, False]


def test_matrix_shows_each_technicians_level_per_skill(team):
    matrix = skills_matrix(day=TODAY)

    levels = {skill.name: skill.levels for skill in matrix.skills}
    assert levels == {
        "Exchange": (4, 5, 2, 5),
        "Veeam": (3, None, 3, None),
        "Hyper-V": (None, None, None, None),
    }


def test_qualified_count_needs_level_3_and_availability(team):
    checked()
    matrix = skills_matrix(day=TODAY)

    counts = {skill.name: skill.qualified_count for skill in matrix.skills}
    assert counts == {"Exchange": 1, "Veeam": 2, "Hyper-V": 0}
    assert [skill.name for skill in matrix.skills if skill.single_technician] == ["Exchange"]


def test_revenue_dependence_sums_active_agreements_requiring_the_skill_once(team, agreements):
    checked()
    matrix = skills_matrix(day=TODAY)

    revenue = {skill.name: skill.revenue_dependence for skill in matrix.skills}
    assert revenue == {"Exchange": Decimal("15000"), "Veeam": Decimal("0"), "Hyper-V": 0}


def test_matrix_filtered_by_category_has_only_its_skills(team):
    matrix = skills_matrix(category=team["email"], day=TODAY)

    assert [skill.name for skill in matrix.skills] == ["Exchange"]


# ------------------------------------------------------------------------------ the pages

READ_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 200), (None, 302)]


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_matrix_page_status_per_role(browse, role, status):
    assert browse(role).get(reverse("coverage:matrix")).status_code == status


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_matrix_csv_status_per_role(browse, role, status):
    assert browse(role).get(reverse("coverage:matrix_csv")).status_code == status


def test_matrix_page_highlights_the_skill_only_one_technician_carries(
    consultant_client, team, agreements
):
    checked()
    response = consultant_client.get(reverse("coverage:matrix"))

    text = response.content.decode()
    exchange_row = text[text.index("Exchange</span>") :].split("</tr>")[0]
    assert "Only one" in exchange_row
    assert "$15,000" in exchange_row
    assert "Only one" not in text[text.index("Veeam</span>") :].split("</tr>")[0]


def test_matrix_page_filters_by_category(consultant_client, team):
    response = consultant_client.get(reverse("coverage:matrix"), {"category": team["email"].pk})

    assert [skill.name for skill in response.context["page_obj"]] == ["Exchange"]


def test_matrix_page_with_an_unknown_category_shows_every_skill(consultant_client, team):
    response = consultant_client.get(reverse("coverage:matrix"), {"category": "999999"})

    assert response.status_code == 400  # with the filter bar's message
    assert response.context["form"].errors["category"]
    assert len(response.context["page_obj"]) == 3


def test_matrix_csv_has_the_same_figures_as_the_page(consultant_client, team, agreements):
    checked()
    response = consultant_client.get(reverse("coverage:matrix_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="skills-matrix-2026-06-01.csv"'
    rows = csv_rows(response)
    assert rows == [
        [
            "Category",
            "Skill",
            "Avery Stone",
            "Blake Moss",
            "Casey Lund",
            "Drew Park",
            "Qualified technicians (level 3+, available)",
            "Revenue dependence",
            "Certifications (valid today)",
        ],
        ["Backup", "Veeam", "3", "", "3", "", "2", "0.00", ""],
        ["Email", "Exchange", "4", "5", "2", "5", "1", "15000.00", ""],
        ["Virtualization", "Hyper-V", "", "", "", "", "0", "0.00", ""],
    ]


def test_matrix_csv_gives_version_ranges_and_valid_certifications(consultant_client, team):
    exchange = team["exchange"]
    avery = TechnicianSkill.objects.get(technician__name="Avery Stone", skill=exchange)
    avery.oldest_version = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    avery.newest_version = SkillVersionFactory(skill=exchange, label="2019", rank=2)
    avery.save()
    certification = CertificationFactory(name="Exchange Specialist")
    certification.skills.add(exchange)
    TechnicianCertificationFactory(
        technician=avery.technician,
        certification=certification,
        earned_on=datetime.date(2025, 1, 10),
        expires_on=datetime.date(2027, 1, 9),
    )
    TechnicianCertificationFactory(
        technician=Technician.objects.get(name="Casey Lund"),
        certification=certification,
        earned_on=datetime.date(2023, 1, 10),
        expires_on=datetime.date(2025, 1, 9),
    )

    rows = csv_rows(consultant_client.get(reverse("coverage:matrix_csv")))

    exchange_row = next(row for row in rows if row[1] == "Exchange")
    assert exchange_row[2] == "4 (2016 – 2019)"
    assert exchange_row[-1] == "Avery Stone: Exchange Specialist (until 2027-01-09)"


def test_matrix_csv_of_a_category_names_it_in_the_file_name(consultant_client, team):
    response = consultant_client.get(reverse("coverage:matrix_csv"), {"category": team["email"].pk})

    assert response["Content-Disposition"] == (
        'attachment; filename="skills-matrix-Email-2026-06-01.csv"'
    )
    assert len(csv_rows(response)) == 2


def test_matrix_csv_keeps_names_from_being_read_as_formulas(consultant_client):
    TechnicianFactory(name="=HYPERLINK(1)")

    response = consultant_client.get(reverse("coverage:matrix_csv"))

    header = csv_rows(response)[0]
    assert "'=HYPERLINK(1)" in header


@pytest.mark.parametrize("rows", [1, 30])
def test_matrix_page_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    for skill, technician in zip(
        SkillFactory.create_batch(rows), TechnicianFactory.create_batch(rows), strict=True
    ):
        TechnicianSkillFactory(technician=technician, skill=skill)
        RequirementFactory(skill=skill)
    checked()
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions; skills count and page, technicians count and page, the newest check,
    # the page's levels and its skills' figures in that check; the newest check and the change
    # stamp for the notice; the category choices.
    with django_assert_num_queries(16):
        response = consultant_client.get(reverse("coverage:matrix"))
    assert len(response.context["matrix"].skills) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_matrix_csv_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    for skill, technician in zip(
        SkillFactory.create_batch(rows), TechnicianFactory.create_batch(rows), strict=True
    ):
        TechnicianSkillFactory(technician=technician, skill=skill)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, and after the view, while streaming: technicians, the newest check;
    # skills count, then per chunk of skills: the skills, their levels, their certifications,
    # their figures.
    with django_assert_num_queries(13):
        response = consultant_client.get(reverse("coverage:matrix_csv"))
        lines = csv_rows(response)
    assert len(lines) == rows + 1


def test_matrix_page_is_paged_by_technicians_and_by_skills(consultant_client):
    technicians = [
        TechnicianFactory(name=f"Technician {n:02d}") for n in range(TECHNICIANS_PER_PAGE + 3)
    ]
    skills = SkillFactory.create_batch(SKILLS_PER_PAGE + 2)
    TechnicianSkillFactory(technician=technicians[-1], skill=skills[-1], level=4)

    first = consultant_client.get(reverse("coverage:matrix"))
    pages = [
        consultant_client.get(reverse("coverage:matrix"), {"tpage": 2, "page": page})
        for page in (1, 2)
    ]

    assert len(first.context["matrix"].technicians) == TECHNICIANS_PER_PAGE
    assert len(first.context["matrix"].skills) == SKILLS_PER_PAGE
    assert "Next technicians" in first.content.decode()
    assert [t.id for t in pages[0].context["matrix"].technicians][-1] == technicians[-1].pk
    assert len(pages[1].context["matrix"].skills) == 2
    levels = {
        (skill.id, level)
        for page in pages
        for skill in page.context["matrix"].skills
        for level in skill.levels
    }
    assert (skills[-1].pk, 4) in levels


def test_matrix_figures_come_from_the_newest_check(consultant_client, team):
    before = consultant_client.get(reverse("coverage:matrix"))
    checked()
    after = consultant_client.get(reverse("coverage:matrix"))

    assert {s.qualified_count for s in before.context["matrix"].skills} == {None}
    assert "not checked yet" in before.content.decode()
    assert {s.name: s.qualified_count for s in after.context["matrix"].skills}["Veeam"] == 2


def test_matrix_marks_the_levels_due_for_review(team):
    avery_exchange = TechnicianSkill.objects.get(
        technician__name="Avery Stone", skill=team["exchange"]
    )
    avery_exchange.assessed_on = TODAY - datetime.timedelta(days=366)
    avery_exchange.save()

    matrix = skills_matrix(day=TODAY)

    exchange = next(skill for skill in matrix.skills if skill.name == "Exchange")
    veeam = next(skill for skill in matrix.skills if skill.name == "Veeam")
    names = [technician.name for technician in matrix.technicians]
    assert dict(zip(names, exchange.due_for_review, strict=True)) == {
        "Avery Stone": True,
        "Blake Moss": False,
        "Casey Lund": False,
        "Drew Park": False,
    }
    assert not any(veeam.due_for_review)


def test_matrix_page_shows_the_review_mark_with_its_legend(consultant_client, team):
    TechnicianSkill.objects.filter(skill=team["veeam"]).update(
        assessed_on=TODAY - datetime.timedelta(days=400)
    )

    page = consultant_client.get(reverse("coverage:matrix")).content.decode()

    assert "marks a level not assessed for 12 months: due for review" in page
    assert page.count('aria-label="due for review"') == 2
