"""Version lists offer the versions of the skill chosen in the same row, not every version of
every skill (DESIGN "Forms"): the page stays small however large the catalog, and a version of
another skill is still refused on save with the form's own message."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.planning.forms import AddToPlanForm
from agreements.planning.selectors import plan_choices
from clients.models import ClientTechnology
from skills.models import TechnicianSkill
from tests.agreements.factories import AgreementFactory
from tests.clients.factories import ClientFactory
from tests.html_forms import post_form_data, select_options
from tests.skills.factories import (
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    """Two skills with three versions each, and ten more skills with many versions."""
    windows = SkillFactory(name="Windows Server")
    exchange = SkillFactory(name="Exchange")
    versions = {
        skill.name: [SkillVersionFactory(skill=skill, label=label) for label in labels]
        for skill, labels in (
            (windows, ["2016", "2019", "2022"]),
            (exchange, ["2013", "2016", "2019"]),
        )
    }
    for index in range(10):
        other = SkillFactory(name=f"Other product {index}")
        for rank in range(20):
            SkillVersionFactory(skill=other, label=f"v{rank}")
    return {"windows": windows, "exchange": exchange, "versions": versions}


def ids(versions):
    return [str(version.pk) for version in versions]


def test_a_saved_row_offers_only_the_versions_of_its_skill(consultant_client, catalog):
    technician = TechnicianFactory()
    TechnicianSkillFactory(technician=technician, skill=catalog["windows"], level=3)
    url = reverse("skills:technician_update", args=[technician.pk])

    html = consultant_client.get(url).content.decode()

    windows = ids(catalog["versions"]["Windows Server"])
    assert select_options(html, "skills-0-oldest_version") == ["", *windows]
    assert select_options(html, "skills-0-newest_version") == ["", *windows]


def test_a_blank_row_offers_no_version_until_a_skill_is_chosen(consultant_client, catalog):
    html = consultant_client.get(reverse("skills:technician_create")).content.decode()

    assert select_options(html, "skills-0-oldest_version") == [""]
    assert 'data-versions-of="skills-0-skill"' in html
    assert f'data-versions-url="{reverse("skills:version_options")}"' in html


def test_a_refused_form_offers_the_versions_of_the_posted_skill(consultant_client, catalog):
    url = reverse("skills:technician_create")
    data = post_form_data(consultant_client.get(url).content.decode())
    data.update({"name": "", "skills-0-skill": str(catalog["exchange"].pk), "skills-0-level": "3"})

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert select_options(html, "skills-0-oldest_version") == [
        "",
        *ids(catalog["versions"]["Exchange"]),
    ]


def test_a_version_of_another_skill_is_refused_with_the_forms_message(consultant_client, catalog):
    technician = TechnicianFactory()
    url = reverse("skills:technician_update", args=[technician.pk])
    data = post_form_data(consultant_client.get(url).content.decode())
    exchange_2019 = catalog["versions"]["Exchange"][2]
    data.update(
        {
            "skills-0-skill": str(catalog["windows"].pk),
            "skills-0-level": "3",
            "skills-0-oldest_version": str(exchange_2019.pk),
        }
    )

    response = consultant_client.post(url, data)

    assert response.status_code == 200
    assert "Version 2019 belongs to Exchange, not Windows Server." in response.content.decode()
    assert not TechnicianSkill.objects.filter(technician=technician).exists()


def test_a_refused_row_marks_the_field_and_says_why_in_its_cell(consultant_client, catalog):
    technician = TechnicianFactory()
    url = reverse("skills:technician_update", args=[technician.pk])
    data = post_form_data(consultant_client.get(url).content.decode())
    exchange_2019 = catalog["versions"]["Exchange"][2]
    data.update(
        {
            "skills-0-skill": str(catalog["windows"].pk),
            "skills-0-level": "3",
            "skills-0-oldest_version": str(exchange_2019.pk),
        }
    )

    html = consultant_client.post(url, data).content.decode()

    cell = html[html.index('<td id="div_id_skills-0-oldest_version"') :]
    cell = cell[: cell.index("</td>")]
    assert 'class="select form-select is-invalid"' in cell
    assert (
        '<div id="id_skills-0-oldest_version_error" class="invalid-feedback">'
        '<span id="error_1_id_skills-0-oldest_version">'
        "<strong>Version 2019 belongs to Exchange, not Windows Server.</strong></span></div>"
    ) in cell
    level = html[html.index('<td id="div_id_skills-0-level"') :]
    assert 'class="select form-select" id="id_skills-0-level"' in level[: level.index("</td>")]


def test_client_environment_rows_follow_their_skill(consultant_client, catalog):
    client_row = ClientFactory()
    ClientTechnology.objects.create(
        client=client_row, skill=catalog["exchange"], version=catalog["versions"]["Exchange"][1]
    )

    html = consultant_client.get(reverse("clients:update", args=[client_row.pk])).content.decode()

    assert select_options(html, "environment-0-version") == [
        "",
        *ids(catalog["versions"]["Exchange"]),
    ]
    assert select_options(html, "environment-1-version") == [""]


def test_requirement_rows_follow_their_skill(consultant_client, catalog):
    agreement = AgreementFactory()
    agreement.requirements.create(skill=catalog["windows"], min_level=3)
    url = reverse("agreements:update", args=[agreement.pk])

    html = consultant_client.get(url).content.decode()

    assert select_options(html, "requirements-0-version") == [
        "",
        *ids(catalog["versions"]["Windows Server"]),
    ]


def test_the_add_to_plan_form_offers_the_versions_of_its_skill(consultant, catalog):
    day = datetime.date(2026, 12, 1)
    form = AddToPlanForm(initial={"skill": catalog["exchange"].pk}, user=consultant, day=day)
    form.use_choices(plan_choices(day=day))

    offered = [str(value) for value, _ in form.fields["target_version"].choices]
    assert offered == ["", *ids(catalog["versions"]["Exchange"])]


def test_the_version_options_of_a_skill_oldest_first(viewer_client, catalog):
    url = reverse("skills:version_options")

    response = viewer_client.get(url, {"skill": catalog["windows"].pk})

    assert response.json() == {
        "results": [
            {"id": version.pk, "text": version.label}
            for version in catalog["versions"]["Windows Server"]
        ]
    }
    assert viewer_client.get(url, {"skill": "not a number"}).json() == {"results": []}
    assert viewer_client.get(url).json() == {"results": []}


def test_the_version_options_need_a_login(client, catalog):
    response = client.get(reverse("skills:version_options"), {"skill": catalog["windows"].pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_saved_rows_skill_is_named_in_its_search_box(consultant_client, catalog):
    technician = TechnicianFactory()
    TechnicianSkillFactory(technician=technician, skill=catalog["windows"], level=3)
    url = reverse("skills:technician_update", args=[technician.pk])

    html = consultant_client.get(url).content.decode()

    assert 'value="Windows Server"' in html
    assert f'name="skills-0-skill" value="{catalog["windows"].pk}"' in html
    assert f'data-autocomplete-url="{reverse("skills:skill_autocomplete")}"' in html


def test_the_rows_cost_the_same_queries_however_many_skills(consultant_client, catalog):
    few, many = TechnicianFactory(), TechnicianFactory()
    TechnicianSkillFactory(technician=few, skill=catalog["windows"])
    for index in range(6):
        TechnicianSkillFactory(technician=many, skill=SkillFactory(name=f"Product {index}"))

    def queries(technician):
        with CaptureQueriesContext(connection) as captured:
            consultant_client.get(reverse("skills:technician_update", args=[technician.pk]))
        return len(captured)

    assert queries(many) == queries(few)


def test_the_skill_search_finds_skills_by_name_or_vendor(viewer_client, catalog):
    SkillFactory(name="SonicOS", vendor="SonicWall")
    url = reverse("skills:skill_autocomplete")

    by_name = viewer_client.get(url, {"q": "exch"}).json()["results"]
    by_vendor = viewer_client.get(url, {"q": "sonicwall"}).json()["results"]

    assert [row["text"] for row in by_name] == ["Exchange"]
    assert [row["text"] for row in by_vendor] == ["SonicOS"]
