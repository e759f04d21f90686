import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value

from skills.models import (
    Skill,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows_server():
    return SkillFactory(name="Windows Server")


# Each case prepares valid rows, then returns the write that breaks a constraint.


def duplicate_category_name():
    SkillCategory.objects.create(name="Networking")
    return lambda: SkillCategory.objects.create(name="Networking")


def duplicate_skill_name_in_another_case():
    SkillFactory(name="Exchange")
    return lambda: SkillFactory(name="EXCHANGE")


def duplicate_version_rank():
    version = SkillVersionFactory(label="2016", rank=16)
    return lambda: SkillVersionFactory(skill=version.skill, label="2016 CU23", rank=16)


def duplicate_version_label():
    version = SkillVersionFactory(label="2016", rank=16)
    return lambda: SkillVersionFactory(skill=version.skill, label="2016", rank=17)


def duplicate_technician_email():
    TechnicianFactory(email="dana@msp.example")
    return lambda: TechnicianFactory(email="dana@msp.example")


def second_row_for_the_same_skill():
    existing = TechnicianSkillFactory()
    return lambda: TechnicianSkillFactory(technician=existing.technician, skill=existing.skill)


def level_above_5():
    technician, skill = TechnicianFactory(), SkillFactory()
    return lambda: TechnicianSkillFactory(technician=technician, skill=skill, level=6)


def level_0():
    technician, skill = TechnicianFactory(), SkillFactory()
    return lambda: TechnicianSkillFactory(technician=technician, skill=skill, level=0)


def duplicate_certification_name_in_another_case():
    CertificationFactory(name="CompTIA A+")
    return lambda: CertificationFactory(name="comptia a+")


def certification_held_twice():
    held = TechnicianCertificationFactory()
    return lambda: TechnicianCertificationFactory(
        technician=held.technician, certification=held.certification
    )


def certification_expiring_before_earned():
    technician, certification = TechnicianFactory(), CertificationFactory()
    return lambda: TechnicianCertificationFactory(
        technician=technician,
        certification=certification,
        earned_on=datetime.date(2024, 1, 15),
        expires_on=datetime.date(2024, 1, 14),
    )


def goal_without_skill_or_certification():
    technician = TechnicianFactory()
    return lambda: TrainingGoalFactory(technician=technician, skill=None, target_level=None)


def skill_goal_without_level():
    technician, skill = TechnicianFactory(), SkillFactory()
    return lambda: TrainingGoalFactory(technician=technician, skill=skill, target_level=None)


def goal_level_above_5():
    technician, skill = TechnicianFactory(), SkillFactory()
    return lambda: TrainingGoalFactory(technician=technician, skill=skill, target_level=6)


def goal_with_negative_cost():
    technician, skill = TechnicianFactory(), SkillFactory()
    return lambda: TrainingGoalFactory(technician=technician, skill=skill, cost=Decimal("-1"))


@pytest.mark.parametrize(
    "prepare",
    [
        duplicate_category_name,
        duplicate_skill_name_in_another_case,
        duplicate_version_rank,
        duplicate_version_label,
        duplicate_technician_email,
        second_row_for_the_same_skill,
        level_above_5,
        level_0,
        duplicate_certification_name_in_another_case,
        certification_held_twice,
        certification_expiring_before_earned,
        goal_without_skill_or_certification,
        skill_goal_without_level,
        goal_level_above_5,
        goal_with_negative_cost,
    ],
)
def test_database_rejects(prepare):
    write_bad_row = prepare()

    with pytest.raises(IntegrityError), transaction.atomic():
        write_bad_row()


# ------------------------------------------------------------------------------ validation


def test_skill_name_taken_in_another_case_is_reported_on_the_name(exchange):
    skill = Skill(name="EXCHANGE", category=exchange.category)

    with pytest.raises(ValidationError) as error:
        skill.full_clean()

    assert error.value.message_dict == {"name": ["A skill named “EXCHANGE” already exists."]}


def test_skill_keeps_its_own_name_when_saved_again(exchange):
    exchange.full_clean()


@pytest.mark.parametrize(
    ("label", "rank", "message"),
    [
        ("2016 CU23", 16, "Another version of this skill has the same rank."),
        ("2016", 17, "This skill already has a version with this label."),
    ],
    ids=["rank", "label"],
)
def test_version_rank_and_label_are_unique_per_skill(exchange, label, rank, message):
    SkillVersionFactory(skill=exchange, label="2016", rank=16)

    with pytest.raises(ValidationError) as error:
        SkillVersion(skill=exchange, label=label, rank=rank).full_clean()

    assert error.value.message_dict == {NON_FIELD_ERRORS: [message]}


def test_same_version_label_is_fine_for_another_skill(exchange, windows_server):
    SkillVersionFactory(skill=exchange, label="2016", rank=16)

    SkillVersion(skill=windows_server, label="2016", rank=16).full_clean()


def test_technician_email_is_unique():
    TechnicianFactory(email="dana@msp.example")

    with pytest.raises(ValidationError) as error:
        Technician(name="Dana Ortiz", email="dana@msp.example").full_clean()

    assert list(error.value.message_dict) == ["email"]


@pytest.mark.parametrize("field", ["oldest_version", "newest_version"])
def test_technician_skill_version_must_belong_to_the_skill(exchange, windows_server, field):
    windows_2019 = SkillVersionFactory(skill=windows_server, label="2019", rank=19)
    technician_skill = TechnicianSkill(
        technician=TechnicianFactory(), skill=exchange, level=3, **{field: windows_2019}
    )

    with pytest.raises(ValidationError) as error:
        technician_skill.full_clean()

    assert error.value.message_dict == {
        field: ["Version 2019 belongs to Windows Server, not Exchange."]
    }


def test_technician_skill_newest_version_cannot_be_older_than_oldest(windows_server):
    technician_skill = TechnicianSkill(
        technician=TechnicianFactory(),
        skill=windows_server,
        level=3,
        oldest_version=SkillVersionFactory(skill=windows_server, label="2019", rank=19),
        newest_version=SkillVersionFactory(skill=windows_server, label="2016", rank=16),
    )

    with pytest.raises(ValidationError) as error:
        technician_skill.full_clean()

    assert error.value.message_dict == {
        "newest_version": ["Newest version (2016) is older than oldest version (2019)."]
    }


def test_technician_skill_single_version_range_is_valid(windows_server):
    version_2019 = SkillVersionFactory(skill=windows_server, label="2019", rank=19)

    TechnicianSkill(
        technician=TechnicianFactory(),
        skill=windows_server,
        level=3,
        oldest_version=version_2019,
        newest_version=version_2019,
    ).full_clean()


@pytest.mark.parametrize("level", [0, 6])
def test_technician_skill_level_is_between_1_and_5(exchange, level):
    with pytest.raises(ValidationError) as error:
        TechnicianSkill(technician=TechnicianFactory(), skill=exchange, level=level).full_clean()

    assert list(error.value.message_dict) == ["level"]


def test_technician_has_one_row_per_skill(exchange):
    existing = TechnicianSkillFactory(skill=exchange)

    with pytest.raises(ValidationError) as error:
        TechnicianSkill(technician=existing.technician, skill=exchange, level=4).full_clean()

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This technician already has this skill."]
    }


def test_certification_name_taken_in_another_case_is_reported_on_the_name():
    CertificationFactory(name="CompTIA A+")

    with pytest.raises(ValidationError) as error:
        CertificationFactory.build(name="COMPTIA A+").full_clean()

    assert error.value.message_dict == {
        "name": ["A certification named “COMPTIA A+” already exists."]
    }


def test_certification_cannot_expire_before_it_was_earned():
    held = TechnicianCertification(
        technician=TechnicianFactory(),
        certification=CertificationFactory(),
        earned_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2025, 12, 31),
    )

    with pytest.raises(ValidationError) as error:
        held.full_clean()

    assert error.value.message_dict == {
        "expires_on": ["Expiry date (31 Dec 2025) is before the date earned (1 Jan 2026)."]
    }


def test_certification_is_held_once_per_technician():
    existing = TechnicianCertificationFactory()
    again = TechnicianCertification(
        technician=existing.technician,
        certification=existing.certification,
        earned_on=datetime.date(2026, 1, 1),
    )

    with pytest.raises(ValidationError) as error:
        again.full_clean()

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This technician already holds this certification."]
    }


def test_certification_expiry_is_filled_in_from_its_validity():
    held = TechnicianCertification(
        technician=TechnicianFactory(),
        certification=CertificationFactory(validity_months=12),
        earned_on=datetime.date(2025, 1, 31),
    )

    held.full_clean()

    assert held.expires_on == datetime.date(2026, 1, 31)


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        (
            {"skill": None, "target_level": None},
            {"skill": ["Choose a skill, a certification, or both."]},
        ),
        ({"target_level": None}, {"target_level": ["A skill goal needs a target level."]}),
        (
            {"cost": Decimal("-50.00")},
            {"cost": ["Ensure this value is greater than or equal to 0."]},
        ),
    ],
    ids=["nothing to learn", "skill without level", "negative cost"],
)
def test_training_goal_validation(exchange, goal, expected):
    fields = {"skill": exchange, "target_level": 3, **goal}
    training_goal = TrainingGoal(
        technician=TechnicianFactory(), due_date=datetime.date(2026, 9, 30), **fields
    )

    with pytest.raises(ValidationError) as error:
        training_goal.full_clean()

    assert error.value.message_dict == expected


def test_training_goal_target_version_must_belong_to_the_skill(exchange, windows_server):
    training_goal = TrainingGoal(
        technician=TechnicianFactory(),
        skill=exchange,
        target_level=3,
        target_version=SkillVersionFactory(skill=windows_server, label="2019", rank=19),
        due_date=datetime.date(2026, 9, 30),
    )

    with pytest.raises(ValidationError) as error:
        training_goal.full_clean()

    assert error.value.message_dict == {
        "target_version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }


def test_certification_only_training_goal_is_valid():
    TrainingGoal(
        technician=TechnicianFactory(),
        certification=CertificationFactory(),
        due_date=datetime.date(2026, 9, 30),
    ).full_clean()


# ------------------------------------------------------------------------------ behaviour


@pytest.mark.parametrize(
    ("oldest", "newest", "version", "covered"),
    [
        (None, None, 12, True),
        (16, None, 12, False),
        (16, None, 19, True),
        (None, 19, 22, False),
        (16, 19, 16, True),
        (16, 19, 19, True),
        (16, 19, 22, False),
    ],
)
def test_technician_skill_covers_versions_within_its_range(
    windows_server, oldest, newest, version, covered
):
    versions = {
        rank: SkillVersionFactory(skill=windows_server, label=str(2000 + rank), rank=rank)
        for rank in (12, 16, 19, 22)
    }
    technician_skill = TechnicianSkill(
        skill=windows_server,
        level=3,
        oldest_version=versions.get(oldest),
        newest_version=versions.get(newest),
    )

    assert technician_skill.covers_version(versions[version]) is covered


@pytest.mark.parametrize(
    ("oldest", "newest", "version", "level", "met"),
    [
        (None, None, None, 3, True),
        (16, 19, None, 3, True),  # no version asked: any range meets it
        (None, None, 12, 3, True),
        (16, None, 12, 3, False),
        (16, None, 19, 3, True),
        (None, 19, 22, 3, False),
        (16, 19, 16, 3, True),
        (16, 19, 19, 3, True),
        (16, 19, 22, 3, False),
        (None, None, None, 4, False),
    ],
)
def test_technician_skills_meeting_a_requirement_in_sql_agree_with_covers_version(
    windows_server, oldest, newest, version, level, met
):
    versions = {
        rank: SkillVersionFactory(skill=windows_server, label=str(2000 + rank), rank=rank)
        for rank in (12, 16, 19, 22)
    }
    technician_skill = TechnicianSkillFactory(
        skill=windows_server,
        level=3,
        oldest_version=versions.get(oldest),
        newest_version=versions.get(newest),
    )

    meeting = TechnicianSkill.objects.meeting(min_level=level, version_rank=Value(version))

    assert meeting.contains(technician_skill) is met


# ------------------------------------------------------------------------------ availability

AVAILABILITY_DAY = datetime.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("status", "available_until", "available"),
    [
        (Technician.Status.ACTIVE, None, True),
        (Technician.Status.ACTIVE, AVAILABILITY_DAY + datetime.timedelta(days=1), True),
        (Technician.Status.ACTIVE, AVAILABILITY_DAY, True),  # their last working day
        (Technician.Status.ACTIVE, AVAILABILITY_DAY - datetime.timedelta(days=1), False),
        (Technician.Status.ON_LEAVE, None, False),
        (Technician.Status.DEPARTED, None, False),
    ],
    ids=["no-end", "last-day-tomorrow", "last-day-today", "last-day-yesterday", "leave", "gone"],
)
def test_available_on_counts_the_last_working_day(status, available_until, available):
    technician = TechnicianFactory(status=status, available_until=available_until)

    assert Technician.objects.available_on(AVAILABILITY_DAY).contains(technician) is available


@pytest.mark.django_db
def test_a_version_ended_on_an_unknown_day_has_no_date():
    version = SkillVersionFactory(end_of_support=datetime.date(2027, 1, 12))
    version.end_of_support_unknown = True

    with pytest.raises(ValidationError) as refused:
        version.full_clean()
    assert refused.value.message_dict["end_of_support_unknown"] == [
        "Either give the end-of-support date or say it ended on an unknown date, not both."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()
