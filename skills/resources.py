"""The columns of the technician files: what the lists export and the imports read
(agreements/imports/), so that a file exported, edited and imported again round-trips."""

import datetime

from import_export import fields, resources


def iso(day) -> str:
    return day.isoformat() if day else ""


class TechnicianResource(resources.Resource):
    name = fields.Field(attribute="name", column_name="Name")
    email = fields.Field(attribute="email", column_name="Email")
    status = fields.Field(attribute="status", column_name="Status")
    available_until = fields.Field(column_name="Last working day")
    time_zone = fields.Field(attribute="time_zone", column_name="Time zone")
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


def clock_text(value: datetime.time, *, end: bool = False) -> str:
    """A time as a file shows it, "09:00"; an end at midnight is "24:00", the end of the day."""
    if end and value == datetime.time(0, 0):
        return "24:00"
    return value.strftime("%H:%M")


class TimeOffResource(resources.Resource):
    technician_email = fields.Field(attribute="technician__email", column_name="Technician email")
    first_day = fields.Field(column_name="First day")
    last_day = fields.Field(column_name="Last day")
    kind = fields.Field(attribute="kind", column_name="Kind")
    note = fields.Field(attribute="note", column_name="Note")

    def dehydrate_first_day(self, time_off):
        return iso(time_off.first_day)

    def dehydrate_last_day(self, time_off):
        return iso(time_off.last_day)


class WorkingHoursResource(resources.Resource):
    """One row per period of a technician's week, in the technician's time zone."""

    technician_email = fields.Field(attribute="technician__email", column_name="Technician email")
    weekday = fields.Field(column_name="Weekday")
    start = fields.Field(column_name="Start")
    end = fields.Field(column_name="End")

    def dehydrate_weekday(self, hours):
        return hours.get_weekday_display()

    def dehydrate_start(self, hours):
        return clock_text(hours.start)

    def dehydrate_end(self, hours):
        return clock_text(hours.end, end=True)


class PartnerProgramResource(resources.Resource):
    vendor = fields.Field(attribute="vendor", column_name="Vendor")
    tier = fields.Field(attribute="tier", column_name="Tier")
    renewal_date = fields.Field(column_name="Renewal date")
    yearly_benefit = fields.Field(column_name="Yearly benefit")
    notes = fields.Field(attribute="notes", column_name="Notes")

    def dehydrate_renewal_date(self, programme):
        return iso(programme.renewal_date)

    def dehydrate_yearly_benefit(self, programme):
        return f"{programme.yearly_benefit:.2f}"


class PartnerRuleResource(resources.Resource):
    """One row per rule: the programme's vendor and tier, then a certification or a skill at a
    level, and the minimum number of technicians."""

    vendor = fields.Field(attribute="program__vendor", column_name="Vendor")
    tier = fields.Field(attribute="program__tier", column_name="Tier")
    certification = fields.Field(column_name="Certification")
    skill = fields.Field(column_name="Skill")
    min_level = fields.Field(column_name="Level")
    min_technicians = fields.Field(column_name="Technicians")

    def dehydrate_certification(self, rule):
        return rule.certification.name if rule.certification_id else ""

    def dehydrate_skill(self, rule):
        return rule.skill.name if rule.skill_id else ""

    def dehydrate_min_level(self, rule):
        return str(rule.min_level) if rule.min_level is not None else ""

    def dehydrate_min_technicians(self, rule):
        return str(rule.min_technicians)
