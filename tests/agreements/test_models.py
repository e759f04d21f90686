import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.coverage.models import CoverageFlag, CoverageRun, CoverageStatus
from agreements.models import (
    Agreement,
    AgreementReferenceCounter,
    AgreementService,
    Requirement,
    Service,
)
from agreements.planning.models import CompetitorOffering
from tests.agreements.factories import (
    AgreementFactory,
    AgreementServiceFactory,
    CompetitorFactory,
    CompetitorOfferingFactory,
    CoverageFlagFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory
from tests.skills.factories import CertificationFactory, SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    return AgreementFactory(client=ClientFactory(name="Harbor Dental"))


def derived_requirement(agreement, service, skill, version=None):
    return RequirementFactory.build(
        agreement=agreement,
        service=service,
        skill=skill,
        version=version,
        source=Requirement.Source.DERIVED,
    )


# Each case prepares valid rows, then returns the write that breaks a constraint.


def duplicate_service_name_in_another_case():
    ServiceFactory(name="Managed email")
    return lambda: ServiceFactory(name="MANAGED EMAIL")


def service_min_level_above_5():
    return lambda: ServiceFactory(min_level=6)


def agreement_ending_before_it_starts():
    client = ClientFactory()
    return lambda: AgreementFactory(
        client=client, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2025, 12, 31)
    )


def agreement_with_negative_value():
    client = ClientFactory()
    return lambda: AgreementFactory(client=client, annual_value=Decimal("-0.01"))


def duplicate_agreement_reference():
    existing = AgreementFactory(reference="AGR-2026-0001")
    return lambda: AgreementFactory(client=existing.client, reference="AGR-2026-0001")


def service_twice_in_an_agreement():
    existing = AgreementServiceFactory()
    return lambda: AgreementServiceFactory(agreement=existing.agreement, service=existing.service)


def duplicate_counter_year():
    AgreementReferenceCounter.objects.create(year=2026)
    return lambda: AgreementReferenceCounter.objects.create(year=2026)


def requirement_without_skill_or_certification():
    agreement = AgreementFactory()
    return lambda: RequirementFactory(agreement=agreement, skill=None)


def requirement_version_without_skill():
    agreement, version, certification = (
        AgreementFactory(),
        SkillVersionFactory(),
        CertificationFactory(),
    )
    return lambda: RequirementFactory(
        agreement=agreement, skill=None, version=version, certification=certification
    )


def derived_requirement_without_service():
    agreement, skill = AgreementFactory(), SkillFactory()
    return lambda: RequirementFactory(
        agreement=agreement, skill=skill, source=Requirement.Source.DERIVED
    )


def requirement_min_level_0():
    agreement, skill = AgreementFactory(), SkillFactory()
    return lambda: RequirementFactory(agreement=agreement, skill=skill, min_level=0)


def requirement_needing_no_technician():
    agreement, skill = AgreementFactory(), SkillFactory()
    return lambda: RequirementFactory(agreement=agreement, skill=skill, min_technicians=0)


def derived_requirement_twice_with_version():
    agreement, service, version = AgreementFactory(), ServiceFactory(), SkillVersionFactory()
    derived_requirement(agreement, service, version.skill, version).save()
    return lambda: derived_requirement(agreement, service, version.skill, version).save()


def derived_requirement_twice_without_version():
    agreement, service, skill = AgreementFactory(), ServiceFactory(), SkillFactory()
    derived_requirement(agreement, service, skill).save()
    return lambda: derived_requirement(agreement, service, skill).save()


def second_open_flag_for_a_requirement():
    requirement = RequirementFactory()
    CoverageFlagFactory(requirement=requirement)
    return lambda: CoverageFlagFactory(requirement=requirement, status=CoverageFlag.Status.AT_RISK)


def second_run_for_a_date():
    CoverageRun.objects.create(run_date=datetime.date(2026, 3, 1), started_at=timezone.now())
    return lambda: CoverageRun.objects.create(
        run_date=datetime.date(2026, 3, 1), started_at=timezone.now()
    )


def duplicate_competitor_name_in_another_case():
    CompetitorFactory(name="Bay Area IT")
    return lambda: CompetitorFactory(name="bay area it")


def offering_without_service_or_name():
    competitor = CompetitorFactory()
    return lambda: CompetitorOfferingFactory(competitor=competitor, service=None, name="")


def offering_with_negative_price():
    competitor, service = CompetitorFactory(), ServiceFactory()
    return lambda: CompetitorOfferingFactory(
        competitor=competitor, service=service, price=Decimal("-1.00")
    )


@pytest.mark.parametrize(
    "prepare",
    [
        duplicate_service_name_in_another_case,
        service_min_level_above_5,
        agreement_ending_before_it_starts,
        agreement_with_negative_value,
        duplicate_agreement_reference,
        service_twice_in_an_agreement,
        duplicate_counter_year,
        requirement_without_skill_or_certification,
        requirement_version_without_skill,
        derived_requirement_without_service,
        requirement_min_level_0,
        requirement_needing_no_technician,
        derived_requirement_twice_with_version,
        derived_requirement_twice_without_version,
        second_open_flag_for_a_requirement,
        second_run_for_a_date,
        duplicate_competitor_name_in_another_case,
        offering_without_service_or_name,
        offering_with_negative_price,
    ],
)
def test_database_rejects(prepare):
    write_bad_row = prepare()

    with pytest.raises(IntegrityError), transaction.atomic():
        write_bad_row()


# ------------------------------------------------------------------------------ validation


def test_service_name_taken_in_another_case_is_reported_on_the_name():
    ServiceFactory(name="Managed email")

    with pytest.raises(ValidationError) as error:
        Service(name="managed EMAIL").full_clean()

    assert error.value.message_dict == {"name": ["A service named “managed EMAIL” already exists."]}


def test_agreement_cannot_end_before_it_starts(agreement):
    agreement.start_date = datetime.date(2026, 1, 1)
    agreement.end_date = datetime.date(2025, 12, 31)

    with pytest.raises(ValidationError) as error:
        agreement.full_clean()

    assert error.value.message_dict == {
        "end_date": ["End date (31 Dec 2025) is before the start date (1 Jan 2026)."]
    }


def test_agreement_may_end_on_the_day_it_starts(agreement):
    agreement.end_date = agreement.start_date

    agreement.full_clean()


def test_agreement_value_cannot_be_negative(agreement):
    agreement.annual_value = Decimal("-100.00")

    with pytest.raises(ValidationError) as error:
        agreement.full_clean()

    assert error.value.message_dict == {
        "annual_value": ["Ensure this value is greater than or equal to 0."]
    }


def test_agreement_service_is_listed_once(agreement):
    existing = AgreementServiceFactory(agreement=agreement)

    with pytest.raises(ValidationError) as error:
        AgreementService(agreement=agreement, service=existing.service).full_clean()

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This service is already part of the agreement."]
    }


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ({}, {"skill": ["Choose a skill, a certification, or both."]}),
        ({"certification": "CCNA", "version": "2016"}, {"version": ["A version needs a skill."]}),
        (
            {"skill": "Exchange", "source": Requirement.Source.DERIVED},
            {"service": ["A derived requirement needs the service it comes from."]},
        ),
        (
            {"certification": "CCNA", "source": Requirement.Source.DERIVED, "service": True},
            {"skill": ["A derived requirement needs the skill the client runs."]},
        ),
        (
            {"skill": "Exchange", "min_technicians": 0},
            {"min_technicians": ["Ensure this value is greater than or equal to 1."]},
        ),
    ],
    ids=[
        "nothing required",
        "version without skill",
        "derived without service",
        "derived without skill",
        "no technician needed",
    ],
)
def test_requirement_validation(agreement, exchange_2016, requirement, expected):
    fields = dict(requirement)
    if fields.get("skill"):
        fields["skill"] = exchange_2016.skill
    if fields.get("version"):
        fields["version"] = exchange_2016
    if fields.get("certification"):
        fields["certification"] = CertificationFactory(name="CCNA")
    if fields.get("service"):
        fields["service"] = ServiceFactory()

    with pytest.raises(ValidationError) as error:
        Requirement(agreement=agreement, **fields).full_clean()

    assert error.value.message_dict == expected


def test_requirement_version_must_belong_to_its_skill(agreement, exchange_2016):
    windows_2019 = SkillVersionFactory(
        skill=SkillFactory(name="Windows Server"), label="2019", rank=19
    )

    with pytest.raises(ValidationError) as error:
        Requirement(
            agreement=agreement, skill=exchange_2016.skill, version=windows_2019
        ).full_clean()

    assert error.value.message_dict == {
        "version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }


@pytest.mark.parametrize("with_version", [True, False], ids=["with version", "without version"])
def test_an_agreement_derives_a_skill_and_version_once(agreement, exchange_2016, with_version):
    version = exchange_2016 if with_version else None
    derived_requirement(agreement, ServiceFactory(), exchange_2016.skill, version).save()

    with pytest.raises(ValidationError) as error:
        derived_requirement(agreement, ServiceFactory(), exchange_2016.skill, version).full_clean()

    message = "The agreement already requires this skill" + (" and version." if version else ".")
    assert error.value.message_dict == {NON_FIELD_ERRORS: [message]}


def test_manual_requirements_may_repeat_a_derived_one(agreement, exchange_2016):
    service = ServiceFactory()
    derived_requirement(agreement, service, exchange_2016.skill, exchange_2016).save()

    Requirement(
        agreement=agreement, skill=exchange_2016.skill, version=exchange_2016, service=service
    ).full_clean()


def test_requirement_reads_as_what_is_needed(agreement, exchange_2016):
    requirement = Requirement(
        agreement=agreement,
        skill=exchange_2016.skill,
        version=exchange_2016,
        certification=CertificationFactory(name="MCSA"),
        min_level=4,
    )

    assert str(requirement) == "Exchange 2016 at level 4+ and MCSA"


def test_requirement_needs_the_configured_number_of_technicians_by_default(agreement, settings):
    settings.COVERAGE_MIN_TECHNICIANS = 3

    assert Requirement(agreement=agreement).min_technicians == 3


def test_requirement_has_one_open_flag(agreement):
    requirement = RequirementFactory(agreement=agreement)
    CoverageFlagFactory(requirement=requirement)
    second = CoverageFlag(
        agreement=agreement,
        requirement=requirement,
        requirement_label="Exchange at level 3+",
        status=CoverageFlag.Status.AT_RISK,
        reason="Only Dana Ortiz qualifies (2 needed)",
        first_detected_at=timezone.now(),
        last_seen_at=timezone.now(),
    )

    with pytest.raises(ValidationError) as error:
        second.full_clean()

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This requirement already has an open flag."]
    }


def test_resolved_flags_do_not_block_a_new_open_flag(agreement):
    requirement = RequirementFactory(agreement=agreement)
    CoverageFlagFactory(requirement=requirement, resolved_at=timezone.now())
    CoverageFlagFactory(requirement=requirement, resolved_at=timezone.now())

    assert CoverageFlagFactory(requirement=requirement).is_open


def test_competitor_offering_needs_our_service_or_a_name():
    offering = CompetitorOffering(competitor=CompetitorFactory(), name="  ")

    with pytest.raises(ValidationError) as error:
        offering.full_clean()

    assert error.value.message_dict == {
        "name": ["Pick one of our services or type the offering's name."]
    }


def test_notice_date_is_notice_days_before_the_end_and_stored_on_save(agreement):
    agreement.end_date = datetime.date(2026, 12, 31)
    agreement.notice_days = 90
    agreement.save()

    assert Agreement.objects.get(pk=agreement.pk).notice_date == datetime.date(2026, 10, 2)


def test_notice_date_follows_a_save_of_some_fields_and_is_empty_when_evergreen(agreement):
    agreement.end_date = datetime.date(2027, 3, 31)
    agreement.save(update_fields=["end_date"])
    agreement.notice_days = 30
    agreement.save(update_fields=["notice_days"])
    assert Agreement.objects.get(pk=agreement.pk).notice_date == datetime.date(2027, 3, 1)

    agreement.end_date = None
    agreement.save(update_fields=["end_date"])
    assert Agreement.objects.get(pk=agreement.pk).notice_date is None


@pytest.mark.parametrize(
    ("status", "day", "active"),
    [
        (Agreement.Status.ACTIVE, datetime.date(2026, 1, 1), True),
        (Agreement.Status.ACTIVE, datetime.date(2025, 12, 31), False),
        (Agreement.Status.ACTIVE, datetime.date(2026, 12, 31), True),
        (Agreement.Status.ACTIVE, datetime.date(2027, 1, 1), False),
        (Agreement.Status.DRAFT, datetime.date(2026, 6, 1), False),
    ],
)
def test_agreement_is_active_between_its_dates_when_its_status_is_active(status, day, active):
    agreement = AgreementFactory(
        status=status, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31)
    )

    assert Agreement.objects.active_on(day).filter(pk=agreement.pk).exists() is active


def test_coverage_status_severity_orders_uncovered_worst():
    ordered = sorted(CoverageStatus, key=lambda status: status.severity)

    assert ordered == [
        CoverageStatus.NOT_ASSESSED,
        CoverageStatus.COVERED,
        CoverageStatus.AT_RISK,
        CoverageStatus.UNCOVERED,
    ]
    assert CoverageStatus.severity_of(None) < CoverageStatus.NOT_ASSESSED.severity


def test_worst_coverage_status_of_requirements():
    assert CoverageStatus.worst(["covered", "uncovered", "at_risk"]) == CoverageStatus.UNCOVERED
    assert CoverageStatus.worst(["covered", "at_risk"]) == CoverageStatus.AT_RISK
    assert CoverageStatus.worst([]) is None


def test_coverage_status_colours_and_flagging():
    assert [s.color for s in CoverageStatus] == ["success", "warning", "danger", "secondary"]
    assert [s for s in CoverageStatus if s.is_flagged] == [
        CoverageStatus.AT_RISK,
        CoverageStatus.UNCOVERED,
    ]


def test_notice_date_follows_a_queryset_update(agreement):
    Agreement.objects.filter(pk=agreement.pk).update(end_date=datetime.date(2027, 6, 30))

    assert Agreement.objects.get(pk=agreement.pk).notice_date == datetime.date(2027, 5, 1)
