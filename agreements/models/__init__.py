"""The contract book's models: services, agreements and their requirements. The models of the
sub-packages live beside their code with the same app label (`agreements/coverage/models.py`,
`agreements/planning/models.py`, `agreements/imports/models.py`, `agreements/api/models.py`)."""

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

__all__ = [
    "Agreement",
    "AgreementQuerySet",
    "AgreementReferenceCounter",
    "AgreementService",
    "Requirement",
    "Service",
    "active_on_condition",
    "default_min_technicians",
    "requirement_label",
]
