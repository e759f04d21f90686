"""Consultants keep the catalog in the app: products, their versions (end of support,
successor) and aliases, with history; viewers read it; "Add to the catalog" from an unknown
product name."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from agreements.imports.flow import import_batch_create
from core import groups
from skills.models import Skill, SkillAlias, SkillVersion
from skills.selectors import product_matcher
from tests.agreements.factories import ServiceFactory
from tests.clients.factories import ClientFactory
from tests.conftest import make_user
from tests.forms import formset
from tests.html_forms import post_form_data
from tests.skills.factories import SkillCategoryFactory, SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)


def product_post(category, *, name="QuickBooks Desktop", versions=(), aliases=(), **extra):
    return {
        "name": name,
        "category": category.pk,
        "vendor": "Intuit",
        "description": "",
        **formset("versions", list(versions)),
        **formset("aliases", list(aliases)),
        **extra,
    }


def version_row(label, rank="", end_of_support="", successor=""):
    return {"label": label, "rank": rank, "end_of_support": end_of_support, "successor": successor}


@pytest.fixture
def lob():
    return SkillCategoryFactory(name="Line-of-business apps")


@pytest.fixture
def quickbooks(lob):
    """QuickBooks with 2022 (ended) → 2023 → 2024."""
    skill = SkillFactory(name="QuickBooks Desktop", category=lob, vendor="Intuit")
    v2024 = SkillVersionFactory(skill=skill, label="2024", rank=30)
    v2023 = SkillVersionFactory(skill=skill, label="2023", rank=20, successor=v2024)
    v2022 = SkillVersionFactory(
        skill=skill,
        label="2022",
        rank=10,
        successor=v2023,
        end_of_support=datetime.date(2025, 5, 31),
    )
    return {"skill": skill, "2022": v2022, "2023": v2023, "2024": v2024}


def edit_post(skill, *, name=None, versions=None, aliases=()):
    """The edit form of `skill` as saved, with `versions` ({label: changed fields}) applied."""
    saved = list(skill.versions.order_by("rank"))
    rows = []
    for version in saved:
        row = {
            "id": version.pk,
            "label": version.label,
            "rank": version.rank,
            "end_of_support": version.end_of_support.isoformat() if version.end_of_support else "",
            "successor": version.successor_id or "",
        }
        row.update((versions or {}).get(version.label, {}))
        rows.append(row)
    return {
        "name": name or skill.name,
        "category": skill.category_id,
        "vendor": skill.vendor,
        "description": skill.description,
        **formset("versions", rows, initial=len(saved)),
        **formset("aliases", list(aliases)),
    }


# ------------------------------------------------------------------------------ who may


def test_consultants_hold_the_catalog_permission_and_viewers_do_not():
    manage = Permission.objects.get(content_type__app_label="skills", codename="manage_catalog")

    assert manage in Group.objects.get(name=groups.CONSULTANT).permissions.all()
    assert manage not in Group.objects.get(name=groups.VIEWER).permissions.all()


def test_catalog_editing_needs_its_own_permission_not_the_models(client, django_user_model, lob):
    user = make_user(django_user_model, "ada.editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="skills",
            codename__in=["view_skill", "add_skill", "change_skill", "add_skillversion"],
        )
    )
    client.force_login(user)

    response = client.post(reverse("skills:skill_create"), product_post(lob, name="Sage 50"))

    assert response.status_code == 403
    assert not Skill.objects.filter(name="Sage 50").exists()


@pytest.mark.parametrize("role", ["viewer", None])
def test_catalog_editing_is_refused_to_a_viewer_and_to_anonymous(browse, role, lob, quickbooks):
    client = browse(role)
    refused = 403 if role else 302
    skill = quickbooks["skill"]

    assert client.get(reverse("skills:skill_create")).status_code == refused
    assert client.get(reverse("skills:skill_update", args=[skill.pk])).status_code == refused
    created = client.post(reverse("skills:skill_create"), product_post(lob, name="Sage 50"))
    changed = client.post(
        reverse("skills:skill_update", args=[skill.pk]), edit_post(skill, name="Renamed")
    )

    assert (created.status_code, changed.status_code) == (refused, refused)
    assert not Skill.objects.filter(name__in=["Sage 50", "Renamed"]).exists()


@pytest.mark.time_machine(NOW, tick=False)
def test_a_viewer_reads_the_catalog_without_edit_controls(viewer_client, quickbooks):
    catalog = viewer_client.get(reverse("skills:catalog")).content.decode()
    detail = viewer_client.get(
        reverse("skills:skill_detail", args=[quickbooks["skill"].pk])
    ).content.decode()

    assert "Add a product" not in catalog
    assert reverse("skills:skill_detail", args=[quickbooks["skill"].pk]) in catalog
    assert "Edit product" not in detail
    assert "Ended 31 May 2025" in detail


# ------------------------------------------------------------------------------ editing


@pytest.mark.time_machine(NOW, tick=False)
def test_consultant_adds_a_product_with_versions_and_an_alias(consultant_client, consultant, lob):
    response = consultant_client.post(
        reverse("skills:skill_create"),
        product_post(
            lob,
            name="Sage 50",
            versions=[
                version_row("2023", rank="10", end_of_support="2025-03-31"),
                version_row("2024"),
            ],
            aliases=[{"pattern": "  Sage 50  Accounting ", "version": ""}],
        ),
    )

    skill = Skill.objects.get(name="Sage 50")
    assert response.status_code == 302
    assert response["Location"] == reverse("skills:skill_detail", args=[skill.pk])
    assert list(skill.versions.order_by("rank").values_list("label", "rank", "end_of_support")) == [
        ("2023", 10, datetime.date(2025, 3, 31)),
        ("2024", 20, None),  # no rank given: after the newest
    ]
    assert list(skill.aliases.values_list("pattern", "version")) == [("Sage 50 Accounting", None)]
    assert skill.history.get().history_user == consultant


def test_consultant_sets_a_versions_end_of_support_and_successor(consultant_client, quickbooks):
    skill = quickbooks["skill"]

    response = consultant_client.post(
        reverse("skills:skill_update", args=[skill.pk]),
        edit_post(
            skill,
            versions={
                "2023": {"end_of_support": "2026-05-31", "successor": quickbooks["2024"].pk},
                "2024": {"end_of_support": "2027-05-31"},
            },
            aliases=[{"pattern": "QuickBooks Pro 2023", "version": quickbooks["2023"].pk}],
        ),
    )

    assert response.status_code == 302
    version = SkillVersion.objects.get(pk=quickbooks["2023"].pk)
    assert (version.end_of_support, version.successor) == (
        datetime.date(2026, 5, 31),
        quickbooks["2024"],
    )
    alias = SkillAlias.objects.get(pattern="QuickBooks Pro 2023")
    assert (alias.skill, alias.version) == (skill, quickbooks["2023"])


def test_a_successor_older_than_its_version_is_refused_and_nothing_is_saved(
    consultant_client, quickbooks
):
    skill = quickbooks["skill"]

    response = consultant_client.post(
        reverse("skills:skill_update", args=[skill.pk]),
        edit_post(
            skill,
            name="QuickBooks Enterprise",
            versions={"2024": {"successor": quickbooks["2022"].pk}},
        ),
    )

    assert response.status_code == 200
    assert "The successor must be newer than 2024" in response.content.decode()
    skill.refresh_from_db()
    assert skill.name == "QuickBooks Desktop"
    assert SkillVersion.objects.get(pk=quickbooks["2024"].pk).successor is None


def test_a_version_of_another_product_cannot_be_a_successor(consultant_client, quickbooks):
    other = SkillVersionFactory(skill=SkillFactory(name="Sage 50"), label="2030", rank=99)
    skill = quickbooks["skill"]

    response = consultant_client.post(
        reverse("skills:skill_update", args=[skill.pk]),
        edit_post(skill, versions={"2023": {"successor": other.pk}}),
    )

    assert response.status_code == 200
    assert SkillVersion.objects.get(pk=quickbooks["2023"].pk).successor == quickbooks["2024"]


def test_an_alias_another_product_already_uses_is_refused(consultant_client, quickbooks, lob):
    SkillAlias.objects.create(skill=quickbooks["skill"], pattern="QuickBooks Pro")

    response = consultant_client.post(
        reverse("skills:skill_create"),
        product_post(lob, name="Sage 50", aliases=[{"pattern": "quickbooks pro", "version": ""}]),
    )

    assert response.status_code == 200
    assert "Another alias already has this pattern." in response.content.decode()
    assert not Skill.objects.filter(name="Sage 50").exists()


def test_a_product_name_taken_in_other_case_is_refused(consultant_client, quickbooks, lob):
    response = consultant_client.post(
        reverse("skills:skill_create"), product_post(lob, name="quickbooks desktop")
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Skill.objects.count() == 1


# ------------------------------------------------------------------------------ history


def test_the_product_page_shows_who_changed_what(client, consultant, quickbooks):
    client.force_login(consultant)
    consultant.first_name, consultant.last_name = "Marcus", "Lee"
    consultant.save()
    skill = quickbooks["skill"]
    client.post(
        reverse("skills:skill_update", args=[skill.pk]),
        edit_post(skill, versions={"2024": {"end_of_support": "2027-05-31"}}),
    )

    page = client.get(reverse("skills:skill_detail", args=[skill.pk])).content.decode()

    assert "Marcus Lee" in page
    assert "Version 2024: changed" in page
    assert "End of support: — → 31 May 2027" in page


def test_the_history_of_a_created_product_lists_what_was_set(consultant_client, lob):
    consultant_client.post(
        reverse("skills:skill_create"),
        product_post(lob, name="Sage 50", versions=[version_row("2024", rank="10")]),
    )
    skill = Skill.objects.get(name="Sage 50")

    page = consultant_client.get(reverse("skills:skill_detail", args=[skill.pk])).content.decode()

    assert "Product: created" in page
    assert "Category: Line-of-business apps" in page
    assert "Version 2024: created" in page


@pytest.mark.parametrize("changes", [1, 12])
def test_product_page_query_count_does_not_grow_with_history(
    consultant_client, django_assert_num_queries, quickbooks, lob, changes
):
    skill = quickbooks["skill"]
    categories = [SkillCategoryFactory(name="Accounting"), lob]
    for number in range(changes):
        skill.category = categories[number % 2]
        skill.save()
        version = SkillVersion.objects.get(pk=quickbooks["2024"].pk)
        version.end_of_support = datetime.date(2027, 1, 1) + datetime.timedelta(days=number)
        version.save()
        alias = SkillAlias.objects.create(skill=skill, pattern=f"QuickBooks {number}")
        alias.pattern = f"QuickBooks Pro {number}"
        alias.save()

    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the product, its versions, its aliases, the lifecycle snapshot its dates
    # come from; the history: of the product, its versions and its aliases, each with the records
    # before them (six), the names of the versions and categories they mention (two)
    with django_assert_num_queries(18):
        response = consultant_client.get(reverse("skills:skill_detail", args=[skill.pk]))

    assert response.status_code == 200


# ------------------------------------------------------------------------------ unknown names

VEEAM_AGENT = "Veeam Agent for Microsoft Windows"


def test_add_to_the_catalog_fills_the_name_and_an_alias_and_goes_back(consultant_client, lob):
    windows = SkillFactory(name="Windows", category=lob)
    back = "/imports/7/"
    url = reverse("skills:skill_create") + f"?name={VEEAM_AGENT}&next={back}"
    page = consultant_client.get(url).content.decode()
    data = post_form_data(page)
    data["category"] = lob.pk

    response = consultant_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == back
    skill = Skill.objects.get(name=VEEAM_AGENT)
    assert list(skill.aliases.values_list("pattern", flat=True)) == [VEEAM_AGENT]
    # The next file that names it is read as the new product, not as Windows.
    match = product_matcher().match("Veeam Agent for Microsoft Windows 6.1.0.349")
    assert (match.skill_id, windows.pk != match.skill_id) == (skill.pk, True)


def test_going_back_only_to_a_page_of_this_site(consultant_client, lob):
    url = reverse("skills:skill_create") + "?name=Sage+50&next=https://evil.example/"
    data = post_form_data(consultant_client.get(url).content.decode())
    data["category"] = lob.pk

    response = consultant_client.post(url, data)

    skill = Skill.objects.get(name="Sage 50")
    assert response["Location"] == reverse("skills:skill_detail", args=[skill.pk])


def test_a_product_name_with_control_characters_is_cleaned(consultant_client):
    page = consultant_client.get(
        reverse("skills:skill_create") + "?name=Sage%0050%07%20%20Accounting"
    ).content.decode()

    assert 'value="Sage50 Accounting"' in page


def test_the_prospect_check_offers_to_add_an_unknown_product(consultant_client, lob):
    service = ServiceFactory(name="Managed desktops")
    response = consultant_client.post(
        reverse("planning:prospect_check"),
        {
            "name": "Northlight",
            "services": [service.pk],
            "technologies": "Sage 50 Accounting",
            "start_date": "2027-01-04",
            "support_hours": "8x5",
            "sla_response_hours": "8",
            "annual_value": "12000",
        },
    )

    page = response.content.decode()
    assert "Not recognised: Sage 50 Accounting" in page
    assert reverse("skills:skill_create") + "?name=Sage%2050%20Accounting" in page


def test_the_import_preview_offers_to_add_an_unknown_product(
    consultant_client, consultant, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ClientFactory(name="Acme Dental")
    batch = import_batch_create(
        user=consultant,
        kind="environment",
        filename="inventory.csv",
        data=b"Organization,Device Name,Software,Display Version\r\n"
        b"Acme Dental,FRONT-01,Sage 50 Accounting,2024\r\n",
    )
    batch_path = reverse("imports:batch", args=[batch.pk])

    page = consultant_client.get(batch_path).content.decode()

    link = f"{reverse('skills:skill_create')}?name=Sage%2050%20Accounting&amp;next={batch_path}"
    assert link in page


# ------------------------------------------------------------------------------ tampering


def test_a_version_row_of_another_product_is_refused(consultant_client, quickbooks):
    other = SkillVersionFactory(skill=SkillFactory(name="Sage 50"), label="2030", rank=99)
    skill = quickbooks["skill"]
    data = edit_post(skill)
    data["versions-0-id"] = other.pk
    data["versions-0-label"] = "Renamed"

    response = consultant_client.post(reverse("skills:skill_update", args=[skill.pk]), data)

    assert response.status_code == 200
    other.refresh_from_db()
    assert (other.skill.name, other.label) == ("Sage 50", "2030")
    assert not SkillVersion.objects.filter(label="Renamed").exists()
