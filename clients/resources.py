"""The columns of the client files: what the lists export and the imports read
(agreements/imports/), so that a file exported, edited and imported again round-trips."""

from import_export import fields, resources


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def iso(day) -> str:
    return day.isoformat() if day else ""


class ClientResource(resources.Resource):
    """One row per client, its primary contact on the same row. Export from
    `clients.selectors.clients_for_export`, which reads the primary contacts with the clients."""

    name = fields.Field(attribute="name", column_name="Name")
    status = fields.Field(attribute="status", column_name="Status")
    industry = fields.Field(attribute="industry", column_name="Industry")
    seats = fields.Field(attribute="seats", column_name="Seats")
    phone = fields.Field(attribute="phone", column_name="Phone")
    email = fields.Field(attribute="email", column_name="Email")
    website = fields.Field(attribute="website", column_name="Website")
    address = fields.Field(attribute="address", column_name="Address")
    time_zone = fields.Field(attribute="time_zone", column_name="Time zone")
    primary_contact = fields.Field(column_name="Primary contact")
    primary_contact_email = fields.Field(column_name="Primary contact email")
    primary_contact_phone = fields.Field(column_name="Primary contact phone")
    notes = fields.Field(attribute="notes", column_name="Notes")

    @staticmethod
    def _primary(client):
        primaries = getattr(client, "primary_contacts", None)
        if primaries is None:
            primaries = list(client.contacts.filter(is_primary=True))
        return primaries[0] if primaries else None

    def dehydrate_seats(self, client):
        return str(client.seats)

    def dehydrate_primary_contact(self, client):
        primary = self._primary(client)
        return primary.name if primary else ""

    def dehydrate_primary_contact_email(self, client):
        primary = self._primary(client)
        return primary.email if primary else ""

    def dehydrate_primary_contact_phone(self, client):
        primary = self._primary(client)
        return primary.phone if primary else ""


class ContactResource(resources.Resource):
    client = fields.Field(attribute="client__name", column_name="Client")
    name = fields.Field(attribute="name", column_name="Name")
    email = fields.Field(attribute="email", column_name="Email")
    phone = fields.Field(attribute="phone", column_name="Phone")
    role = fields.Field(attribute="role", column_name="Role")
    is_primary = fields.Field(column_name="Primary")

    def dehydrate_is_primary(self, contact):
        return yes_no(contact.is_primary)


class ClientTechnologyResource(resources.Resource):
    """What runs on each client's LAN: product as the catalog names it, version label, count."""

    client = fields.Field(attribute="client__name", column_name="Client")
    product = fields.Field(attribute="skill__name", column_name="Product")
    version = fields.Field(column_name="Version")
    quantity = fields.Field(column_name="Quantity")
    notes = fields.Field(attribute="notes", column_name="Notes")

    def dehydrate_version(self, technology):
        return technology.version.label if technology.version_id else ""

    def dehydrate_quantity(self, technology):
        return str(technology.quantity)
