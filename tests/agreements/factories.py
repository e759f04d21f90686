import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from agreements.api.models import Webhook
from agreements.coverage.models import CoverageFlag
from agreements.models import Agreement, AgreementService, Requirement, Service
from agreements.planning.models import Competitor, CompetitorOffering
from tests.clients.factories import ClientFactory
from tests.skills.factories import SkillFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    min_level = 3
    is_active = True


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active agreement written straight to the table; use the services to get requirements."""

    class Meta:
        model = Agreement

    client = factory.SubFactory(ClientFactory)
    reference = factory.Sequence(lambda n: f"AGR-2026-{n + 9000:04d}")
    title = factory.Sequence(lambda n: f"Managed services {n}")
    status = Agreement.Status.ACTIVE
    start_date = datetime.date(2026, 1, 1)
    end_date = None
    annual_value = Decimal("12000.00")


class AgreementServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementService

    agreement = factory.SubFactory(AgreementFactory)
    service = factory.SubFactory(ServiceFactory)


class RequirementFactory(factory.django.DjangoModelFactory):
    """A manual requirement for a skill at level 3, needing two technicians."""

    class Meta:
        model = Requirement

    agreement = factory.SubFactory(AgreementFactory)
    skill = factory.SubFactory(SkillFactory)
    min_level = 3
    min_technicians = 2
    source = Requirement.Source.MANUAL


class CoverageFlagFactory(factory.django.DjangoModelFactory):
    """An open flag on a requirement, as the nightly run opens one."""

    class Meta:
        model = CoverageFlag

    requirement = factory.SubFactory(RequirementFactory)
    agreement = factory.SelfAttribute("requirement.agreement")
    requirement_label = factory.LazyAttribute(lambda flag: str(flag.requirement))
    status = CoverageFlag.Status.UNCOVERED
    reason = "No active technician has Exchange at level 3 or above"
    first_detected_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.SelfAttribute("first_detected_at")


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competitor

    name = factory.Sequence(lambda n: f"Competitor {n} IT")


class CompetitorOfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetitorOffering

    competitor = factory.SubFactory(CompetitorFactory)
    service = factory.SubFactory(ServiceFactory)
    price = Decimal("1500.00")


class WebhookFactory(factory.django.DjangoModelFactory):
    """An active webhook told of every event, as JSON, written straight to the table."""

    class Meta:
        model = Webhook

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "https://hooks.msp.example/covered"
    secret = factory.Sequence(lambda n: f"webhook-secret-{n:04d}-for-tests")
    events = factory.LazyFunction(lambda: list(Webhook.Event.values))
