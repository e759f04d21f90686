"""Client environments: what runs on each client's LAN, from a list or an RMM inventory."""

from django.db.models.functions import Lower
from django.utils import timezone

from agreements.imports import cell_values
from agreements.imports.kinds.base import (
    CHANGED,
    ERROR,
    NEW,
    REMOVED,
    UNCHANGED,
    Column,
    Kind,
    Plan,
    RowReader,
    apply,
)
from agreements.imports.models import ImportKind
from clients.models import ClientTechnology
from clients.resources import ClientTechnologyResource
from skills.aliases import normalised


class EnvironmentKind(Kind):
    """One row per client, product and version; an RMM inventory's rows (one per device and
    product) are summed: the quantity is the number of devices, else the sum of the quantities
    (1 for a row without one)."""

    key = ImportKind.ENVIRONMENT
    resource_class = ClientTechnologyResource
    columns = (
        Column(
            "client",
            True,
            (
                "company",
                "company name",
                "account",
                "account name",
                "customer",
                "customer name",
                "client name",
                "organization",
                "organisation",
                "site",
                "site name",
                "tenant",
            ),
        ),
        Column(
            "product",
            True,
            (
                "software",
                "software name",
                "application",
                "application name",
                "name",
                "program",
                "title",
                "skill",
                "technology",
                "product name",
                "display name",
            ),
        ),
        Column(
            "version",
            synonyms=(
                "display version",
                "product version",
                "software version",
                "app version",
                "build",
            ),
        ),
        Column(
            "quantity",
            synonyms=(
                "count",
                "qty",
                "installs",
                "installations",
                "licenses",
                "licences",
                "seats",
                "devices",
            ),
        ),
        Column(
            "device",
            synonyms=(
                "computer",
                "computer name",
                "device name",
                "hostname",
                "host name",
                "machine",
                "machine name",
                "endpoint",
                "system name",
                "asset",
                "node",
            ),
        ),
        Column("notes", synonyms=("note", "comments")),
    )

    def headers(self):
        return {**super().headers(), "device": "Device"}

    def export_rows(self):
        return ClientTechnology.objects.select_related("client", "skill", "version").order_by(
            Lower("client__name"), Lower("skill__name"), "version__rank", "pk"
        )

    def plan(self, records, context):
        plan = Plan()
        groups: dict[tuple, dict] = {}
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            client = reader.client()
            product = reader.text("product", required=True)
            skill_id = version_id = None
            if product:
                match = context.matcher.match(product)
                if match is None:
                    if reader.errors:
                        plan.add(row, ERROR, product, errors=reader.errors)
                        continue
                    name = " ".join(product.split())
                    if normalised(name) in context.ignored_products:
                        continue
                    entry = plan.unknown_products.setdefault(
                        normalised(name), {"name": name, "rows": 0}
                    )
                    entry["rows"] += 1
                    continue
                skill_id, version_id = match.skill_id, match.version_id
                if version_id is None and reader.has("version"):
                    version = reader.version("version", context.skills()[skill_id])
                    version_id = version.pk if version else None
            quantity = (
                reader.read("quantity", lambda raw: cell_values.whole_number(raw, minimum=1))
                if reader.has("quantity")
                else None
            )
            notes = reader.text("notes", max_length=255) if reader.has("notes") else None
            if reader.errors:
                plan.add(row, ERROR, product or "(no product)", errors=reader.errors)
                continue
            group = groups.setdefault(
                (client.pk, skill_id, version_id),
                {
                    "row": row,
                    "rows": 0,
                    "devices": set(),
                    "quantity": 0,
                    "notes": None,
                    "client": client,
                },
            )
            group["rows"] += 1
            if reader.has("device") and cells.get("device", "").strip():
                group["devices"].add(cells["device"].strip().casefold())
            group["quantity"] += quantity or 1
            if notes and group["notes"] is None:
                group["notes"] = notes

        client_ids = {key[0] for key in groups}
        existing = {
            (tech.client_id, tech.skill_id, tech.version_id): tech
            for tech in ClientTechnology.objects.filter(client_id__in=client_ids).select_related(
                "client", "skill", "version"
            )
        }
        skills, versions = context.skills(), context.versions()
        created, updated = [], []
        for key, group in sorted(groups.items(), key=lambda item: item[1]["row"]):
            client_id, skill_id, version_id = key
            skill = skills[skill_id]
            version = versions.get(version_id)
            quantity = len(group["devices"]) or group["quantity"]
            display = (
                f"{group['client'].name}: {skill.name}{' ' + version.label if version else ''}"
            )
            technology = existing.get(key)
            if technology is None:
                plan.add(
                    group["row"],
                    NEW,
                    display,
                    rows=group["rows"],
                    changes=[("Quantity", "—", str(quantity))],
                )
                created.append(
                    ClientTechnology(
                        client_id=client_id,
                        skill=skill,
                        version=version,
                        quantity=quantity,
                        notes=group["notes"] or "",
                    )
                )
                continue
            wanted = {"quantity": quantity}
            if group["notes"] is not None:
                wanted["notes"] = group["notes"]
            changes = apply(technology, wanted, labels={"quantity": "Quantity", "notes": "Notes"})
            plan.add(
                group["row"],
                CHANGED if changes else UNCHANGED,
                display,
                rows=group["rows"],
                changes=changes,
            )
            if changes:
                updated.append(technology)
        removed = []
        if context.replace_environment:
            for key, technology in existing.items():
                if key not in groups:
                    removed.append(technology.pk)
                    plan.add(0, REMOVED, f"{technology.client.name}: {technology}")
        if created or updated or removed:
            changed_clients = (
                {tech.client_id for tech in created}
                | {tech.client_id for tech in updated}
                | {key[0] for key, tech in existing.items() if tech.pk in removed}
            )
            plan.clients_with_new_environment |= changed_clients

            def write_environment():
                if removed:
                    ClientTechnology.objects.filter(pk__in=removed).delete()
                if updated:
                    ClientTechnology.objects.bulk_update(
                        updated, ["quantity", "notes", "updated_at"], batch_size=1000
                    )
                if created:
                    ClientTechnology.objects.bulk_create(created, batch_size=1000)

            for technology in updated:
                technology.updated_at = timezone.now()
            plan.writes.append(write_environment)
        return plan
