"""Agreements, each with the services it includes."""

from django.db.models.functions import Lower

from agreements.imports import cell_values
from agreements.imports.kinds.base import (
    CHANGED,
    ERROR,
    NEW,
    UNCHANGED,
    Column,
    Kind,
    Plan,
    RowReader,
    apply,
    checked,
    duplicate_error,
    message,
)
from agreements.imports.models import ImportKind
from agreements.models import Agreement, AgreementService
from agreements.resources import SERVICE_SEPARATOR, AgreementResource
from agreements.services import agreement_reference_claim, agreement_reference_next


class AgreementsKind(Kind):
    key = ImportKind.AGREEMENTS
    resource_class = AgreementResource
    columns = (
        Column(
            "reference",
            synonyms=(
                "agreement",
                "agreement number",
                "contract number",
                "contract id",
                "agreement id",
                "ref",
            ),
        ),
        Column(
            "client",
            True,
            ("company", "company name", "account", "account name", "customer", "client name"),
        ),
        Column(
            "title", True, ("name", "agreement name", "contract name", "contract", "description")
        ),
        Column("status", synonyms=("agreement status", "contract status")),
        Column("start_date", True, ("start", "starts", "start on", "effective date", "begin date")),
        Column("end_date", synonyms=("end", "ends", "end on", "expiration date", "expiry date")),
        Column(
            "auto_renew", synonyms=("auto renew", "autorenew", "renews automatically", "renewal")
        ),
        Column("notice_days", synonyms=("notice", "notice period", "notice period days")),
        Column(
            "billing_cycle",
            synonyms=("billing", "billing frequency", "invoice cycle", "billing period"),
        ),
        Column(
            "annual_value",
            True,
            ("value", "annual amount", "yearly value", "arr", "contract value", "amount"),
        ),
        Column(
            "sla_response_hours", synonyms=("sla", "sla hours", "response hours", "response time")
        ),
        Column("support_hours", synonyms=("coverage hours", "hours of support", "support window")),
        Column("services", synonyms=("service", "products", "service list")),
        Column("notes", synonyms=("note", "comments")),
    )

    def export_rows(self):
        return (
            Agreement.objects.select_related("client")
            .prefetch_related("agreement_services__service")
            .order_by(Lower("client__name"), "reference", "pk")
        )

    def read(self, reader: RowReader) -> tuple[dict, list | None]:
        new_values = {
            "client": reader.client(),
            "title": " ".join(reader.text("title", required=True, max_length=200).split()),
            "start_date": reader.date("start_date", required=True),
            "annual_value": reader.read("annual_value", cell_values.money, required=True),
        }
        if reader.has("status"):
            new_values["status"] = reader.choice("status", Agreement.Status, Agreement.Status.DRAFT)
        if reader.has("end_date"):
            new_values["end_date"] = reader.date("end_date")
        if reader.has("auto_renew"):
            new_values["auto_renew"] = bool(reader.read("auto_renew", cell_values.yes_no))
        for key, default in (("notice_days", 60), ("sla_response_hours", 4)):
            if reader.has(key):
                number = reader.read(key, lambda raw: cell_values.whole_number(raw, maximum=32767))
                new_values[key] = default if number is None else number
        for key, choices, default in (
            ("billing_cycle", Agreement.BillingCycle, Agreement.BillingCycle.MONTHLY),
            ("support_hours", Agreement.SupportHours, Agreement.SupportHours.BUSINESS),
        ):
            if reader.has(key):
                new_values[key] = reader.choice(key, choices, default)
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        services = None
        if reader.has("services"):
            services = []
            for name in reader.cells["services"].replace("|", ";").replace(",", ";").split(";"):
                name = " ".join(name.split())
                if not name:
                    continue
                service = reader.context.services().get(name.casefold())
                if service is None:
                    reader.fail("services", f"'{name[:80]}' is not a service of the catalog")
                else:
                    services.append(service)
        return new_values, services

    def plan(self, records, context):
        plan = Plan()
        labels = self.headers()
        by_reference = {}
        by_title = {}
        for agreement in Agreement.objects.select_related("client").prefetch_related(
            "agreement_services"
        ):
            by_reference[agreement.reference.casefold()] = agreement
            by_title.setdefault((agreement.client_id, agreement.title.casefold()), agreement)
        first_row = {}
        references_taken = set(by_reference)
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            new_values, services = self.read(reader)
            reference = reader.text("reference", max_length=20) if reader.has("reference") else ""
            client = new_values.get("client")
            display = (
                f"{reference or '(new)'} {client.name if client else '?'}: "
                f"{new_values.get('title') or '?'}"
            )
            agreement = by_reference.get(reference.casefold()) if reference else None
            if agreement is None and not reference and client is not None:
                agreement = by_title.get((client.pk, new_values["title"].casefold()))
            key = (
                ("ref", reference.casefold())
                if reference
                else (
                    "title",
                    client.pk if client else None,
                    new_values.get("title", "").casefold(),
                )
            )
            if key in first_row:
                reader.errors.append(duplicate_error(row, first_row[key], "agreement"))
            first_row.setdefault(key, row)
            if reader.errors:
                plan.add(row, ERROR, display, errors=reader.errors)
                continue
            if agreement is None:
                agreement = Agreement(**new_values)
                status, changes = NEW, []
                if reference and reference.casefold() in references_taken:
                    reader.errors.append(message(row, "Reference", f"{reference} is already used"))
                references_taken.add(reference.casefold())
            else:
                changes = apply(agreement, new_values, labels=labels)
                status = CHANGED if changes else UNCHANGED
            errors = reader.errors + checked(agreement, row, labels, exclude=["reference"])
            if errors:
                plan.add(row, ERROR, display, errors=errors)
                continue
            current = (
                {link.service_id for link in agreement.agreement_services.all()}
                if agreement.pk
                else set()
            )
            wanted = {service.pk for service in services} if services is not None else current
            if wanted != current:
                names = {service.pk: service.name for service in context.services().values()}
                changes.append(
                    (
                        labels["services"],
                        SERVICE_SEPARATOR.join(sorted(names[pk] for pk in current)) or "—",
                        SERVICE_SEPARATOR.join(sorted(names[pk] for pk in wanted)) or "—",
                    )
                )
                status = CHANGED if status == UNCHANGED else status
            plan.add(row, status, display, changes=changes)
            if status != UNCHANGED:
                plan.writes.append(
                    self.writer(
                        agreement,
                        reference,
                        wanted if wanted != current else None,
                        plan,
                        context.user,
                    )
                )
        return plan

    @staticmethod
    def writer(agreement, reference, services, plan, user):
        def write():
            if agreement.pk is None:
                if reference:
                    agreement_reference_claim(reference)
                agreement.reference = reference or agreement_reference_next()
            agreement._history_user = user
            agreement.save()
            if services is not None:
                agreement.agreement_services.exclude(service_id__in=services).delete()
                current = set(agreement.agreement_services.values_list("service_id", flat=True))
                AgreementService.objects.bulk_create(
                    AgreementService(agreement=agreement, service_id=pk)
                    for pk in services - current
                )
            plan.agreements_touched.add(agreement.pk)

        return write
