"""The columns of the technician files: what the lists export and the imports read
(agreements/imports/), so that a file exported, edited and imported again round-trips."""

from import_export import fields, resources


def iso(day) -> str:
    return day.isoformat() if day else ""


class TechnicianResource(resources.Resource):
    name = fields.Field(attribute="name", column_name="Name")
    email = fields.Field(attribute="email", column_name="Email")
    status = fields.Field(attribute="status", column_name="Status")
    available_until = fields.Field(column_name="Last working day")
    notes = fields.Field(attribute="notes", column_name="Notes")

    def dehydrate_available_until(self, technician):
        return iso(technician.available_until)


class TechnicianSkillResource(resources.Resource):
    technician_email = fields.Field(attribute="technician__email", column_name="Technician email")
    skill = fields.Field(attribute="skill__name", column_name="Skill")
    level = fields.Field(column_name="Level")
    oldest_version = fields.Field(column_name="Oldest version")
    newest_version = fields.Field(column_name="Newest version")
    last_used = fields.Field(column_name="Last used")

    def dehydrate_level(self, technician_skill):
        return str(technician_skill.level)

    def dehydrate_oldest_version(self, technician_skill):
        version = technician_skill.oldest_version
        return version.label if version else ""

    def dehydrate_newest_version(self, technician_skill):
        version = technician_skill.newest_version
        return version.label if version else ""

    def dehydrate_last_used(self, technician_skill):
        return iso(technician_skill.last_used)


class TechnicianCertificationResource(resources.Resource):
    technician_email = fields.Field(attribute="technician__email", column_name="Technician email")
    certification = fields.Field(attribute="certification__name", column_name="Certification")
    earned_on = fields.Field(column_name="Earned on")
    expires_on = fields.Field(column_name="Expires on")
    credential_id = fields.Field(attribute="credential_id", column_name="Credential ID")

    def dehydrate_earned_on(self, held):
        return iso(held.earned_on)

    def dehydrate_expires_on(self, held):
        return iso(held.expires_on)
