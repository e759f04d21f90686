"""Snapshots loaded before recency was judged per product are recorded as having written every
product that has a date or a successor, so loading the same data again still changes nothing."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.skills.factories import SkillFactory, SkillVersionFactory

BEFORE = [("skills", "0012_team_time_permissions")]
AFTER = [("skills", "0014_lifecycle_snapshots_name_their_products")]


def migrated_apps(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_an_earlier_snapshot_names_the_products_with_dates_or_successors(back_to_latest):
    dated = SkillFactory(name="Windows Server")
    SkillVersionFactory(skill=dated, label="2016", rank=10)
    undated = SkillFactory(name="Dentrix")
    old_apps = migrated_apps(BEFORE)
    versions = old_apps.get_model("skills", "SkillVersion").objects
    versions.filter(skill_id=dated.pk).update(end_of_support=datetime.date(2027, 1, 12))
    versions.create(skill_id=undated.pk, label="G7", rank=10)
    old_apps.get_model("skills", "LifecycleSnapshot").objects.create(
        source="endoflife.date, 22 Aug 2026", taken_on=datetime.date(2026, 8, 22)
    )

    new_apps = migrated_apps(AFTER)

    snapshot = new_apps.get_model("skills", "LifecycleSnapshot").objects.get()
    assert [skill.name for skill in snapshot.skills.all()] == ["Windows Server"]
