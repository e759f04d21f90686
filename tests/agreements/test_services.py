import datetime
import re
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from agreements.models import Agreement, AgreementReferenceCounter, Requirement
from agreements.services import (
    SyncResult,
    agreement_create,
    agreement_services_set,
    agreement_update,
    requirement_create,
    requirement_remove,
    requirement_update,
    requirements_sync,
    requirements_sync_all,
    service_create,
    service_skills_set,
    service_update,
)
from clients.services import (
    client_technology_add,
    client_technology_remove,
    client_technology_update,
)
from tests.agreements.factories import (
    AgreementFactory,
    AgreementServiceFactory,
    CoverageFlagFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.skills.factories import CertificationFactory, SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db


def derived(agreement):
    """The agreement's derived requirements as comparable tuples."""
    return set(
        agreement.requirements.filter(source=Requirement.Source.DERIVED).values_list(
            "service__name", "skill__name", "version__label", "min_level"
        )
    )


@pytest.fixture
def email_service(exchange):
    return service_create(name="Managed email", skills=[exchange], min_level=4)


@pytest.fixture
def agreement():
    return agreement_create(
        client=ClientFactory(name="Harbor Dental"),
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("24000.00"),
        status=Agreement.Status.ACTIVE,
    )


@pytest.fixture
def manual_requirement(agreement):
    return requirement_create(
        agreement=agreement, certification=CertificationFactory(name="CCNA"), min_technicians=1
    )


# ------------------------------------------------------------------------------ derivation


def test_service_without_the_clients_technology_derives_nothing(agreement, email_service):
    ClientTechnologyFactory(client=agreement.client, skill=SkillFactory(name="QuickBooks"))

    agreement_services_set(agreement=agreement, services=[email_service])

    assert derived(agreement) == set()


def test_technology_added_derives_requirement_at_clients_version_and_services_level(
    agreement, email_service, exchange, exchange_2016, manual_requirement
):
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)

    assert derived(agreement) == {("Managed email", "Exchange", "2016", 4)}
    requirement = agreement.requirements.get(source=Requirement.Source.DERIVED)
    assert requirement.service == email_service
    assert requirement.min_technicians == 2


def test_technology_without_version_derives_requirement_for_any_version(
    agreement, email_service, exchange
):
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_add(client=agreement.client, skill=exchange)

    assert derived(agreement) == {("Managed email", "Exchange", None, 4)}


def test_each_version_the_client_runs_derives_its_own_requirement(
    agreement, email_service, exchange, exchange_2016
):
    exchange_2019 = SkillVersionFactory(skill=exchange, label="2019", rank=19)
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)
    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2019)

    assert derived(agreement) == {
        ("Managed email", "Exchange", "2016", 4),
        ("Managed email", "Exchange", "2019", 4),
    }


def test_service_removed_removes_its_derived_requirement(
    agreement, email_service, exchange, exchange_2016, manual_requirement
):
    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)
    agreement_services_set(agreement=agreement, services=[email_service])

    agreement_services_set(agreement=agreement, services=[])

    assert derived(agreement) == set()
    assert list(agreement.requirements.all()) == [manual_requirement]


def test_technology_removed_removes_its_derived_requirement(
    agreement, email_service, exchange, exchange_2016, manual_requirement
):
    technology = client_technology_add(
        client=agreement.client, skill=exchange, version=exchange_2016
    )
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_remove(technology=technology)

    assert derived(agreement) == set()
    assert list(agreement.requirements.all()) == [manual_requirement]


def test_technology_upgraded_moves_the_requirement_to_the_new_version(
    agreement, email_service, exchange, exchange_2016
):
    exchange_2019 = SkillVersionFactory(skill=exchange, label="2019", rank=19)
    technology = client_technology_add(
        client=agreement.client, skill=exchange, version=exchange_2016
    )
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_update(technology=technology, version=exchange_2019)

    assert derived(agreement) == {("Managed email", "Exchange", "2019", 4)}


def test_manual_requirement_is_untouched_through_every_change(
    agreement, email_service, exchange, exchange_2016, manual_requirement
):
    before = Requirement.objects.values().get(pk=manual_requirement.pk)

    technology = client_technology_add(
        client=agreement.client, skill=exchange, version=exchange_2016
    )
    agreement_services_set(agreement=agreement, services=[email_service])
    service_update(service=email_service, min_level=5)
    agreement_services_set(agreement=agreement, services=[])
    client_technology_remove(technology=technology)
    requirements_sync_all()

    assert Requirement.objects.values().get(pk=manual_requirement.pk) == before


def test_manual_requirement_for_the_same_skill_is_kept_beside_the_derived_one(
    agreement, email_service, exchange, exchange_2016
):
    manual = requirement_create(agreement=agreement, skill=exchange, min_level=5)
    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)

    agreement_services_set(agreement=agreement, services=[email_service])
    agreement_services_set(agreement=agreement, services=[])

    assert list(agreement.requirements.all()) == [manual]


def test_service_min_level_change_updates_derived_requirements(
    agreement, email_service, exchange, exchange_2016
):
    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)
    agreement_services_set(agreement=agreement, services=[email_service])
    requirement = agreement.requirements.get()

    service_update(service=email_service, min_level=2)

    requirement.refresh_from_db()
    assert requirement.min_level == 2
    newest = requirement.history.first()
    assert (newest.history_type, newest.min_level) == ("~", 2)


def test_skill_taken_out_of_service_scope_removes_derived_requirement(
    agreement, email_service, exchange, exchange_2016
):
    client_technology_add(client=agreement.client, skill=exchange, version=exchange_2016)
    agreement_services_set(agreement=agreement, services=[email_service])

    service_skills_set(service=email_service, skills=[SkillFactory(name="Microsoft 365")])

    assert derived(agreement) == set()


def test_two_services_covering_one_skill_derive_one_requirement_at_the_higher_level(
    agreement, email_service, exchange
):
    security = service_create(name="Email security", skills=[exchange], min_level=3)
    client_technology_add(client=agreement.client, skill=exchange)

    agreement_services_set(agreement=agreement, services=[email_service, security])

    assert derived(agreement) == {("Managed email", "Exchange", None, 4)}


def test_two_services_at_the_same_level_name_the_first_by_name(agreement, exchange):
    backup = service_create(name="Backup", skills=[exchange], min_level=3)
    archive = service_create(name="Archiving", skills=[exchange], min_level=3)
    client_technology_add(client=agreement.client, skill=exchange)

    agreement_services_set(agreement=agreement, services=[backup, archive])

    assert derived(agreement) == {("Archiving", "Exchange", None, 3)}


def test_sync_updates_a_derived_requirement_in_place_keeping_its_flag(
    agreement, email_service, exchange
):
    client_technology_add(client=agreement.client, skill=exchange)
    agreement_services_set(agreement=agreement, services=[email_service])
    requirement = Requirement.objects.get(agreement=agreement)
    flag = CoverageFlagFactory(requirement=requirement)
    stricter = service_create(name="Exchange premium", skills=[exchange], min_level=5)

    agreement_services_set(agreement=agreement, services=[email_service, stricter])

    requirement.refresh_from_db()
    assert (requirement.min_level, requirement.service) == (5, stricter)
    assert list(requirement.flags.all()) == [flag]


def test_sync_brings_derived_requirements_to_the_minimum_technicians_setting(
    agreement, email_service, exchange, settings
):
    client_technology_add(client=agreement.client, skill=exchange)
    agreement_services_set(agreement=agreement, services=[email_service])

    settings.COVERAGE_MIN_TECHNICIANS = 3
    requirements_sync(agreement=agreement)

    assert Requirement.objects.get(agreement=agreement).min_technicians == 3


def test_technology_of_another_client_derives_nothing(agreement, email_service, exchange):
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_add(client=ClientFactory(), skill=exchange)

    assert derived(agreement) == set()


def test_environment_change_resyncs_every_agreement_of_the_client(
    agreement, email_service, exchange
):
    second = agreement_create(
        client=agreement.client,
        title="Email only",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("6000.00"),
        services=[email_service],
    )
    agreement_services_set(agreement=agreement, services=[email_service])

    client_technology_add(client=agreement.client, skill=exchange)

    assert derived(agreement) == derived(second) == {("Managed email", "Exchange", None, 4)}


def test_derived_requirement_history_records_creation_change_and_removal(
    agreement, email_service, exchange
):
    client_technology_add(client=agreement.client, skill=exchange)
    agreement_services_set(agreement=agreement, services=[email_service])
    requirement_id = agreement.requirements.get().pk

    service_update(service=email_service, min_level=5)
    agreement_services_set(agreement=agreement, services=[])

    history = Requirement.history.filter(id=requirement_id).order_by("history_id")
    assert list(history.values_list("history_type", "min_level")) == [
        ("+", 4),
        ("~", 5),
        ("-", 5),
    ]


def test_sync_reports_what_it_changed_and_a_second_sync_changes_nothing(exchange):
    agreement = AgreementFactory()
    old_service = AgreementServiceFactory(agreement=agreement).service
    old_service.skills_in_scope.add(exchange)
    new_service = ServiceFactory(min_level=5)
    new_service.skills_in_scope.add(exchange)
    ClientTechnologyFactory(client=agreement.client, skill=exchange)
    assert requirements_sync(agreement=agreement) == SyncResult(created=1)

    AgreementServiceFactory(agreement=agreement, service=new_service)
    old_service.agreement_services.all().delete()

    assert requirements_sync(agreement=agreement) == SyncResult(updated=1)
    assert requirements_sync(agreement=agreement) == SyncResult()


def test_sync_all_catches_up_changes_written_behind_the_services_back(exchange):
    agreements = AgreementFactory.create_batch(3)
    for agreement in agreements:
        AgreementServiceFactory(agreement=agreement).service.skills_in_scope.add(exchange)
        ClientTechnologyFactory(client=agreement.client, skill=exchange)

    result = requirements_sync_all()

    assert result == SyncResult(created=3)
    assert all(derived(agreement) for agreement in agreements)


def test_sync_all_runs_a_fixed_number_of_queries(django_assert_num_queries, exchange):
    def build(count):
        for _ in range(count):
            agreement = AgreementFactory()
            service = AgreementServiceFactory(agreement=agreement).service
            service.skills_in_scope.add(exchange)
            ClientTechnologyFactory(client=agreement.client, skill=exchange)
            RequirementFactory(agreement=agreement, skill=exchange)

    build(1)
    requirements_sync_all()
    build(5)
    # savepoint, lock agreements, services of the agreements, their skills in scope, the
    # clients' technologies, existing derived requirements, the minimum technicians in force
    # (once for the new ones), bulk insert + history insert, release savepoint
    with django_assert_num_queries(10):
        requirements_sync_all()
    assert Requirement.objects.filter(source=Requirement.Source.DERIVED).count() == 6


# ------------------------------------------------------------------------------ manual ones


def test_manual_requirement_defaults_to_the_configured_number_of_technicians(agreement, settings):
    settings.COVERAGE_MIN_TECHNICIANS = 3

    requirement = requirement_create(agreement=agreement, skill=SkillFactory())

    assert requirement.min_technicians == 3
    assert requirement.source == Requirement.Source.MANUAL


def test_manual_requirement_needs_a_skill_or_a_certification(agreement):
    with pytest.raises(ValidationError) as error:
        requirement_create(agreement=agreement)

    assert error.value.message_dict == {"skill": ["Choose a skill, a certification, or both."]}


def test_manual_requirement_can_be_changed_and_removed(agreement, manual_requirement):
    requirement_update(requirement=manual_requirement, min_technicians=3, notes="Per contract")
    manual_requirement.refresh_from_db()
    assert (manual_requirement.min_technicians, manual_requirement.notes) == (3, "Per contract")

    requirement_remove(requirement=manual_requirement)

    assert not agreement.requirements.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda requirement: requirement_update(requirement=requirement, min_level=1),
        lambda requirement: requirement_remove(requirement=requirement),
    ],
    ids=["update", "remove"],
)
def test_derived_requirement_cannot_be_changed_by_hand(change, agreement, email_service, exchange):
    client_technology_add(client=agreement.client, skill=exchange)
    agreement_services_set(agreement=agreement, services=[email_service])
    requirement = agreement.requirements.get()

    with pytest.raises(ValidationError, match="change those instead"):
        change(requirement)

    requirement.refresh_from_db()
    assert requirement.min_level == 4


# ------------------------------------------------------------------------------ references


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False)
def test_references_are_numbered_per_year():
    AgreementReferenceCounter.objects.create(year=2025, last_number=41)
    client = ClientFactory()

    first, second = (
        agreement_create(
            client=client,
            title=f"Agreement {n}",
            start_date=datetime.date(2026, 1, 1),
            annual_value=Decimal("1000.00"),
        )
        for n in range(2)
    )

    assert (first.reference, second.reference) == ("AGR-2026-0001", "AGR-2026-0002")


@time_machine.travel(datetime.datetime(2027, 1, 1, 3, tzinfo=datetime.UTC), tick=False)
def test_reference_year_is_the_local_year():
    # 03:00 UTC on January 1st is still New Year's Eve in New York.
    agreement = agreement_create(
        client=ClientFactory(),
        title="Managed IT",
        start_date=datetime.date(2027, 1, 1),
        annual_value=Decimal("1000.00"),
    )

    assert agreement.reference.startswith("AGR-2026-")


def test_invalid_agreement_uses_no_reference_number():
    client = ClientFactory()
    with pytest.raises(ValidationError) as error:
        agreement_create(
            client=client,
            title="Backwards",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2025, 12, 31),
            annual_value=Decimal("1000.00"),
        )
    assert error.value.message_dict == {
        "end_date": ["End date (31 Dec 2025) is before the start date (1 Jan 2026)."]
    }

    agreement = agreement_create(
        client=client,
        title="Forwards",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("1000.00"),
    )

    assert agreement.reference.endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_hands_out_distinct_sequential_references():
    client = ClientFactory()
    workers = 8
    start = threading.Barrier(workers)
    references, errors = [], []

    def create(n):
        try:
            start.wait()
            agreement = agreement_create(
                client=client,
                title=f"Agreement {n}",
                start_date=datetime.date(2026, 1, 1),
                annual_value=Decimal("1000.00"),
            )
            references.append(agreement.reference)
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(int(re.fullmatch(rf"AGR-{year}-(\d{{4}})", r).group(1)) for r in references)
    assert numbers == list(range(1, workers + 1))


# ------------------------------------------------------------------------------ updates


def test_agreement_moved_to_another_client_follows_the_new_environment(
    agreement, email_service, exchange
):
    agreement_services_set(agreement=agreement, services=[email_service])
    other = ClientFactory()
    ClientTechnologyFactory(client=other, skill=exchange)

    agreement_update(agreement=agreement, client=other)

    assert derived(agreement) == {("Managed email", "Exchange", None, 4)}


def test_agreement_update_validates_the_whole_agreement(agreement):
    with pytest.raises(ValidationError) as error:
        agreement_update(agreement=agreement, end_date=datetime.date(2025, 6, 30))

    assert error.value.message_dict == {
        "end_date": ["End date (30 Jun 2025) is before the start date (1 Jan 2026)."]
    }


def test_agreement_update_refuses_an_unknown_field(agreement):
    with pytest.raises(TypeError, match="no editable field 'reference'"):
        agreement_update(agreement=agreement, reference="AGR-1999-0001")
