"""The catalog's lifecycle data: a dated snapshot of public end-of-support dates and successors,
loaded into the versions only when it is newer than the one loaded last."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agreements.service_catalog import load_catalog
from skills.lifecycle import (
    SHIPPED_SNAPSHOT,
    LifecycleFileError,
    lifecycle_snapshot_load,
    lifecycle_snapshot_read,
)
from skills.models import LifecycleSnapshot, SkillVersion
from skills.skill_catalog import SKILLS


def version(skill, label):
    return SkillVersion.objects.select_related("successor").get(skill__name=skill, label=label)


def write_snapshot(tmp_path, **changes):
    """The shipped snapshot with `changes` applied to its top-level keys, as a new file."""
    data = json.loads(SHIPPED_SNAPSHOT.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "lifecycle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def newer_windows_server(tmp_path):
    """A later snapshot: Windows Server 2016 extended, 2025's successor a new 2028."""
    return write_snapshot(
        tmp_path,
        taken_on="2027-03-01",
        source="endoflife.date, product pages as published on 1 Mar 2027",
        products=[
            {
                "skill": "Windows Server",
                "versions": [
                    {"label": "2016", "end_of_support": "2027-07-13", "successor": "2022"},
                    {"label": "2025", "end_of_support": "2034-11-14", "successor": "2028"},
                    {"label": "2028", "end_of_support": None},
                ],
            },
            {"skill": "OpenVMS", "versions": [{"label": "9.2", "end_of_support": None}]},
        ],
    )


def test_the_shipped_file_names_its_source_and_day_and_only_catalog_products():
    snapshot = lifecycle_snapshot_read()

    assert "endoflife.date" in snapshot.source
    assert snapshot.taken_on == datetime.date(2026, 8, 22)
    catalog = {entry.name: set(entry.versions) for entry in SKILLS}
    for product in snapshot.products:
        assert {entry.label for entry in product.versions} == catalog[product.skill], product.skill


@pytest.mark.django_db
class TestShippedSnapshot:
    def test_the_catalog_load_sets_dates_and_successors_and_records_the_snapshot(self):
        report = load_catalog()

        server_2016 = version("Windows Server", "2016")
        assert server_2016.end_of_support == datetime.date(2027, 1, 12)
        assert server_2016.successor == version("Windows Server", "2019")
        assert version("Exchange Server", "2016").successor.label == "SE"
        assert version("Ubuntu Server", "22.04 LTS").end_of_support == datetime.date(2027, 4, 1)
        assert version("Windows Server", "2025").successor is None
        assert version("Cisco IOS", "XE 17").end_of_support is None

        record, quickbooks = LifecycleSnapshot.objects.order_by("-pk")
        assert record.taken_on == quickbooks.taken_on == datetime.date(2026, 8, 22)
        assert record.source.startswith("endoflife.date")
        dated = SkillVersion.objects.exclude(end_of_support=None, successor=None)
        assert record.versions_updated == dated.exclude(skill__name="QuickBooks Desktop").count()
        assert record.versions_updated > 30
        # QuickBooks is not on endoflife.date: its line names its own source.
        assert quickbooks.source.startswith("Intuit, QuickBooks Desktop service discontinuation")
        assert [skill.name for skill in quickbooks.skills.all()] == ["QuickBooks Desktop"]
        assert quickbooks.versions_updated == 4
        assert "lifecycle data of 22 Aug 2026 loaded" in str(report)

    def test_loading_the_same_snapshot_again_changes_nothing(self):
        load_catalog()
        server_2016 = version("Windows Server", "2016")
        server_2016.end_of_support = datetime.date(2027, 2, 1)
        server_2016.save()

        report = load_catalog()

        assert LifecycleSnapshot.objects.count() == 2  # endoflife.date's line and Intuit's
        assert version("Windows Server", "2016").end_of_support == datetime.date(2027, 2, 1)
        assert "not newer than what is loaded, nothing changed" in str(report)


@pytest.mark.django_db
class TestNewerSnapshot:
    def test_a_newer_file_updates_existing_versions_and_appends_new_ones(self, tmp_path):
        load_catalog()
        before = SkillVersion.objects.count()

        out = StringIO()
        call_command("load_catalog", lifecycle=str(newer_windows_server(tmp_path)), stdout=out)

        server_2016 = version("Windows Server", "2016")
        assert server_2016.end_of_support == datetime.date(2027, 7, 13)
        assert server_2016.successor.label == "2022"
        server_2028 = version("Windows Server", "2028")
        assert server_2028.rank > version("Windows Server", "2025").rank
        assert version("Windows Server", "2025").successor == server_2028
        assert SkillVersion.objects.count() == before + 1
        # versions the newer file does not list keep what the shipped one gave them
        assert version("Windows Server", "2019").end_of_support == datetime.date(2029, 1, 9)
        assert LifecycleSnapshot.objects.latest().versions_updated == 3
        assert "lifecycle data of 1 Mar 2027 loaded, 3 versions updated" in out.getvalue()
        assert "not in the catalog, skipped: OpenVMS" in out.getvalue()

    def test_an_older_file_changes_nothing(self, tmp_path):
        load_catalog()
        path = write_snapshot(
            tmp_path,
            taken_on="2025-01-01",
            products=[
                {
                    "skill": "Windows Server",
                    "versions": [{"label": "2016", "end_of_support": "2026-01-13"}],
                }
            ],
        )

        load_catalog(lifecycle=path)

        assert version("Windows Server", "2016").end_of_support == datetime.date(2027, 1, 12)
        assert LifecycleSnapshot.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({"source": "x", "products": []}), "“taken_on” is missing"),
        (json.dumps({"source": "x", "taken_on": "22/08/2026", "products": []}), "YYYY-MM-DD"),
        (json.dumps({"source": "x", "taken_on": "2027-01-01", "products": []}), "non-empty list"),
        (
            json.dumps(
                {
                    "source": "x",
                    "taken_on": "2027-01-01",
                    "products": [
                        {
                            "skill": "Windows Server",
                            "versions": [
                                {"label": "2016", "end_of_support": None, "successor": "2031"}
                            ],
                        }
                    ],
                }
            ),
            "Windows Server 2016: the successor “2031” is neither listed for Windows Server",
        ),
        (
            json.dumps(
                {
                    "source": "x",
                    "taken_on": "2027-01-01",
                    "products": [
                        {
                            "skill": "Windows Server",
                            "versions": [{"label": "2016", "end_of_support": "soon"}],
                        }
                    ],
                }
            ),
            "Windows Server 2016: “end_of_support” must be a date",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_loaded(tmp_path, content, message):
    path = tmp_path / "lifecycle.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        call_command("load_catalog", lifecycle=str(path), stdout=StringIO())

    assert not SkillVersion.objects.exists()
    assert not LifecycleSnapshot.objects.exists()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LifecycleFileError, match="nowhere.json cannot be read"):
        lifecycle_snapshot_read(tmp_path / "nowhere.json")


@pytest.mark.django_db
def test_a_snapshot_loaded_into_an_empty_catalog_skips_every_product():
    load = lifecycle_snapshot_load(lifecycle_snapshot_read())

    assert load.record.versions_updated == 0
    assert "Windows Server" in load.skipped_skills
