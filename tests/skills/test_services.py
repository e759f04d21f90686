import datetime

import pytest
from django.core.exceptions import ValidationError

from skills.models import Technician, TechnicianSkill
from skills.services import (
    technician_certification_add,
    technician_create,
    technician_skill_remove,
    technician_skill_set,
    technician_update,
)
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
)

pytestmark = pytest.mark.django_db


def test_technician_create_records_an_active_technician():
    technician = technician_create(name="Dana Ortiz", email="dana@msp.example")

    assert technician.status == Technician.Status.ACTIVE
    assert Technician.objects.get(email="dana@msp.example") == technician


def test_technician_create_refuses_an_email_already_in_use():
    technician_create(name="Dana Ortiz", email="dana@msp.example")

    with pytest.raises(ValidationError) as error:
        technician_create(name="Dana O.", email="dana@msp.example")

    assert list(error.value.message_dict) == ["email"]


def test_technician_update_records_a_known_departure():
    technician = TechnicianFactory()

    technician_update(technician=technician, available_until=datetime.date(2026, 8, 31))

    technician.refresh_from_db()
    assert technician.available_until == datetime.date(2026, 8, 31)


def test_technician_update_validates_the_new_values():
    technician = TechnicianFactory()

    with pytest.raises(ValidationError) as error:
        technician_update(technician=technician, status="retired")

    assert list(error.value.message_dict) == ["status"]
    technician.refresh_from_db()
    assert technician.status == Technician.Status.ACTIVE


def test_technician_skill_set_creates_then_replaces_the_one_row_per_skill():
    technician = TechnicianFactory()
    skill = SkillFactory(name="Windows Server")
    version_2016 = SkillVersionFactory(skill=skill, label="2016", rank=16)

    technician_skill_set(technician=technician, skill=skill, level=2)
    technician_skill_set(technician=technician, skill=skill, level=4, oldest_version=version_2016)

    row = TechnicianSkill.objects.get(technician=technician, skill=skill)
    assert (row.level, row.oldest_version, row.newest_version) == (4, version_2016, None)
    assert row.history.count() == 2


def test_technician_skill_set_refuses_a_version_of_another_skill():
    exchange = SkillFactory(name="Exchange")
    windows_2019 = SkillVersionFactory(
        skill=SkillFactory(name="Windows Server"), label="2019", rank=19
    )

    with pytest.raises(ValidationError) as error:
        technician_skill_set(
            technician=TechnicianFactory(), skill=exchange, level=3, newest_version=windows_2019
        )

    assert error.value.message_dict == {
        "newest_version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }


def test_technician_skill_remove_deletes_the_row():
    technician_skill = technician_skill_set(
        technician=TechnicianFactory(), skill=SkillFactory(), level=3
    )

    technician_skill_remove(technician_skill=technician_skill)

    assert not TechnicianSkill.objects.exists()


def test_certification_expires_after_its_validity_by_default():
    certification = CertificationFactory(name="CCNA", validity_months=36)

    held = technician_certification_add(
        technician=TechnicianFactory(),
        certification=certification,
        earned_on=datetime.date(2024, 2, 29),
    )

    assert held.expires_on == datetime.date(2027, 2, 28)


def test_certification_without_validity_never_expires():
    held = technician_certification_add(
        technician=TechnicianFactory(),
        certification=CertificationFactory(validity_months=None),
        earned_on=datetime.date(2024, 1, 15),
    )

    assert held.expires_on is None


def test_certification_keeps_an_explicit_expiry_date():
    held = technician_certification_add(
        technician=TechnicianFactory(),
        certification=CertificationFactory(validity_months=36),
        earned_on=datetime.date(2024, 1, 15),
        expires_on=datetime.date(2025, 1, 15),
        credential_id="MS-123",
    )

    held.refresh_from_db()
    assert (held.expires_on, held.credential_id) == (datetime.date(2025, 1, 15), "MS-123")
