"""The columns of the agreement files and of the flag list's download; agreement files are also
what the imports read (agreements/imports/), so that they round-trip."""

from django.utils import timezone
from import_export import fields, resources

SERVICE_SEPARATOR = "; "


def iso(day) -> str:
    return day.isoformat() if day else ""


class AgreementResource(resources.Resource):
    """Export from `agreements.selectors.agreements_for_export`, which reads the services with
    the agreements."""

    reference = fields.Field(attribute="reference", column_name="Reference")
    client = fields.Field(attribute="client__name", column_name="Client")
    title = fields.Field(attribute="title", column_name="Title")
    status = fields.Field(attribute="status", column_name="Status")
    start_date = fields.Field(column_name="Start date")
    end_date = fields.Field(column_name="End date")
    auto_renew = fields.Field(column_name="Auto-renew")
    notice_days = fields.Field(column_name="Notice days")
    billing_cycle = fields.Field(attribute="billing_cycle", column_name="Billing cycle")
    annual_value = fields.Field(column_name="Annual value")
    sla_response_hours = fields.Field(column_name="SLA response hours")
    support_hours = fields.Field(attribute="support_hours", column_name="Support hours")
    services = fields.Field(column_name="Services")
    notes = fields.Field(attribute="notes", column_name="Notes")

    def dehydrate_start_date(self, agreement):
        return iso(agreement.start_date)

    def dehydrate_end_date(self, agreement):
        return iso(agreement.end_date)

    def dehydrate_auto_renew(self, agreement):
        return "yes" if agreement.auto_renew else "no"

    def dehydrate_notice_days(self, agreement):
        return str(agreement.notice_days)

    def dehydrate_annual_value(self, agreement):
        return f"{agreement.annual_value:.2f}"

    def dehydrate_sla_response_hours(self, agreement):
        return str(agreement.sla_response_hours)

    def dehydrate_services(self, agreement):
        return SERVICE_SEPARATOR.join(
            sorted(link.service.name for link in agreement.agreement_services.all())
        )


class CoverageFlagResource(resources.Resource):
    """The flag list's download (flags are found by the check, not imported)."""

    agreement = fields.Field(attribute="agreement__reference", column_name="Agreement")
    client = fields.Field(attribute="agreement__client__name", column_name="Client")
    requirement = fields.Field(attribute="requirement_label", column_name="Requirement")
    status = fields.Field(attribute="status", column_name="Status")
    risk_kind = fields.Field(attribute="risk_kind", column_name="Kind of risk")
    reason = fields.Field(attribute="reason", column_name="Reason")
    qualified_count = fields.Field(column_name="Qualified technicians")
    lapses_on = fields.Field(column_name="Lapses on")
    first_detected = fields.Field(column_name="First detected")
    resolved = fields.Field(column_name="Resolved")

    def dehydrate_qualified_count(self, flag):
        return str(flag.qualified_count)

    def dehydrate_lapses_on(self, flag):
        return iso(flag.lapses_on)

    def dehydrate_first_detected(self, flag):
        return iso(timezone.localdate(flag.first_detected_at))

    def dehydrate_resolved(self, flag):
        return iso(timezone.localdate(flag.resolved_at)) if flag.resolved_at else ""
