"""Forms with rows in a real Chromium: rows are added and removed in the page, and a row's
version list offers the versions of the skill chosen in it."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from skills.models import Certification, Skill, SkillVersion, Technician
from skills.skill_catalog import load_skill_catalog
from tests.e2e.conftest import choose

SKILLS = [
    "Exchange Server",
    "Windows Server",
    "Active Directory",
    "Microsoft 365",
    "Cisco IOS",
    "Fortinet FortiOS",
    "VMware vSphere",
    "Veeam Backup & Replication",
    "SonicWall SonicOS",
    "Ubiquiti UniFi",
]
CERTIFICATIONS = ["CompTIA Network+", "CompTIA Security+", "Fortinet NSE 4"]


@pytest.fixture
def starter_catalog(e2e_database):
    load_skill_catalog()


def test_a_new_technician_with_ten_skills_and_three_certifications_is_one_save(
    page, log_in, consultant, starter_catalog, screenshot
):
    skills = [Skill.objects.get(name=name) for name in SKILLS]
    certifications = [Certification.objects.get(name=name) for name in CERTIFICATIONS]
    log_in(consultant)

    page.goto("/technicians/new/")
    page.get_by_label("Name").first.fill("Noor Haddad")
    page.get_by_label("Email").fill("noor.haddad@example.com")
    section = page.get_by_role("region", name="Skills", exact=True)
    for index, skill in enumerate(skills):
        if index:
            section.get_by_role("button", name="Add a row").click()
        choose(page, f"skills-{index}-skill", skill.name, skill.pk)
        page.locator(f'select[name="skills-{index}-level"]').select_option("3")
    # A row added by mistake is taken out again.
    section.get_by_role("button", name="Add a row").click()
    section.get_by_role("button", name="Remove").last.click()
    certificates = page.get_by_role("region", name="Certifications", exact=True)
    for index, certification in enumerate(certifications):
        if index:
            certificates.get_by_role("button", name="Add a row").click()
        page.locator(f'select[name="certifications-{index}-certification"]').select_option(
            str(certification.pk)
        )
        page.locator(f'input[name="certifications-{index}-earned_on"]').fill("2025-03-14")
    screenshot(page, "form")
    page.get_by_role("button", name="Create technician").click()

    expect(page.get_by_role("heading", name="Noor Haddad")).to_be_visible()
    technician = Technician.objects.get(name="Noor Haddad")
    assert sorted(technician.skills.values_list("skill__name", flat=True)) == sorted(SKILLS)
    assert sorted(technician.certifications.values_list("certification__name", flat=True)) == (
        sorted(CERTIFICATIONS)
    )


def test_choosing_fortios_leaves_only_fortios_versions_in_the_client_form(
    page, log_in, consultant, starter_catalog
):
    call_command("seed_demo", stdout=StringIO())
    fortios = Skill.objects.get(name="Fortinet FortiOS")
    fortios_versions = list(
        SkillVersion.objects.filter(skill=fortios).order_by("rank").values_list("label", flat=True)
    )
    log_in(consultant)

    page.goto("/clients/new/")
    page.get_by_role("region", name="Environment").get_by_role("button", name="Add a row").click()
    choose(page, "environment-1-skill", "Fortinet FortiOS", fortios.pk)
    versions = page.locator('select[name="environment-1-version"] option')

    expect(versions).to_have_count(len(fortios_versions) + 1)
    offered = [text.strip() for text in versions.all_inner_texts()][1:]
    assert offered == fortios_versions
