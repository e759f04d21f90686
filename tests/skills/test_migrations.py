import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import m2m_changed, post_delete, post_save
from factory.django import mute_signals

BEFORE = [("skills", "0012_team_time_permissions")]
AFTER = [("skills", "0013_technicianskill_assessed_on")]


def migrated_apps(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_latest():
    with mute_signals(post_save, post_delete, m2m_changed):
        yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def moment(day):
    return datetime.datetime.combine(day, datetime.time(10), datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_existing_skills_were_assessed_when_they_last_changed(back_to_latest):
    old_apps = migrated_apps(BEFORE)
    category = old_apps.get_model("skills", "SkillCategory").objects.create(name="Servers")
    skill_model = old_apps.get_model("skills", "Skill")
    exchange = skill_model.objects.create(name="Exchange Server", category=category)
    intune = skill_model.objects.create(name="Intune", category=category)
    technician = old_apps.get_model("skills", "Technician").objects.create(
        name="Jade Okafor", email="jade@msp.example", time_zone="Europe/London"
    )
    technician_skill = old_apps.get_model("skills", "TechnicianSkill")
    changed = technician_skill.objects.create(technician=technician, skill=exchange, level=3)
    never_recorded = technician_skill.objects.create(technician=technician, skill=intune, level=2)
    technician_skill.objects.filter(pk=never_recorded.pk).update(
        created_at=moment(datetime.date(2024, 2, 3))
    )
    history = old_apps.get_model("skills", "HistoricalTechnicianSkill")
    for day, level in [(datetime.date(2024, 5, 1), 2), (datetime.date(2025, 3, 14), 3)]:
        history.objects.create(
            id=changed.pk,
            technician_id=technician.pk,
            skill_id=exchange.pk,
            level=level,
            created_at=moment(datetime.date(2024, 5, 1)),
            updated_at=moment(day),
            history_date=moment(day),
            history_type="~",
        )

    new_apps = migrated_apps(AFTER)

    assessed = dict(
        new_apps.get_model("skills", "TechnicianSkill").objects.values_list("pk", "assessed_on")
    )
    assert assessed == {
        changed.pk: datetime.date(2025, 3, 14),
        never_recorded.pk: datetime.date(2024, 2, 3),
    }
    records = new_apps.get_model("skills", "HistoricalTechnicianSkill").objects.order_by(
        "history_date"
    )
    assert [record.assessed_on for record in records] == [
        datetime.date(2024, 5, 1),
        datetime.date(2025, 3, 14),
    ]
