"""The team: technicians, the skills they hold and the certifications they hold."""

from django.db.models.functions import Lower

from agreements.imports import cell_values
from agreements.imports.kinds.base import Column, ModelKind
from agreements.imports.models import ImportKind
from core.models import add_months
from skills.models import Technician, TechnicianCertification, TechnicianSkill
from skills.resources import (
    TechnicianCertificationResource,
    TechnicianResource,
    TechnicianSkillResource,
)


class TechniciansKind(ModelKind):
    key = ImportKind.TECHNICIANS
    model = Technician
    resource_class = TechnicianResource
    what = "email address"
    key_field = "email"
    keep_spelling = ("email",)
    columns = (
        Column(
            "name",
            True,
            (
                "technician",
                "technician name",
                "full name",
                "resource",
                "resource name",
                "member",
                "agent",
                "employee",
            ),
        ),
        Column("email", True, ("email address", "e-mail", "work email", "technician email")),
        Column("status", synonyms=("technician status", "employment status", "active")),
        Column(
            "available_until",
            synonyms=(
                "last day",
                "last working day",
                "end date",
                "leaving date",
                "available until",
            ),
        ),
        Column("notes", synonyms=("note", "comments")),
    )

    def export_rows(self):
        return Technician.objects.order_by(Lower("email"), "pk")

    def read_row(self, reader):
        new_values = {
            "name": reader.text("name", required=True, max_length=120),
            "email": reader.text("email", required=True),
        }
        if reader.has("status"):
            new_values["status"] = reader.choice(
                "status", Technician.Status, Technician.Status.ACTIVE
            )
        if reader.has("available_until"):
            new_values["available_until"] = reader.date("available_until")
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        return new_values

    def display(self, new_values):
        return f"{new_values.get('name') or '?'} <{new_values.get('email') or '?'}>"


class HeldKind(ModelKind):
    """Something of the catalog that technicians hold (a skill, a certification): a file's row
    is matched on the technician and what is held."""

    held: str  # the field that names what is held
    # Relations of a saved row that the preview's old → new reads, besides the technician and
    # what is held.
    held_with: tuple[str, ...] = ()

    def natural_key(self, new_values):
        technician, held = new_values.get("technician"), new_values.get(self.held)
        if technician and held:
            return (technician.pk, held.pk)
        return None

    def existing(self, keys):
        rows = self.model.objects.filter(technician_id__in={key[0] for key in keys})
        return {
            (row.technician_id, getattr(row, f"{self.held}_id")): row
            for row in rows.select_related("technician", self.held, *self.held_with)
        }

    def display(self, new_values):
        technician, held = new_values.get("technician"), new_values.get(self.held)
        return f"{technician.email if technician else '?'}: {held.name if held else '?'}"


class TechnicianSkillsKind(HeldKind):
    key = ImportKind.TECHNICIAN_SKILLS
    model = TechnicianSkill
    resource_class = TechnicianSkillResource
    what = "technician and skill"
    held = "skill"
    held_with = ("oldest_version", "newest_version")
    columns = (
        Column(
            "technician_email", True, ("email", "technician", "email address", "resource email")
        ),
        Column("skill", True, ("skill name", "competency", "technology", "product")),
        Column("level", True, ("skill level", "proficiency", "rating")),
        Column("oldest_version", synonyms=("from version", "min version", "oldest")),
        Column("newest_version", synonyms=("to version", "max version", "newest")),
        Column("last_used", synonyms=("last used on", "last worked")),
    )

    def export_rows(self):
        return TechnicianSkill.objects.select_related(
            "technician", "skill", "oldest_version", "newest_version"
        ).order_by(Lower("technician__email"), Lower("skill__name"), "pk")

    def read_row(self, reader):
        skill = reader.skill()
        new_values = {
            "technician": reader.technician(),
            "skill": skill,
            "level": reader.read(
                "level",
                lambda raw: cell_values.whole_number(
                    raw.split("–")[0].split("-")[0], minimum=1, maximum=5
                ),
                required=True,
            ),
        }
        for key in ("oldest_version", "newest_version"):
            if reader.has(key):
                new_values[key] = reader.version(key, skill)
        if reader.has("last_used"):
            new_values["last_used"] = reader.date("last_used")
        return new_values


class CertificationsKind(HeldKind):
    key = ImportKind.CERTIFICATIONS
    model = TechnicianCertification
    resource_class = TechnicianCertificationResource
    what = "technician and certification"
    # One holding per technician and certification (the database's rule): a later earned on is
    # a renewal of the same row, shown as a change of its dates.
    held = "certification"
    columns = (
        Column("technician_email", True, ("email", "technician", "email address")),
        Column("certification", True, ("certificate", "certification name", "credential", "exam")),
        Column(
            "earned_on",
            True,
            ("earned", "date earned", "issued", "issue date", "date obtained", "achieved"),
        ),
        Column(
            "expires_on",
            synonyms=("expires", "expiry", "expiry date", "expiration date", "valid until"),
        ),
        Column(
            "credential_id",
            synonyms=(
                "credential",
                "certificate id",
                "license number",
                "certification number",
                "id",
            ),
        ),
    )

    def export_rows(self):
        return TechnicianCertification.objects.select_related(
            "technician", "certification"
        ).order_by(Lower("technician__email"), Lower("certification__name"), "earned_on", "pk")

    def read_row(self, reader):
        certification = reader.certification()
        new_values = {
            "technician": reader.technician(),
            "certification": certification,
            "earned_on": reader.date("earned_on", required=True),
        }
        if reader.has("expires_on"):
            expires_on = reader.date("expires_on")
            earned_on = new_values["earned_on"]
            if expires_on is None and earned_on and certification and certification.validity_months:
                # What the model fills in for a blank expiry, so that it is not shown as a change.
                expires_on = add_months(earned_on, certification.validity_months)
            new_values["expires_on"] = expires_on
        if reader.has("credential_id"):
            new_values["credential_id"] = reader.text("credential_id", max_length=100)
        return new_values

    def display(self, new_values):
        earned = new_values.get("earned_on")
        return f"{super().display(new_values)}{', earned ' + earned.isoformat() if earned else ''}"
