"""The agreements app's models, in one app label: the contract book, the recorded coverage,
the competitors, the API's tokens and webhooks. `from agreements.models import X` works for
every one of them."""

from agreements.models.api import ApiToken
from agreements.models.competitors import Competitor, CompetitorOffering
from agreements.models.contracts import (
    Agreement,
    AgreementQuerySet,
    AgreementReferenceCounter,
    AgreementService,
    Requirement,
    Service,
    active_on_condition,
    default_min_technicians,
    requirement_label,
)
from agreements.models.coverage import (
    CheckedAgreement,
    CheckedDraft,
    CheckedEndOfSupport,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageCheckRequest,
    CoverageDataChange,
    CoverageFlag,
    CoverageRun,
    CoverageStatus,
)
from agreements.models.imports import ImportBatch, ImportKind, ImportMappingPreset
from agreements.models.planning import PlannedRequirement
from agreements.models.reminders import CalendarFeed, Reminder, ReminderOptOut
from agreements.models.webhooks import Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "ApiToken",
    "ImportBatch",
    "ImportKind",
    "ImportMappingPreset",
    "active_on_condition",
    "Agreement",
    "CalendarFeed",
    "CheckedAgreement",
    "CheckedRequirement",
    "CheckedDraft",
    "CheckedEndOfSupport",
    "CheckedSkill",
    "AgreementQuerySet",
    "AgreementReferenceCounter",
    "AgreementService",
    "Competitor",
    "CompetitorOffering",
    "CoverageCheck",
    "CoverageCheckRequest",
    "CoverageDataChange",
    "CoverageFlag",
    "CoverageRun",
    "CoverageStatus",
    "Reminder",
    "ReminderOptOut",
    "PlannedRequirement",
    "Requirement",
    "Service",
    "default_min_technicians",
    "requirement_label",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
]
