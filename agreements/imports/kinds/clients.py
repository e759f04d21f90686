"""Clients (each with its primary contact on the same row) and their contacts."""

from django.db import models
from django.db.models.functions import Lower

from agreements.imports import cell_values
from agreements.imports.kinds.base import Column, ModelKind, apply, checked
from agreements.imports.models import ImportKind
from clients.models import Client, Contact
from clients.resources import ClientResource, ContactResource


class ClientsKind(ModelKind):
    key = ImportKind.CLIENTS
    model = Client
    resource_class = ClientResource
    what = "client name"
    key_field = "name"
    keep_spelling = ("name",)
    columns = (
        Column(
            "name",
            True,
            (
                "client",
                "client name",
                "company",
                "company name",
                "account",
                "account name",
                "customer",
                "customer name",
                "organization",
                "organisation",
                "site name",
            ),
        ),
        Column("status", synonyms=("client status", "company status", "account status")),
        Column("industry", synonyms=("vertical", "market", "sector", "company type")),
        Column("seats", synonyms=("users", "user count", "employees", "workstations", "endpoints")),
        Column("phone", synonyms=("phone number", "main phone", "telephone")),
        Column("email", synonyms=("email address", "company email", "main email")),
        Column("website", synonyms=("web site", "url", "web", "homepage")),
        Column("address", synonyms=("street", "address line 1", "street address")),
        Column("time_zone", synonyms=("timezone", "tz", "zone", "client time zone")),
        Column(
            "primary_contact",
            synonyms=("contact", "contact name", "primary contact name", "main contact"),
        ),
        Column("primary_contact_email", synonyms=("contact email",)),
        Column("primary_contact_phone", synonyms=("contact phone",)),
        Column("notes", synonyms=("note", "comments", "description")),
    )

    def export_rows(self):
        return Client.objects.order_by(Lower("name"), "pk").prefetch_related(
            models.Prefetch(
                "contacts",
                queryset=Contact.objects.filter(is_primary=True),
                to_attr="primary_contacts",
            )
        )

    def read_row(self, reader):
        new_values = {"name": " ".join(reader.text("name", required=True, max_length=150).split())}
        for key in ("industry", "phone", "email", "address", "notes"):
            if reader.has(key):
                new_values[key] = reader.text(key)
        if reader.has("website"):
            new_values["website"] = reader.read("website", cell_values.website) or ""
        if reader.has("status"):
            new_values["status"] = reader.choice("status", Client.Status, Client.Status.ACTIVE)
        if reader.has("seats"):
            new_values["seats"] = reader.read("seats", cell_values.whole_number) or 0
        if reader.has("time_zone"):
            time_zone = reader.time_zone()
            if time_zone:
                new_values["time_zone"] = time_zone
        return new_values

    def display(self, new_values):
        return new_values.get("name") or "(no name)"

    def after(self, client, reader, plan, context):
        if not reader.has("primary_contact"):
            return []
        name = reader.text("primary_contact", max_length=120)
        email = (
            reader.text("primary_contact_email") if reader.has("primary_contact_email") else None
        )
        phone = (
            reader.text("primary_contact_phone") if reader.has("primary_contact_phone") else None
        )
        primary = (
            Contact.objects.filter(client=client, is_primary=True).first() if client.pk else None
        )
        if not name:
            return []
        contact = primary or Contact(client=client, is_primary=True)
        wanted = {"name": name}
        if email is not None:
            wanted["email"] = email
        if phone is not None:
            wanted["phone"] = phone
        labels = {
            "name": "Primary contact",
            "email": "Primary contact email",
            "phone": "Primary contact phone",
        }
        changes = apply(contact, wanted, labels=labels)
        reader.errors += checked(contact, reader.row, labels, exclude=["client"])
        if changes:

            def save_contact():
                contact.client = client
                contact._history_user = context.user
                contact.save()

            client._import_after_save = [save_contact]
        return changes


class ContactsKind(ModelKind):
    key = ImportKind.CONTACTS
    model = Contact
    resource_class = ContactResource
    what = "contact"
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
                "client name",
                "organization",
            ),
        ),
        Column("name", True, ("contact", "contact name", "full name")),
        Column("email", synonyms=("email address", "e-mail", "contact email")),
        Column("phone", synonyms=("phone number", "telephone", "mobile", "direct phone")),
        Column("role", synonyms=("title", "job title", "position", "contact type")),
        Column("is_primary", synonyms=("primary contact", "is primary", "default contact")),
    )

    def export_rows(self):
        return Contact.objects.select_related("client").order_by(
            Lower("client__name"), "-is_primary", Lower("name"), "pk"
        )

    def read_row(self, reader):
        new_values = {
            "client": reader.client(),
            "name": reader.text("name", required=True, max_length=120),
        }
        for key in ("email", "phone", "role"):
            if reader.has(key):
                new_values[key] = reader.text(key)
        if reader.has("is_primary"):
            new_values["is_primary"] = bool(reader.read("is_primary", cell_values.yes_no))
        return new_values

    def natural_key(self, new_values):
        client = new_values.get("client")
        if client is None:
            return None
        email = new_values.get("email", "")
        return (
            (client.pk, "email", email.casefold())
            if email
            else (client.pk, "name", new_values["name"].casefold())
        )

    def existing(self, keys):
        found = {}
        for contact in Contact.objects.filter(client_id__in={key[0] for key in keys}):
            found[(contact.client_id, "name", contact.name.casefold())] = contact
        for contact in Contact.objects.filter(client_id__in={key[0] for key in keys}).exclude(
            email=""
        ):
            found[(contact.client_id, "email", contact.email.casefold())] = contact
        return found

    def display(self, new_values):
        client = new_values.get("client")
        return f"{client.name if client else '?'}: {new_values.get('name') or '(no name)'}"

    def one_per_file(self, instance):
        if not instance.is_primary:
            return None
        return (instance.client.pk, "primary"), f"{instance.client.name}'s primary contact"
