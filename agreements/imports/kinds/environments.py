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
    checked,
)
from agreements.imports.models import ImportKind
from clients.models import Client, ClientTechnology
from clients.resources import ClientTechnologyResource
from skills.aliases import normalised

UNKNOWN = object()
LEFT_OUT = object()


def unknown_version_key(name: str, version_label: str) -> str:
    """How an unknown version of a product is named among a batch's choices, and the pattern
    of the alias that remembers it."""
    return normalised(f"{name} {version_label}")


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
        Column(
            "publisher",
            synonyms=(
                "vendor",
                "manufacturer",
                "software publisher",
                "software vendor",
                "publisher name",
                "vendor name",
            ),
        ),
    )

    def headers(self):
        return {**super().headers(), "device": "Device", "publisher": "Publisher"}

    @staticmethod
    def publisher_fits(reader: RowReader, context, match, product: str) -> bool:
        """Whether the row's publisher, when the file has one, can make the matched skill:
        "Veeam Agent for Microsoft Windows" by Veeam is not Windows (by Microsoft). A match on
        the whole product name (an alias made for it) always fits."""
        publisher = normalised(reader.text("publisher")) if reader.has("publisher") else ""
        vendor = normalised(context.skills()[match.skill_id].vendor)
        if not publisher or not vendor or match.pattern == normalised(product):
            return True
        return vendor.split()[0] in publisher.split()

    def export_rows(self):
        return ClientTechnology.objects.select_related("client", "skill", "version").order_by(
            Lower("client__name"), Lower("skill__name"), "version__rank", "pk"
        )

    @staticmethod
    def version_of_cell(context, skill_id: int, product: str, label: str):
        """The version of `skill_id` a version cell names: through an alias remembered for
        this product and cell, else by its label; None for an empty cell or a skill the
        catalog records no versions of; UNKNOWN for a version the catalog does not know (a
        build number), which is not a row error but listed to be mapped, imported without a
        version or left out."""
        if not label or not context.matcher.known_labels(skill_id):
            return None
        remembered = context.matcher.match(f"{product} {label}")
        if (
            remembered is not None
            and remembered.skill_id == skill_id
            and remembered.version_id is not None
        ):
            return remembered.version_id
        return context.matcher.version_for(skill_id, label) or UNKNOWN

    @staticmethod
    def client(reader: RowReader, plan: Plan, context, new_clients: dict):
        """The client a row names: a saved one (by name or a remembered spelling), a new one
        when the preview chose to create it, or LEFT_OUT: a name Covered does not know is
        listed to be mapped, created or left out, and its rows wait for that choice."""
        name = " ".join(reader.text("client", required=True).split())
        if not name:
            return None
        known = context.clients().get(name.casefold())
        if known is not None:
            return known
        key = normalised(name)
        if key in context.ignored_clients:
            return LEFT_OUT
        if key in context.created_clients:
            if key not in new_clients:
                new_clients[key] = Client(name=name)
            client = new_clients[key]
            reader.errors += checked(client, reader.row, {"name": "Client"})
            return client
        entry = plan.unknown_clients.setdefault(key, {"name": name, "rows": 0})
        entry["rows"] += 1
        return LEFT_OUT

    def plan(self, records, context):
        plan = Plan()
        groups: dict[tuple, dict] = {}
        new_clients: dict[str, Client] = {}
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            client = self.client(reader, plan, context, new_clients)
            if client is LEFT_OUT:
                continue
            product = reader.text("product", required=True)
            skill_id = version_id = None
            if product:
                match = context.matcher.match(product)
                if match is not None and not self.publisher_fits(reader, context, match, product):
                    match = None
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
                if version_id is None:
                    version_id = context.matcher.version_in_name(skill_id, product)
                if version_id is None and reader.has("version"):
                    label = " ".join(reader.text("version").split())
                    version_id = self.version_of_cell(context, skill_id, product, label)
                    if version_id is UNKNOWN:
                        unknown = unknown_version_key(product, label)
                        if unknown in context.ignored_versions:
                            continue
                        if unknown not in context.versionless:
                            entry = plan.unknown_versions.setdefault(
                                unknown,
                                {
                                    "name": " ".join(product.split()),
                                    "version": label,
                                    "skill": context.skills()[skill_id].name,
                                    "skill_id": skill_id,
                                    "rows": 0,
                                },
                            )
                            entry["rows"] += 1
                            continue
                        version_id = None
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
                (client.pk or f"new:{client.name.casefold()}", skill_id, version_id),
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

        client_ids = {group["client"].pk for group in groups.values() if group["client"].pk}
        if context.replace_environment:
            # A client whose rows are all gone is replaced too: none of its rows is kept.
            clients = context.clients()
            client_ids |= {clients[name].pk for name in context.replaced_clients if name in clients}
        existing = {
            (tech.client_id, tech.skill_id, tech.version_id): tech
            for tech in ClientTechnology.objects.filter(client_id__in=client_ids).select_related(
                "client", "skill", "version"
            )
        }
        skills, versions = context.skills(), context.versions()
        created, updated = [], []
        for key, group in sorted(groups.items(), key=lambda item: item[1]["row"]):
            _, skill_id, version_id = key
            skill = skills[skill_id]
            version = versions.get(version_id)
            quantity = len(group["devices"]) or group["quantity"]
            client_shown = group["client"].name + ("" if group["client"].pk else " (new client)")
            display = f"{client_shown}: {skill.name}{' ' + version.label if version else ''}"
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
                        client=group["client"],
                        skill=skill,
                        version=version,
                        quantity=quantity,
                        notes=group["notes"] or "",
                    )
                )
                continue
            # An RMM export limited to some devices lowers every count: say so before it does.
            warnings = (
                [f"the file lists {quantity}, Covered has {technology.quantity}: a partial export?"]
                if quantity * 2 < technology.quantity
                else []
            )
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
                warnings=warnings,
            )
            if changes:
                updated.append(technology)
        removed = []
        if context.replace_environment:
            for key, technology in existing.items():
                if key not in groups:
                    removed.append(technology.pk)
                    plan.removed_per_client[technology.client_id] = (
                        plan.removed_per_client.get(technology.client_id, 0) + 1
                    )
                    plan.add(0, REMOVED, f"{technology.client.name}: {technology}")
        if created or updated or removed:
            # New clients have no agreements yet: nothing to sync or note for them.
            changed_clients = (
                {tech.client_id for tech in created if tech.client_id}
                | {tech.client_id for tech in updated}
                | {key[0] for key, tech in existing.items() if tech.pk in removed}
            )
            plan.clients_with_new_environment |= changed_clients

            clients_to_create = {
                id(tech.client): tech.client for tech in created if tech.client.pk is None
            }.values()

            def write_environment():
                for client in clients_to_create:
                    client._history_user = context.user
                    client.save()
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
