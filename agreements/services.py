import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreements.models import (
    Agreement,
    AgreementReferenceCounter,
    AgreementService,
    Requirement,
    Service,
    default_min_technicians,
)
from clients.models import Client, ClientTechnology
from core.db import rows_update
from core.formatting import day_text
from core.services import NO_CHANGES, RowChanges, model_create, model_update, stored_value
from skills.models import Certification, Level, Skill, SkillVersion

# ------------------------------------------------------------------------------ services


def service_create(
    *,
    name: str,
    description: str = "",
    skills: Iterable[Skill] = (),
    min_level: int = Level.INDEPENDENT,
    is_active: bool = True,
) -> Service:
    with transaction.atomic():
        service = Service(
            name=name, description=description, min_level=min_level, is_active=is_active
        )
        service.full_clean()
        service.save()
        service.skills_in_scope.set(skills)
    return service


def service_update(*, service: Service, **fields: Any) -> Service:
    """Change a catalog service; a new minimum level is passed on to its agreements."""
    with transaction.atomic():
        model_update(instance=service, fields=fields)
        if "min_level" in fields:
            requirements_sync_for_service(service=service)
    return service


def service_skills_set(*, service: Service, skills: Iterable[Skill]) -> None:
    with transaction.atomic():
        service.skills_in_scope.set(skills)
        requirements_sync_for_service(service=service)


# ------------------------------------------------------------------------------ agreements


def agreement_reference_next() -> str:
    """AGR-<year>-<NNNN>, numbered per year; concurrent callers wait on the year's counter row.

    Must run inside the transaction that saves the agreement, so that the row lock taken by
    the UPDATE is held until the agreement is committed (or rolled back, number included).
    """
    year = timezone.localdate().year
    counter, _ = AgreementReferenceCounter.objects.get_or_create(year=year)
    AgreementReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    return f"AGR-{year}-{counter.last_number:04d}"


REFERENCE_FORMAT = re.compile(r"^AGR-(\d{4})-(\d+)$")


def agreement_reference_claim(reference: str) -> None:
    """Note that `reference` is taken (an agreement imported with its own): a reference handed
    out later for its year comes after it."""
    found = REFERENCE_FORMAT.match(reference)
    if not found:
        return
    year, number = int(found.group(1)), int(found.group(2))
    counter, _ = AgreementReferenceCounter.objects.get_or_create(year=year)
    AgreementReferenceCounter.objects.filter(pk=counter.pk, last_number__lt=number).update(
        last_number=number
    )


def agreement_create(
    *,
    client: Client,
    title: str,
    start_date: datetime.date,
    annual_value: Decimal,
    services: Iterable[Service] = (),
    owner: AbstractBaseUser | None = None,
    **fields: Any,
) -> Agreement:
    with transaction.atomic():
        agreement = Agreement(
            client=client,
            title=title,
            start_date=start_date,
            annual_value=annual_value,
            owner=owner,
            **fields,
        )
        agreement.full_clean(exclude=["reference"])
        agreement.reference = agreement_reference_next()
        agreement.save()
        agreement_services_set(agreement=agreement, services=services)
    return agreement


def agreement_update(*, agreement: Agreement, **fields: Any) -> Agreement:
    with transaction.atomic():
        moves_client = "client" in fields and fields["client"].pk != stored_value(
            agreement, "client_id"
        )
        model_update(instance=agreement, fields=fields)
        if moves_client:
            requirements_sync(agreement=agreement)
    return agreement


@transaction.atomic
def agreement_save(
    *,
    agreement: Agreement | None,
    fields: dict[str, Any],
    services: Iterable[Service],
    requirements: RowChanges = NO_CHANGES,
) -> Agreement:
    """Create or update an agreement with its services and manual requirements, all or nothing."""
    if agreement is None:
        agreement = agreement_create(**fields, services=services)
    else:
        agreement_update(agreement=agreement, **fields)
        agreement_services_set(agreement=agreement, services=services)
    for requirement in requirements.removed:
        requirement_remove(requirement=requirement)
    for requirement, changes in requirements.changed:
        requirement_update(requirement=requirement, **changes)
    for values in requirements.added:
        requirement_create(agreement=agreement, **values)
    return agreement


@dataclass(frozen=True)
class TermsRollOver:
    renewed: int  # auto-renewing agreements moved on to the term holding the day
    expired: int  # agreements that do not renew, marked expired


@transaction.atomic
def agreement_terms_roll_over(*, day: datetime.date) -> TermsRollOver:
    """The nightly upkeep of the terms for `day` (DESIGN "Agreement terms"): an agreement that
    renews automatically and whose stored term ended moves on to the term holding `day`; an
    active agreement that does not renew and whose end date has passed becomes expired, once,
    with the reason in its history. A cancelled agreement keeps its dates."""
    renewed = Agreement.objects.filter(auto_renew=True, term_end__lt=day).terms_refresh(day)
    ended = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, auto_renew=False, end_date__lt=day
    )
    expiring = list(ended.select_for_update())
    now = timezone.now()
    for agreement in expiring:
        agreement.status, agreement.updated_at = Agreement.Status.EXPIRED, now
        agreement._change_reason = (
            f"Expired: its end date, {day_text(agreement.end_date)}, has passed and it does not "
            "renew automatically."
        )
    # Set-based: the first night after a long pause may expire thousands at once. One UPDATE
    # (every row takes the same values), then their history rows with the reason of each.
    Agreement.objects.filter(pk__in=[agreement.pk for agreement in expiring]).update(
        status=Agreement.Status.EXPIRED, updated_at=now
    )
    Agreement.history.bulk_history_create(expiring, batch_size=1000, update=True, default_date=now)
    return TermsRollOver(renewed=renewed, expired=len(expiring))


def agreement_services_set(*, agreement: Agreement, services: Iterable[Service]) -> None:
    """Make `services` the agreement's services, then re-derive its requirements."""
    wanted = {service.pk for service in services}
    with transaction.atomic():
        current = set(agreement.agreement_services.values_list("service_id", flat=True))
        agreement.agreement_services.exclude(service_id__in=wanted).delete()
        AgreementService.objects.bulk_create(
            AgreementService(agreement=agreement, service_id=service_id)
            for service_id in wanted - current
        )
        requirements_sync(agreement=agreement)


def agreement_service_update(
    *, agreement_service: AgreementService, **fields: Any
) -> AgreementService:
    """Change one of an agreement's services; the agreements it leaves and joins are re-synced."""
    with transaction.atomic():
        previous_agreement_id = stored_value(agreement_service, "agreement_id")
        model_update(instance=agreement_service, fields=fields)
        requirements_sync(agreement=agreement_service.agreement)
        if agreement_service.agreement_id != previous_agreement_id:
            requirements_sync(agreement=Agreement.objects.get(pk=previous_agreement_id))
    return agreement_service


def agreement_service_remove(*, agreement_service: AgreementService) -> None:
    with transaction.atomic():
        agreement = agreement_service.agreement
        agreement_service.delete()
        requirements_sync(agreement=agreement)


# ------------------------------------------------------------------------------ requirements


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    removed: int = 0
    updated: int = 0


def requirements_sync(*, agreement: Agreement) -> SyncResult:
    """Bring the agreement's derived requirements in line with its services and environment."""
    return _sync_derived_requirements(Agreement.objects.filter(pk=agreement.pk))


def requirements_sync_for_client(*, client: Client) -> SyncResult:
    return _sync_derived_requirements(Agreement.objects.filter(client=client))


def requirements_sync_for_service(*, service: Service) -> SyncResult:
    return _sync_derived_requirements(Agreement.objects.filter(agreement_services__service=service))


def requirements_sync_for_agreements(*, agreements: QuerySet[Agreement]) -> SyncResult:
    """One sync for many agreements at once (an import syncs once, at its end)."""
    return _sync_derived_requirements(agreements)


def requirements_sync_all() -> SyncResult:
    return _sync_derived_requirements(Agreement.objects.all())


def _sync_derived_requirements(agreements: QuerySet[Agreement]) -> SyncResult:
    """Implements DESIGN "Derived requirements" for a set of agreements with a fixed number of
    queries: for each technology t an agreement's client runs that one of its services has in
    scope, one derived requirement (t.skill, t.version) at the highest minimum level among those
    services, naming the service that sets it (the first by name on a tie).

    An existing requirement is updated in place (level, service, minimum technicians), never
    deleted and recreated, so that its flags and history stay with it. Manual requirements are
    never read or written here.
    """
    needed = default_min_technicians()
    with transaction.atomic():
        # Locking the agreements (in id order, without joins) serializes concurrent syncs of the
        # same agreement, which would otherwise both insert the same missing requirement.
        client_by_agreement = dict(
            agreements.order_by("pk").select_for_update(of=("self",)).values_list("pk", "client_id")
        )
        if not client_by_agreement:
            return SyncResult()
        # The reads below take the agreements as a subquery, not as 30,000 literal ids (whose
        # sending cost more than the reads), and keep the rows of the agreements locked.
        agreement_ids = agreements.order_by().values("pk")

        # By level, highest first, then by name: the first service to need a skill sets it.
        links = [
            row
            for row in AgreementService.objects.filter(agreement_id__in=agreement_ids)
            .order_by("-service__min_level", "service__name", "service_id")
            .values_list("agreement_id", "service_id", "service__min_level")
            if row[0] in client_by_agreement
        ]
        scope: dict[int, set[int]] = {}
        for service_id, skill_id in Service.skills_in_scope.through.objects.filter(
            service_id__in={service_id for _, service_id, _ in links}
        ).values_list("service_id", "skill_id"):
            scope.setdefault(service_id, set()).add(skill_id)
        environment: dict[int, list[tuple[int, int | None]]] = {}
        for client_id, skill_id, version_id in ClientTechnology.objects.filter(
            client_id__in=agreements.order_by().values("client_id")
        ).values_list("client_id", "skill_id", "version_id"):
            environment.setdefault(client_id, []).append((skill_id, version_id))

        # (agreement, skill, version) -> (min_level, service)
        desired: dict[tuple[int, int, int | None], tuple[int, int]] = {}
        for agreement_id, service_id, min_level in links:
            for skill_id, version_id in environment.get(client_by_agreement[agreement_id], ()):
                if skill_id in scope.get(service_id, ()):
                    desired.setdefault(
                        (agreement_id, skill_id, version_id), (min_level, service_id)
                    )
        existing = {
            (r.agreement_id, r.skill_id, r.version_id): r
            for r in Requirement.objects.filter(
                agreement_id__in=agreement_ids, source=Requirement.Source.DERIVED
            ).only(
                "pk",
                "agreement_id",
                "service_id",
                "skill_id",
                "version_id",
                "min_level",
                "min_technicians",
            )
            if r.agreement_id in client_by_agreement
        }

        obsolete = [r.pk for key, r in existing.items() if key not in desired]
        if obsolete:
            # Deleted one by one under the hood: history records and flags pointing at them.
            Requirement.objects.filter(pk__in=obsolete).delete()

        stale = []
        for key, requirement in existing.items():
            if key not in desired:
                continue
            min_level, service_id = desired[key]
            wanted = (min_level, service_id, needed)
            if (requirement.min_level, requirement.service_id, requirement.min_technicians) != (
                wanted
            ):
                requirement.min_level, requirement.service_id = min_level, service_id
                requirement.min_technicians = needed
                stale.append(requirement)
        if stale:
            rows_update(stale, ["min_level", "service", "min_technicians"])
            Requirement.history.bulk_history_create(stale, batch_size=1000, update=True)

        # Built from validated rows (services, technologies), so not cleaned one by one: that
        # would cost a query per foreign key per row.
        missing = [
            Requirement(
                agreement_id=agreement_id,
                service_id=service_id,
                skill_id=skill_id,
                version_id=version_id,
                min_level=min_level,
                min_technicians=needed,
                source=Requirement.Source.DERIVED,
            )
            for (agreement_id, skill_id, version_id), (min_level, service_id) in desired.items()
            if (agreement_id, skill_id, version_id) not in existing
        ]
        if missing:
            bulk_create_with_history(missing, Requirement)
    return SyncResult(created=len(missing), removed=len(obsolete), updated=len(stale))


def requirement_create(
    *,
    agreement: Agreement,
    skill: Skill | None = None,
    version: SkillVersion | None = None,
    certification: Certification | None = None,
    min_level: int = Level.INDEPENDENT,
    min_technicians: int | None = None,
    notes: str = "",
) -> Requirement:
    """Add a requirement by hand, e.g. "the contract demands a CCNA holder"."""
    fields = {"min_technicians": min_technicians} if min_technicians is not None else {}
    return model_create(
        model=Requirement,
        fields={
            "agreement": agreement,
            "skill": skill,
            "version": version,
            "certification": certification,
            "min_level": min_level,
            "notes": notes,
            "source": Requirement.Source.MANUAL,
            **fields,
        },
    )


DERIVED_IS_READ_ONLY = (
    "This requirement comes from the agreement's services and the client's environment; "
    "change those instead."
)


def requirement_update(*, requirement: Requirement, **fields: Any) -> Requirement:
    if requirement.source == Requirement.Source.DERIVED:
        raise ValidationError(DERIVED_IS_READ_ONLY)
    if fields.get("source", Requirement.Source.MANUAL) != Requirement.Source.MANUAL:
        raise ValidationError("A requirement added by hand stays a manual requirement.")
    return model_update(instance=requirement, fields=fields)


def requirement_remove(*, requirement: Requirement) -> None:
    if requirement.source == Requirement.Source.DERIVED:
        raise ValidationError(DERIVED_IS_READ_ONLY)
    requirement.delete()
