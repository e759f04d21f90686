import datetime
import re

import pytest
from django.urls import reverse

from agreements.service_catalog import load_catalog
from skills.models import Technician, TechnicianCertification, TechnicianSkill
from tests.forms import formset
from tests.skills.factories import (
    CertificationFactory,
    SkillCategoryFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

TODAY = datetime.date(2026, 6, 1)
NOON = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


@pytest.fixture(autouse=True)
def warning_days(settings):
    settings.COVERAGE_WARNING_DAYS = 60


def technician_post_data(
    *, name="Dana Ortiz", email="dana@msp.example", skills=(), certifications=(), **fields
):
    data = {
        "name": name,
        "email": email,
        "status": "active",
        "time_zone": "America/New_York",
        **fields,
    }
    data.update(formset("skills", list(skills)))
    data.update(formset("certifications", list(certifications)))
    return data


def page_text(response):
    return response.content.decode()


# ------------------------------------------------------------------------------ roles

READ_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 200), (None, 302)]
WRITE_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 403), (None, 302)]


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_technician_list_status_per_role(browse, role, status):
    assert browse(role).get(reverse("skills:technician_list")).status_code == status


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_technician_detail_status_per_role(browse, role, status):
    technician = TechnicianFactory()
    url = reverse("skills:technician_detail", args=[technician.pk])
    assert browse(role).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_skill_catalog_status_per_role(browse, role, status):
    assert browse(role).get(reverse("skills:catalog")).status_code == status


@pytest.mark.parametrize(("role", "status"), WRITE_ROLES)
def test_technician_create_form_status_per_role(browse, role, status):
    assert browse(role).get(reverse("skills:technician_create")).status_code == status


@pytest.mark.parametrize(("role", "status"), WRITE_ROLES)
def test_technician_edit_form_status_per_role(browse, role, status):
    technician = TechnicianFactory()
    url = reverse("skills:technician_update", args=[technician.pk])
    assert browse(role).get(url).status_code == status


def test_unknown_technician_is_404(consultant_client):
    url = reverse("skills:technician_detail", args=[999_999])
    assert consultant_client.get(url).status_code == 404


# ------------------------------------------------------------------------------ list


def test_technician_list_shows_skill_count_and_certification_expiry(consultant_client):
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory.create_batch(3, technician=dana)
    TechnicianCertificationFactory(
        technician=dana,
        certification__name="Cisco CCNA",
        expires_on=datetime.date(2026, 5, 31),
    )
    TechnicianCertificationFactory(
        technician=dana,
        certification__name="CompTIA A+",
        expires_on=datetime.date(2026, 7, 31),
    )
    TechnicianCertificationFactory(
        technician=dana,
        certification__name="VMware VCP",
        expires_on=datetime.date(2026, 8, 1),
    )

    response = consultant_client.get(reverse("skills:technician_list"))

    row = response.context["page_obj"][0]
    assert row.skill_count == 3
    assert {held.certification.name: held.expiry_state for held in row.certifications.all()} == {
        "Cisco CCNA": "expired",
        "CompTIA A+": "expiring",
        "VMware VCP": "valid",
    }
    text = page_text(response)
    assert "Cisco CCNA · expired 31 May 2026" in text
    assert "CompTIA A+ · expires 31 Jul 2026" in text


def test_technician_without_a_valid_baseline_certification_is_flagged(consultant_client):
    mcp = CertificationFactory(name="MCP", is_baseline=True)
    TechnicianCertificationFactory(technician__name="Holds MCP", certification=mcp)
    TechnicianCertificationFactory(
        technician__name="Lapsed MCP", certification=mcp, expires_on=datetime.date(2026, 1, 1)
    )
    TechnicianFactory(name="Never had it")

    response = consultant_client.get(reverse("skills:technician_list"))

    baseline = {t.name: t.has_baseline for t in response.context["page_obj"]}
    assert baseline == {"Holds MCP": True, "Lapsed MCP": False, "Never had it": False}
    assert page_text(response).count("No baseline certification") == 2


def test_no_baseline_badge_when_the_firm_named_no_baseline_certification(consultant_client):
    TechnicianFactory(name="Dana Ortiz")

    response = consultant_client.get(reverse("skills:technician_list"))

    assert "No baseline certification" not in page_text(response)


def test_technician_list_filters_by_status_and_name(consultant_client):
    TechnicianFactory(name="Dana Ortiz")
    TechnicianFactory(name="Dana Reyes", status=Technician.Status.DEPARTED)
    TechnicianFactory(name="Kevin Brandt")

    response = consultant_client.get(
        reverse("skills:technician_list"), {"q": "dana", "status": "active"}
    )

    assert [t.name for t in response.context["page_obj"]] == ["Dana Ortiz"]


def test_technician_list_is_paginated_by_25(consultant_client):
    TechnicianFactory.create_batch(26)

    response = consultant_client.get(reverse("skills:technician_list"), {"page": 2})

    assert len(response.context["page_obj"]) == 1


def test_technician_list_hides_the_new_button_from_a_viewer(viewer_client):
    response = viewer_client.get(reverse("skills:technician_list"))

    assert reverse("skills:technician_create") not in page_text(response)


# ------------------------------------------------------------------------------ detail


def test_technician_detail_shows_skills_certifications_and_training_goals(consultant_client):
    dana = TechnicianFactory(name="Dana Ortiz")
    exchange = SkillFactory(name="Exchange")
    TechnicianSkillFactory(
        technician=dana,
        skill=exchange,
        level=4,
        oldest_version=SkillVersionFactory(skill=exchange, label="2016", rank=1),
        newest_version=SkillVersionFactory(skill=exchange, label="2019", rank=2),
    )
    TechnicianCertificationFactory(technician=dana, certification__name="Cisco CCNA")
    TrainingGoalFactory(technician=dana, skill__name="Veeam", target_level=3, reason="Backups")

    response = consultant_client.get(reverse("skills:technician_detail", args=[dana.pk]))

    text = page_text(response)
    assert [s.version_range for s in response.context["skills"]] == ["2016 – 2019"]
    assert "4 – advanced" in text
    assert "Cisco CCNA" in text
    assert "Veeam at level 3" in text


def test_technician_detail_hides_the_edit_button_from_a_viewer(viewer_client):
    technician = TechnicianFactory()

    response = viewer_client.get(reverse("skills:technician_detail", args=[technician.pk]))

    assert reverse("skills:technician_update", args=[technician.pk]) not in page_text(response)


# ------------------------------------------------------------------------------ create and edit


def test_consultant_creates_a_technician_with_skills_and_certifications(consultant_client):
    exchange = SkillFactory(name="Exchange")
    exchange_2016 = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    ccna = CertificationFactory(name="Cisco CCNA", validity_months=36)

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            skills=[{"skill": exchange.pk, "level": "4", "oldest_version": exchange_2016.pk}],
            certifications=[{"certification": ccna.pk, "earned_on": "2025-03-15"}],
        ),
    )

    dana = Technician.objects.get(email="dana@msp.example")
    assert response.status_code == 302
    assert response.url == reverse("skills:technician_detail", args=[dana.pk])
    held_skill = dana.skills.get()
    assert (held_skill.skill, held_skill.level, held_skill.oldest_version) == (
        exchange,
        4,
        exchange_2016,
    )
    # Without an expiry date the certification's validity applies.
    assert dana.certifications.get().expires_on == datetime.date(2028, 3, 15)


def test_consultant_edits_a_technicians_level_and_removes_a_certification(consultant_client):
    held_skill = TechnicianSkillFactory(technician__name="Dana Ortiz", level=2)
    dana = held_skill.technician
    held_cert = TechnicianCertificationFactory(technician=dana)

    response = consultant_client.post(
        reverse("skills:technician_update", args=[dana.pk]),
        {
            "name": "Dana Ortiz",
            "email": dana.email,
            "status": "active",
            "time_zone": dana.time_zone,
            **formset(
                "skills",
                [{"id": held_skill.pk, "skill": held_skill.skill.pk, "level": "3"}],
                initial=1,
            ),
            **formset(
                "certifications",
                [
                    {
                        "id": held_cert.pk,
                        "certification": held_cert.certification.pk,
                        "earned_on": "2024-01-15",
                        "DELETE": "on",
                    }
                ],
                initial=1,
            ),
        },
    )

    assert response.status_code == 302
    held_skill.refresh_from_db()
    assert held_skill.level == 3
    assert not TechnicianCertification.objects.exists()


def test_expiry_before_the_earned_date_is_a_field_error(consultant_client):
    ccna = CertificationFactory(name="Cisco CCNA")

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            certifications=[
                {"certification": ccna.pk, "earned_on": "2025-03-15", "expires_on": "2025-03-14"}
            ]
        ),
    )

    assert response.status_code == 200
    message = "Expiry date (14 Mar 2025) is before the date earned (15 Mar 2025)."
    assert response.context["certifications"].errors[0] == {"expires_on": [message]}
    assert message in page_text(response)
    assert not Technician.objects.exists()


def test_newest_version_older_than_oldest_is_a_field_error(consultant_client):
    exchange = SkillFactory(name="Exchange")
    old = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    new = SkillVersionFactory(skill=exchange, label="2019", rank=2)

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            skills=[
                {
                    "skill": exchange.pk,
                    "level": "3",
                    "oldest_version": new.pk,
                    "newest_version": old.pk,
                }
            ]
        ),
    )

    assert response.status_code == 200
    message = "Newest version (2016) is older than oldest version (2019)."
    assert response.context["skills"].errors[0] == {"newest_version": [message]}
    assert message in page_text(response)
    assert not Technician.objects.exists()


def test_version_of_another_skill_is_a_field_error(consultant_client):
    server_2019 = SkillVersionFactory(skill__name="Windows Server", label="2019")
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            skills=[{"skill": exchange.pk, "level": "3", "oldest_version": server_2019.pk}]
        ),
    )

    assert response.status_code == 200
    assert response.context["skills"].errors[0] == {
        "oldest_version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }


def test_unknown_version_and_level_out_of_range_are_field_errors(consultant_client):
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            skills=[{"skill": exchange.pk, "level": "9", "newest_version": "987654"}]
        ),
    )

    assert response.status_code == 200
    assert set(response.context["skills"].errors[0]) == {"level", "newest_version"}
    assert not Technician.objects.exists()


def test_the_same_skill_twice_is_refused(consultant_client):
    exchange = SkillFactory(name="Exchange")

    response = consultant_client.post(
        reverse("skills:technician_create"),
        technician_post_data(
            skills=[{"skill": exchange.pk, "level": "3"}, {"skill": exchange.pk, "level": "4"}]
        ),
    )

    assert response.status_code == 200
    assert response.context["skills"].non_form_errors()
    assert not Technician.objects.exists()


def test_duplicate_email_is_a_field_error(consultant_client):
    TechnicianFactory(email="dana@msp.example")

    response = consultant_client.post(reverse("skills:technician_create"), technician_post_data())

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert Technician.objects.count() == 1


def test_viewer_cannot_create_a_technician(viewer_client):
    response = viewer_client.post(reverse("skills:technician_create"), technician_post_data())

    assert response.status_code == 403
    assert not Technician.objects.exists()


def test_viewer_cannot_edit_a_technician(viewer_client):
    technician = TechnicianFactory(name="Dana Ortiz", email="dana@msp.example")

    response = viewer_client.post(
        reverse("skills:technician_update", args=[technician.pk]),
        technician_post_data(name="Renamed"),
    )

    assert response.status_code == 403
    technician.refresh_from_db()
    assert technician.name == "Dana Ortiz"
    assert not TechnicianSkill.objects.exists()


# ------------------------------------------------------------------------------ catalog


def test_catalog_groups_skills_by_category_with_version_support(consultant_client):
    server = SkillFactory(name="Windows Server", category__name="Server OS")
    SkillVersionFactory(
        skill=server, label="2012 R2", rank=1, end_of_support=datetime.date(2023, 10, 10)
    )
    SkillVersionFactory(
        skill=server, label="2016", rank=2, end_of_support=datetime.date(2026, 11, 1)
    )
    SkillVersionFactory(skill=server, label="2022", rank=3)
    SkillFactory(name="Veeam", category__name="Backup & DR")

    response = consultant_client.get(reverse("skills:catalog"))

    skills = list(response.context["page_obj"])
    assert [(s.category.name, s.name) for s in skills] == [
        ("Backup & DR", "Veeam"),
        ("Server OS", "Windows Server"),
    ]
    assert [(v.label, v.support_state) for v in skills[1].versions.all()] == [
        ("2022", ""),
        ("2016", "ending"),
        ("2012 R2", "ended"),
    ]
    assert "2012 R2 · ended Oct 2023" in page_text(response)


def test_catalog_names_each_successor_and_the_lifecycle_source(consultant_client):
    load_catalog()

    html = page_text(consultant_client.get(reverse("skills:catalog"), {"q": "Windows Server"}))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "2016 · until Jan 2027 → , then 2019" in text
    assert "Supported until 12 Jan 2027; clients move on to 2019" in html
    assert "End-of-support dates and successors (→): endoflife.date" in text
    assert "data of 22 Aug 2026" in text


def test_catalog_filters_by_category(consultant_client):
    servers = SkillCategoryFactory(name="Server OS")
    SkillFactory(name="Windows Server", category=servers)
    SkillFactory(name="Veeam", category__name="Backup & DR")

    response = consultant_client.get(reverse("skills:catalog"), {"category": servers.pk})

    assert [s.name for s in response.context["page_obj"]] == ["Windows Server"]


# ------------------------------------------------------------------------------ query counts


@pytest.mark.parametrize("rows", [1, 30])
def test_technician_list_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    CertificationFactory(is_baseline=True)
    for technician in TechnicianFactory.create_batch(rows):
        TechnicianSkillFactory(technician=technician)
        TechnicianCertificationFactory(technician=technician)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the warning window in force, whether a baseline certification is
    # named, the count for the paginator, the page of technicians, their certifications
    with django_assert_num_queries(11):
        response = consultant_client.get(reverse("skills:technician_list"))
    assert len(response.context["page_obj"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 30])
def test_technician_detail_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    technician = TechnicianFactory()
    for skill in SkillFactory.create_batch(rows):
        version = SkillVersionFactory(skill=skill)
        TechnicianSkillFactory(
            technician=technician, skill=skill, oldest_version=version, newest_version=version
        )
        TechnicianCertificationFactory(technician=technician)
        TrainingGoalFactory(technician=technician, skill=skill)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the technician, the warning window in force, whether a baseline
    # certification is named, skills, certifications, training goals, working hours, time off
    with django_assert_num_queries(14):
        response = consultant_client.get(reverse("skills:technician_detail", args=[technician.pk]))
    assert len(response.context["skills"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_skill_catalog_query_count_does_not_grow_with_rows(
    consultant_client, django_assert_num_queries, rows
):
    for skill in SkillFactory.create_batch(rows):
        SkillVersionFactory.create_batch(2, skill=skill)
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the count for the paginator, the category choices, the page of skills,
    # their versions with successors, the lifecycle data's source
    with django_assert_num_queries(11):
        response = consultant_client.get(reverse("skills:catalog"))
    assert len(response.context["page_obj"]) == rows


def test_technician_autocomplete_leaves_out_departed_and_on_request_unavailable(
    consultant_client,
):
    TechnicianFactory(name="Dana Ortiz")
    TechnicianFactory(name="Dale Gone", status=Technician.Status.DEPARTED)
    TechnicianFactory(name="Dawn Away", status=Technician.Status.ON_LEAVE)
    url = reverse("skills:technician_autocomplete")

    on_team = consultant_client.get(url, {"q": "da"}).json()["results"]
    available = consultant_client.get(url, {"q": "da", "available": "1"}).json()["results"]

    assert [row["text"] for row in on_team] == ["Dana Ortiz", "Dawn Away"]
    assert [row["text"] for row in available] == ["Dana Ortiz"]
