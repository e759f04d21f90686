import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Service
from agreements.service_catalog import SERVICES, load_catalog
from skills.models import Certification, Skill, SkillCategory, SkillVersion
from skills.skill_catalog import CATEGORIES, CERTIFICATIONS, SKILLS, load_skill_catalog
from tests.skills.factories import SkillVersionFactory


def test_every_certification_and_service_names_skills_of_the_catalog():
    names = {entry.name for entry in SKILLS}
    for entry in CERTIFICATIONS:
        assert set(entry.skills) <= names, entry.name
    for entry in SERVICES:
        assert entry.skills_in_scope, entry.name
        assert set(entry.skills_in_scope) <= names, entry.name
    assert {entry.category for entry in SKILLS} <= set(CATEGORIES)


@pytest.mark.django_db
class TestLoad:
    def test_loads_categories_skills_versions_certifications_and_services(self):
        report = load_catalog()

        assert SkillCategory.objects.count() == len(CATEGORIES) == report.categories
        assert Skill.objects.count() == len(SKILLS) == report.skills
        assert SkillVersion.objects.count() == sum(len(e.versions) for e in SKILLS)
        assert Certification.objects.count() == len(CERTIFICATIONS) == report.certifications
        assert Service.objects.count() == len(SERVICES) == report.services

    def test_versions_are_ranked_oldest_to_newest(self):
        load_skill_catalog()

        for entry in SKILLS:
            labels = list(
                SkillVersion.objects.filter(skill__name=entry.name)
                .order_by("rank")
                .values_list("label", flat=True)
            )
            assert labels == list(entry.versions), entry.name

        server = SkillVersion.objects.filter(skill__name="Windows Server")
        assert server.get(label="2012 R2").rank < server.get(label="2016").rank
        assert server.get(label="2022").rank < server.get(label="2025").rank

    def test_versions_carry_the_lifecycle_snapshots_end_of_support_dates(self):
        load_skill_catalog()

        versions = SkillVersion.objects.select_related("skill")
        assert versions.get(skill__name="Windows", label="10").end_of_support == datetime.date(
            2025, 10, 14
        )
        assert versions.get(
            skill__name="Windows Server", label="2016"
        ).end_of_support == datetime.date(2027, 1, 12)
        assert versions.get(
            skill__name="Exchange Server", label="2016"
        ).end_of_support == datetime.date(2025, 10, 14)
        assert versions.get(skill__name="Windows", label="11").end_of_support is None

    def test_mcp_is_the_only_baseline_and_does_not_expire(self):
        load_skill_catalog()

        baseline = Certification.objects.get(is_baseline=True)
        assert baseline.name == "Microsoft Certified Professional (MCP)"
        assert baseline.validity_months is None

    def test_certifications_name_the_skills_they_evidence(self):
        load_skill_catalog()

        ccna = Certification.objects.get(name="Cisco CCNA")
        assert ccna.issuer == "Cisco"
        assert ccna.validity_months == 36
        assert list(ccna.skills.values_list("name", flat=True)) == ["Cisco IOS"]
        comptia = Certification.objects.filter(name__startswith="CompTIA")
        assert set(comptia.values_list("validity_months", flat=True)) == {36}

    def test_services_have_their_skills_in_scope_and_minimum_level(self):
        load_catalog()

        email = Service.objects.get(name="Email & Microsoft 365 Administration")
        assert set(email.skills_in_scope.values_list("name", flat=True)) == {
            "Exchange Server",
            "Microsoft 365",
            "Microsoft Entra ID",
        }
        assert email.min_level == 3
        assert Service.objects.get(name="Help Desk").min_level == 2

    def test_second_load_adds_nothing(self):
        load_catalog()
        counts = [m.objects.count() for m in (SkillCategory, Skill, SkillVersion, Certification)]

        report = load_catalog()

        assert report.created == 0
        assert counts == [
            m.objects.count() for m in (SkillCategory, Skill, SkillVersion, Certification)
        ]
        assert Service.objects.count() == len(SERVICES)

    def test_reload_keeps_what_users_changed(self):
        load_catalog()
        Skill.objects.filter(name="Dentrix").update(vendor="Dentrix Ascend")
        Certification.objects.filter(name="Cisco CCNA").update(validity_months=24)
        help_desk = Service.objects.get(name="Help Desk")
        help_desk.min_level = 3
        help_desk.save()
        help_desk.skills_in_scope.clear()

        load_catalog()

        assert Skill.objects.get(name="Dentrix").vendor == "Dentrix Ascend"
        assert Certification.objects.get(name="Cisco CCNA").validity_months == 24
        help_desk.refresh_from_db()
        assert help_desk.min_level == 3
        assert not help_desk.skills_in_scope.exists()

    def test_reload_fills_in_missing_versions(self):
        load_skill_catalog()
        SkillVersion.objects.filter(skill__name="Exchange Server", label="2016").delete()

        report = load_skill_catalog()

        assert report.versions == 1
        assert SkillVersion.objects.filter(skill__name="Exchange Server", label="2016").exists()

    def test_existing_rows_are_matched_ignoring_case(self):
        category = SkillCategory.objects.create(name="server os")
        Skill.objects.create(name="windows server", category=category, vendor="Msft")

        load_skill_catalog()

        assert Skill.objects.filter(name__iexact="Windows Server").count() == 1
        assert SkillCategory.objects.filter(name__iexact="Server OS").count() == 1
        assert Skill.objects.get(name__iexact="Windows Server").vendor == "Msft"
        assert SkillVersion.objects.filter(skill__name="windows server").count() == 5

    def test_a_rank_taken_by_a_users_version_is_left_alone(self):
        load_skill_catalog()
        exchange = Skill.objects.get(name="Exchange Server")
        exchange.versions.filter(label="2016").delete()
        SkillVersionFactory(skill=exchange, label="2016 CU23", rank=20)

        report = load_skill_catalog()

        assert report.skipped_versions == ["Exchange Server 2016"]
        assert list(exchange.versions.values_list("label", flat=True)) == [
            "2013",
            "2016 CU23",
            "2019",
            "SE",
        ]

    def test_command_reports_what_it_added(self):
        out = StringIO()
        call_command("load_catalog", stdout=out)
        call_command("load_catalog", stdout=out)

        first, second = out.getvalue().splitlines()
        assert f"{len(SKILLS)} skills" in first
        assert f"{len(SERVICES)} services added" in first
        assert second.startswith("Catalog: 0 categories, 0 skills, 0 versions")
