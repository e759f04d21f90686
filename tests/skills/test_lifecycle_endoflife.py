"""Lifecycle data in endoflife.date's own formats (DESIGN "Live data", last point): its API v1
JSON and its product files' front matter, read through the mapping of our version labels to its
release cycles, with recency judged per product. The fixtures in tests/skills/endoflife/ are
extracts of its published data; SOURCES.md there names each one's source and date."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agreements.service_catalog import load_catalog
from skills.lifecycle import lifecycle_snapshot_read
from skills.models import LifecycleSnapshot, SkillVersion
from skills.selectors import support_state
from tests.skills.factories import SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "endoflife"
UBUNTU_API = FIXTURES / "ubuntu-api-v1.json"
WINDOWS_SERVER = FIXTURES / "windows-server.md"
SQL_SERVER = FIXTURES / "mssqlserver.md"
MACOS = FIXTURES / "macos.md"
SONARQUBE = FIXTURES / "sonarqube.md"
SHIPPED_DAY = datetime.date(2026, 8, 22)  # skills/data/lifecycle.json


def load(path, **options):
    out = StringIO()
    call_command("load_catalog", lifecycle=str(path), stdout=out, **options)
    return out.getvalue()


def versions_of(skill):
    return {
        version.label: version
        for version in SkillVersion.objects.filter(skill__name=skill).order_by("rank")
    }


@pytest.fixture
def catalog():
    """The starter catalog with the shipped snapshot of 22 Aug 2026."""
    load_catalog()


def test_the_api_json_is_dated_by_generated_at_and_names_its_product():
    snapshot = lifecycle_snapshot_read(UBUNTU_API)

    assert snapshot.taken_on == datetime.date(2026, 9, 14)
    assert snapshot.source == "endoflife.date API v1 (ubuntu)"
    (product,) = snapshot.products
    assert product.skill == "Ubuntu Server"
    assert [version.label for version in product.versions] == [
        "26.04 LTS",
        "25.10",
        "24.04 LTS",
        "22.04 LTS",
        "20.04 LTS",
    ]


def test_ubuntu_from_the_api_updates_the_lts_versions_without_adding_its_cycles(catalog):
    before = versions_of("Ubuntu Server")
    SkillVersion.objects.filter(pk=before["22.04 LTS"].pk).update(end_of_support=None)

    out = load(UBUNTU_API)

    after = versions_of("Ubuntu Server")
    assert list(after) == list(before)  # no "22.04" beside "22.04 LTS", no "25.10"
    assert after["22.04 LTS"].end_of_support == datetime.date(2027, 4, 1)
    assert after["20.04 LTS"].end_of_support == datetime.date(2025, 5, 31)
    assert after["26.04 LTS"].successor is None
    assert after["24.04 LTS"].successor == after["26.04 LTS"]  # the API names none: kept
    record = LifecycleSnapshot.objects.latest()
    assert record.taken_on == datetime.date(2026, 9, 14)
    assert record.source == "endoflife.date API v1 (ubuntu)"
    assert [skill.name for skill in record.skills.all()] == ["Ubuntu Server"]
    assert record.versions_updated == 1
    assert "lifecycle data of 14 Sep 2026 loaded, 1 versions updated" in out
    assert "Ubuntu Server: release cycles that match no version, left out: 25.10" in out


def test_windows_server_from_its_product_file_maps_2012_r2_and_moves_a_date(catalog):
    before = versions_of("Windows Server")
    assert before["2025"].end_of_support == datetime.date(2034, 11, 14)

    out = load(WINDOWS_SERVER, taken_on="2026-09-01")

    after = versions_of("Windows Server")
    assert list(after) == list(before)  # "2012-r2" is our "2012 R2"
    assert after["2025"].end_of_support == datetime.date(2034, 10, 10)
    assert after["2012 R2"].end_of_support == datetime.date(2023, 10, 10)
    assert after["2016"].successor == after["2019"]
    record = LifecycleSnapshot.objects.latest()
    assert record.source == "endoflife.date product file “windows-server”"
    assert record.versions_updated == 1
    assert "left out: 23h2-ac, 2012" in out


def test_sql_server_release_numbers_map_to_our_years(catalog):
    SkillVersion.objects.filter(skill__name="Microsoft SQL Server").update(end_of_support=None)
    count = SkillVersion.objects.count()

    load(SQL_SERVER, taken_on="2026-09-01")

    after = versions_of("Microsoft SQL Server")
    assert SkillVersion.objects.count() == count
    assert {label: version.end_of_support for label, version in after.items()} == {
        "2016": datetime.date(2026, 7, 14),  # 13.0-sp3
        "2017": datetime.date(2027, 10, 12),  # 14.0
        "2019": datetime.date(2030, 1, 8),  # 15.0
        "2022": datetime.date(2033, 1, 11),  # 16.0
        "2025": datetime.date(2036, 1, 6),  # 17.0
    }


def test_eol_false_is_supported_without_an_end(catalog):
    ventura = versions_of("macOS")["13 Ventura"]
    SkillVersion.objects.filter(pk=ventura.pk).update(end_of_support=None)

    load(MACOS, taken_on="2026-09-01")

    after = versions_of("macOS")
    assert (after["14 Sonoma"].end_of_support, after["14 Sonoma"].end_of_support_unknown) == (
        None,
        False,
    )
    assert not after["14 Sonoma"].out_of_support_on(datetime.date(2026, 9, 1))
    assert after["13 Ventura"].end_of_support == datetime.date(2025, 9, 15)


@pytest.fixture
def sonarqube():
    skill = SkillFactory(name="SonarQube")
    for rank, label in enumerate(["8", "9", "10", "2025"], start=1):
        SkillVersionFactory(skill=skill, label=label, rank=rank * 10)
    return skill


def test_eol_true_is_a_version_ended_on_an_unknown_day_and_out_of_support(sonarqube):
    load(SONARQUBE, taken_on="2026-09-01")

    after = versions_of("SonarQube")
    assert (after["10"].end_of_support, after["10"].end_of_support_unknown) == (None, True)
    assert (after["2025"].end_of_support, after["2025"].end_of_support_unknown) == (None, False)
    assert after["8"].end_of_support == datetime.date(2023, 2, 7)
    day = datetime.date(2026, 9, 1)
    assert after["10"].out_of_support_on(day)
    assert not after["10"].supported_after(day)
    assert set(SkillVersion.objects.out_of_support_on(day).values_list("label", flat=True)) == {
        "8",
        "9",
        "10",
    }
    states = dict(
        SkillVersion.objects.filter(skill=sonarqube)
        .annotate(state=support_state(day=day))
        .values_list("label", "state")
    )
    assert states == {"8": "ended", "9": "ended", "10": "ended", "2025": ""}


def test_a_version_ended_on_an_unknown_day_shows_so_on_its_product_page(
    sonarqube, consultant_client
):
    load(SONARQUBE, taken_on="2026-09-01")

    page = consultant_client.get(reverse("skills:skill_detail", args=[sonarqube.pk]))

    html = page.content.decode()
    assert '<span class="badge text-bg-danger">Ended, date unknown</span>' in html
    assert "End of support: endoflife.date product file “sonarqube”; data of 1 Sep 2026." in html


def test_a_known_date_replaces_an_unknown_end_in_a_newer_file(sonarqube, tmp_path):
    load(SONARQUBE, taken_on="2026-09-01")
    corrected = tmp_path / "sonarqube.md"
    corrected.write_text(
        SONARQUBE.read_text(encoding="utf-8").replace(
            'releaseCycle: "10"\n    releaseDate: 2023-03-30\n    eoas: 2025-03-31\n    eol: true',
            'releaseCycle: "10"\n    releaseDate: 2023-03-30\n    eoas: 2025-03-31\n'
            "    eol: 2025-07-01",
        ),
        encoding="utf-8",
    )

    load(corrected, taken_on="2026-10-01")

    ten = versions_of("SonarQube")["10"]
    assert (ten.end_of_support, ten.end_of_support_unknown) == (datetime.date(2025, 7, 1), False)
    assert LifecycleSnapshot.objects.count() == 2  # the correction is its own snapshot


def test_an_older_snapshot_of_a_product_changes_nothing_and_says_so(catalog):
    out = load(WINDOWS_SERVER, taken_on="2026-08-01")

    assert versions_of("Windows Server")["2025"].end_of_support == datetime.date(2034, 11, 14)
    assert LifecycleSnapshot.objects.count() == 2
    assert "not newer than what is loaded, nothing changed (Windows Server)" in out


def test_the_same_api_file_twice_changes_nothing_the_second_time(catalog):
    load(UBUNTU_API)
    version = versions_of("Ubuntu Server")["22.04 LTS"]
    SkillVersion.objects.filter(pk=version.pk).update(end_of_support=datetime.date(2027, 5, 1))

    out = load(UBUNTU_API)

    assert versions_of("Ubuntu Server")["22.04 LTS"].end_of_support == datetime.date(2027, 5, 1)
    assert LifecycleSnapshot.objects.count() == 3
    assert "nothing changed (Ubuntu Server)" in out


def test_a_one_product_file_does_not_block_another_products_later_load(catalog):
    load(UBUNTU_API)  # 14 Sep 2026, Ubuntu only

    load(WINDOWS_SERVER, taken_on="2026-09-01")  # older than Ubuntu's, newer for Windows Server

    assert versions_of("Windows Server")["2025"].end_of_support == datetime.date(2034, 10, 10)
    assert LifecycleSnapshot.objects.count() == 4


def test_the_shipped_snapshot_again_leaves_a_newer_product_alone(catalog):
    load(WINDOWS_SERVER, taken_on="2026-09-01")

    out = load(Path("skills/data/lifecycle.json").resolve())

    assert versions_of("Windows Server")["2025"].end_of_support == datetime.date(2034, 10, 10)
    assert "not newer than what is loaded, nothing changed" in out


def test_quickbooks_keeps_its_own_named_source(catalog):
    load(UBUNTU_API)

    quickbooks = LifecycleSnapshot.objects.filter(skills__name="QuickBooks Desktop").get()
    assert quickbooks.taken_on == SHIPPED_DAY
    assert quickbooks.source.startswith("Intuit, QuickBooks Desktop service discontinuation")
    assert versions_of("QuickBooks Desktop")["2024"].end_of_support == datetime.date(2027, 5, 31)


# ------------------------------------------------------------------------------ bad files


def without_line(path, tmp_path, old, new):
    changed = tmp_path / path.name
    text = path.read_text(encoding="utf-8")
    assert old in text
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    return changed


@pytest.mark.parametrize(
    ("fixture", "old", "new", "options", "message"),
    [
        (
            WINDOWS_SERVER,
            "eol: 2031-10-14",
            "eol: soon",
            {"taken_on": "2026-09-01"},
            "windows-server.md, product “windows-server”, release 3 \\(“2022”\\): “eol” must "
            "be a date written YYYY-MM-DD, true \\(ended, date unknown\\) or false",
        ),
        (WINDOWS_SERVER, "", "", {}, "give it with --taken-on YYYY-MM-DD"),
        (
            WINDOWS_SERVER,
            '  - releaseCycle: "2019"',
            "  - releaseCycle: 10.10",
            {"taken_on": "2026-09-01"},
            "release 4: “releaseCycle” must be a text",
        ),
        (
            WINDOWS_SERVER,
            "    eol: 2029-01-09\n",
            "",
            {"taken_on": "2026-09-01"},
            "release 4 \\(“2019”\\): “eol” is missing",
        ),
        (
            WINDOWS_SERVER,
            "releases:\n",
            "releases: [\n",
            {"taken_on": "2026-09-01"},
            "the front matter is not valid YAML \\(line",
        ),
        (
            UBUNTU_API,
            '"isEol": false, "eolFrom": "2027-04-01"',
            '"isEol": "no", "eolFrom": "2027-04-01"',
            {},
            "ubuntu-api-v1.json, product “ubuntu”, release 4 \\(“22.04”\\): “isEol” must be "
            "true or false",
        ),
        (
            UBUNTU_API,
            '"eolFrom": "2029-05-31"',
            '"eolFrom": "31/05/2029"',
            {},
            "release 3 \\(“24.04”\\): “eolFrom” must be a date",
        ),
        (UBUNTU_API, "", "", {"taken_on": "2026-09-01"}, "--taken-on is only for a product"),
        (WINDOWS_SERVER, "", "", {"taken_on": "2999-01-01"}, "cannot be after today"),
        (WINDOWS_SERVER, "", "", {"taken_on": "1 Sep 2026"}, "must be a date written"),
        (
            UBUNTU_API,
            '"generated_at": "2026-09-14T06:12:41+00:00"',
            '"generated_at": "last Monday"',
            {},
            "ubuntu-api-v1.json: “generated_at” must be a date and time",
        ),
    ],
)
def test_a_bad_file_changes_nothing_and_says_where(
    catalog, tmp_path, fixture, old, new, options, message
):
    path = without_line(fixture, tmp_path, old, new) if old else fixture
    dates = dict(SkillVersion.objects.values_list("pk", "end_of_support"))
    count = LifecycleSnapshot.objects.count()

    with pytest.raises(CommandError, match=message):
        load(path, **options)

    assert dict(SkillVersion.objects.values_list("pk", "end_of_support")) == dates
    assert LifecycleSnapshot.objects.count() == count
