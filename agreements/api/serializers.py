"""What the API reads and writes of each row. Nested lists are replaced as the pages' forms
replace them (rows.py); writes go through the apps' save services."""

from agreements.api.rows import ParentSerializer, RowSerializer
from clients.models import Client, ClientTechnology, Contact
from clients.services import client_save
from core.services import NO_CHANGES as NO_ROWS

TIMESTAMPS = ("created_at", "updated_at")


# ------------------------------------------------------------------------------ clients


class ContactSerializer(RowSerializer):
    class Meta:
        model = Contact
        fields = ("id", "name", "email", "phone", "role", "is_primary")


class EnvironmentRowSerializer(RowSerializer):
    class Meta:
        model = ClientTechnology
        fields = ("id", "skill", "version", "quantity", "notes")


class ClientSerializer(ParentSerializer):
    contacts = ContactSerializer(many=True, required=False)
    environment = EnvironmentRowSerializer(many=True, required=False, source="technologies")
    nested = ("contacts", "environment")

    class Meta:
        model = Client
        fields = (
            "id",
            "name",
            "status",
            "industry",
            "seats",
            "account_manager",
            "phone",
            "email",
            "address",
            "website",
            "notes",
            "contacts",
            "environment",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return client_save(
            client=instance,
            fields=fields,
            contacts=changes.get("contacts", NO_ROWS),
            environment=changes.get("technologies", NO_ROWS),
        )
