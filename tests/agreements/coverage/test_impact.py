"""After a save, the page says what the change does to coverage, evaluating only the agreements
whose requirements the change touches."""

import datetime
import html
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.coverage import impact
from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from agreements.models import Agreement
from agreements.services import agreement_create
from tests.agreements.factories import RequirementFactory, ServiceFactory
from tests.agreements.imports.conftest import csv_bytes
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.forms import formset
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

NOON = datetime.datetime(2026, 6, 1, 16, tzinfo=datetime.UTC)

pytestmark = pytest.mark.time_machine(NOON, tick=False)


@pytest.fixture(autouse=True)
def real_commits(transactional_db):
    """What a request changed counts once its transaction commits: the tests commit for real."""


@pytest.fixture(autouse=True)
def one_technician_is_enough(settings, tmp_path):
    settings.COVERAGE_MIN_TECHNICIANS = 1
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def exchange():
    return SkillFactory(name="Exchange")


@pytest.fixture
def harlow(exchange):
    """Harlow & Pierce runs Exchange 2016 under Managed email ($25,000); Lee Park knows
    Exchange at level 2 of the 3 needed, so the check flags it uncovered."""
    client = ClientFactory(name="Harlow & Pierce")
    version = SkillVersionFactory(skill=exchange, label="2016", rank=10)
    ClientTechnologyFactory(client=client, skill=exchange, version=version)
    email = ServiceFactory(name="Managed email", min_level=3)
    email.skills_in_scope.add(exchange)
    return agreement_create(
        client=client,
        title="Managed email",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("25000.00"),
        services=[email],
        status=Agreement.Status.ACTIVE,
    )


@pytest.fixture
def lee(exchange):
    return TechnicianSkillFactory(
        technician=TechnicianFactory(name="Lee Park", email="lee@msp.example"),
        skill=exchange,
        level=2,
    )


@pytest.fixture
def untouched():
    """An agreement of another client on another skill: no change below touches it."""
    agreement = agreement_create(
        client=ClientFactory(name="Quarry Works"),
        title="Firewall care",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("9000.00"),
        status=Agreement.Status.ACTIVE,
    )
    RequirementFactory(agreement=agreement, skill=SkillFactory(name="FortiOS"), min_technicians=1)
    return agreement


@pytest.fixture
def checked(harlow, lee, untouched):
    return coverage_check_run(day=NOON.date(), trigger=CoverageCheck.Trigger.MANUAL)


@pytest.fixture
def evaluated():
    """The agreement ids each impact evaluation was asked for."""
    with mock.patch.object(impact, "evaluate_coverage", wraps=impact.evaluate_coverage) as spy:
        yield lambda: [sorted(call.kwargs["agreement_ids"]) for call in spy.call_args_list]


def impact_message(response) -> str:
    texts = [
        html.unescape(str(m)) for m in response.context["messages"] if "coverage-impact" in m.tags
    ]
    assert len(texts) == 1, texts
    return texts[0]


def technician_update(client, technician, *, skills=(), certifications=()):
    return client.post(
        reverse("skills:technician_update", args=[technician.pk]),
        {
            "name": technician.name,
            "email": technician.email,
            "status": "active",
            "time_zone": technician.time_zone,
            **formset("skills", list(skills), initial=sum("id" in row for row in skills)),
            **formset("certifications", list(certifications)),
        },
        follow=True,
    )


def test_raising_a_technicians_level_says_it_resolves_the_flag(
    consultant_client, checked, harlow, lee, evaluated
):
    response = technician_update(
        consultant_client,
        lee.technician,
        skills=[{"id": lee.pk, "skill": lee.skill_id, "level": "3"}],
    )

    assert impact_message(response).startswith(
        "This change resolves 1 flag on 1 agreement ($25,000) and opens none."
    )
    assert evaluated() == [[harlow.pk]]


def test_a_new_certification_resolves_the_flag_of_the_agreement_that_asks_for_it(
    consultant_client, checked, harlow, lee, evaluated
):
    ccna = CertificationFactory(name="Cisco CCNA", validity_months=36)
    network = agreement_create(
        client=ClientFactory(name="Bayside Clinic"),
        title="Network care",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("12000.00"),
        status=Agreement.Status.ACTIVE,
    )
    RequirementFactory(agreement=network, skill=None, certification=ccna, min_technicians=1)
    coverage_check_run(day=NOON.date(), trigger=CoverageCheck.Trigger.MANUAL)

    response = technician_update(
        consultant_client,
        lee.technician,
        skills=[{"id": lee.pk, "skill": lee.skill_id, "level": "2"}],
        certifications=[{"certification": ccna.pk, "earned_on": "2026-05-01"}],
    )

    assert impact_message(response).startswith(
        "This change resolves 1 flag on 1 agreement ($12,000) and opens none."
    )
    # Saving the technician touches what they know too: Harlow's Exchange stays flagged.
    assert evaluated() == [sorted([harlow.pk, network.pk])]


def test_a_product_added_to_a_clients_environment_opens_a_flag(
    consultant_client, checked, harlow, evaluated
):
    sharepoint = SkillFactory(name="SharePoint")
    harlow.services.get().skills_in_scope.add(sharepoint)
    exchange_row = harlow.client.technologies.get()

    response = consultant_client.post(
        reverse("clients:update", args=[harlow.client_id]),
        {
            "name": harlow.client.name,
            "status": "active",
            "seats": "14",
            "time_zone": harlow.client.time_zone,
            **formset("contacts", []),
            **formset(
                "environment",
                [
                    {
                        "id": exchange_row.pk,
                        "skill": exchange_row.skill_id,
                        "version": exchange_row.version_id,
                        "quantity": "1",
                    },
                    {"skill": sharepoint.pk, "version": "", "quantity": "1"},
                ],
                initial=1,
            ),
        },
        follow=True,
    )

    assert impact_message(response).startswith(
        "This change resolves none and opens 1 flag on 1 agreement ($25,000)."
    )
    assert evaluated() == [[harlow.pk]]


def test_cancelling_an_agreement_resolves_its_flags(consultant_client, checked, harlow, evaluated):
    response = consultant_client.post(
        reverse("agreements:update", args=[harlow.pk]),
        {
            "client": harlow.client_id,
            "title": harlow.title,
            "status": "cancelled",
            "start_date": "2026-01-01",
            "end_date": "",
            "notice_days": "60",
            "renewal_term_months": "12",
            "billing_cycle": "monthly",
            "annual_value": "25000",
            "sla_response_hours": "4",
            "support_hours": "8x5",
            "owner": "",
            "notes": "",
            "services": [service.pk for service in harlow.services.all()],
            **formset("requirements", []),
        },
        follow=True,
    )

    assert impact_message(response).startswith(
        "This change resolves 1 flag on 1 agreement ($25,000) and opens none."
    )
    assert evaluated() == [[harlow.pk]]


def test_an_imported_inventory_says_what_it_opens(consultant_client, checked, harlow, evaluated):
    sharepoint = SkillFactory(name="SharePoint")
    harlow.services.get().skills_in_scope.add(sharepoint)
    inventory = csv_bytes(["Client,Product,Version,Quantity", "Harlow & Pierce,SharePoint,,1"])
    upload = consultant_client.post(
        reverse("imports:start"),
        {
            "kind": "environment",
            "date_order": "mdy",
            "file": SimpleUploadedFile("inventory.csv", inventory),
        },
    )
    batch_url = upload["Location"]

    response = consultant_client.post(batch_url, {"action": "confirm"}, follow=True)

    assert impact_message(response).startswith(
        "This change resolves none and opens 1 flag on 1 agreement ($25,000)."
    )
    assert evaluated() == [[harlow.pk]]


def test_a_change_touching_no_requirement_says_so(consultant_client, checked, evaluated):
    newcomer = TechnicianFactory(name="Mia Chen", email="mia@msp.example")
    unrelated = SkillFactory(name="Photoshop")

    response = technician_update(
        consultant_client, newcomer, skills=[{"skill": unrelated.pk, "level": "4"}]
    )

    assert impact_message(response) == "This change touches no active agreement's requirements."
    assert evaluated() == []


def test_a_form_with_errors_says_nothing(consultant_client, checked, lee):
    response = technician_update(
        consultant_client,
        lee.technician,
        skills=[{"id": lee.pk, "skill": lee.skill_id, "level": "9"}],
    )

    assert response.status_code == 200
    assert not [m for m in response.context["messages"] if "coverage-impact" in m.tags]


def test_the_message_offers_run_coverage_check_now(consultant_client, checked, lee):
    response = technician_update(
        consultant_client,
        lee.technician,
        skills=[{"id": lee.pk, "skill": lee.skill_id, "level": "3"}],
    )

    assert "Run coverage check now" in impact_message(response)
    assert reverse("coverage:run_now") in impact_message(response)


def test_above_the_limit_a_task_works_it_out_for_the_page_it_links(
    consultant_client, client, checked, harlow, exchange, lee, settings, django_user_model
):
    settings.IMPACT_MAX_AGREEMENTS = 1
    second = agreement_create(
        client=harlow.client,
        title="Exchange projects",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("5000.00"),
        services=list(harlow.services.all()),
        status=Agreement.Status.ACTIVE,
    )
    coverage_check_run(day=NOON.date(), trigger=CoverageCheck.Trigger.MANUAL)

    response = technician_update(
        consultant_client,
        lee.technician,
        skills=[{"id": lee.pk, "skill": lee.skill_id, "level": "3"}],
    )

    message = impact_message(response)
    assert "touches more than 1 agreements" in message
    impact_url = message.split('href="')[1].split('"')[0]
    page = consultant_client.get(impact_url)
    assert (
        "This change resolves 2 flags on 2 agreements ($30,000) and opens none."
        in page.content.decode()
    )
    assert second.flags.filter(resolved_at__isnull=True).exists()  # nothing is recorded
    other = django_user_model.objects.create_user("sam", password="x", is_staff=True)
    client.force_login(other)
    assert client.get(impact_url).status_code == 404
