"""ConnectWise PSA (Manage): companies become clients, their contacts contacts, agreements
agreements (their type and additions named in the services cell, as ConnectWise names them, for
the connection's mappings), members technicians with their skills and certifications.

REST API 3.0 under the connection's base URL (".../v4_6_release/apis/3.0"): basic authentication
as "companyId+publicKey" with the private key, the integration's `clientId` header; lists page
with `page` (from 1) and `pageSize` (at most 1000), the last page being the short one.
"""

import httpx

from agreements.connectors.http import MalformedAnswer, VendorHttp
from agreements.connectors.vendors.base import (
    AGREEMENTS,
    AGREEMENTS_KIND,
    CERTIFICATIONS_KIND,
    CLIENTS,
    CLIENTS_KIND,
    CONTACTS_KIND,
    SKILLS_KIND,
    TECHNICIANS,
    TECHNICIANS_KIND,
    Records,
    RecordsBuilder,
    credential,
    day,
    full_name,
    money,
    nested,
    one_each,
    opened,
    paged_by_number,
    text,
)

kind = "connectwise"
label = "ConnectWise PSA"
credential_fields = (
    ("company_id", "Company ID"),
    ("public_key", "Public key"),
    ("private_key", "Private key"),
    ("client_id", "Client ID"),
)
secret_keys = frozenset({"private_key"})
# The import kinds each sync reads.
KINDS = {
    CLIENTS: (CLIENTS_KIND, CONTACTS_KIND),
    AGREEMENTS: (AGREEMENTS_KIND,),
    TECHNICIANS: (TECHNICIANS_KIND, SKILLS_KIND, CERTIFICATIONS_KIND),
}
syncs = frozenset(KINDS)
default_base_url = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"

MAX_PAGE_SIZE = 1000
# Bills a year for each of ConnectWise's billing cycles, and ours where there is one.
BILLS_A_YEAR = {
    "weekly": 52,
    "biweekly": 26,
    "monthly": 12,
    "bimonthly": 6,
    "quarterly": 4,
    "semiannual": 2,
    "annual": 1,
    "yearly": 1,
}
OUR_CYCLE = {"monthly": "monthly", "quarterly": "quarterly", "annual": "annual", "yearly": "annual"}
AGREEMENT_STATUS = {
    "active": "active",
    "cancelled": "cancelled",
    "expired": "expired",
    "inactive": "draft",
}


def open(base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp:  # noqa: A001
    company = credential(credentials, "company_id", "Company ID")
    public = credential(credentials, "public_key", "Public key")
    private = credential(credentials, "private_key", "Private key")
    client_id = credential(credentials, "client_id", "Client ID")
    return opened(
        base_url,
        http_options,
        auth=httpx.BasicAuth(f"{company}+{public}", private),
        headers={"clientId": client_id},
    )


def test(http: VendorHttp) -> str:
    answer = http.get("/company/companies/count")
    count = answer.get("count") if isinstance(answer, dict) else None
    if not isinstance(count, int):
        raise MalformedAnswer("/company/companies/count did not answer with a count")
    return f"Found {count} compan{'y' if count == 1 else 'ies'}."


def pages(http: VendorHttp, path: str):
    return paged_by_number(
        http, path, key=None, page_param="page", size_param="pageSize", maximum=MAX_PAGE_SIZE
    )


def fetch(http: VendorHttp, *, syncs: frozenset[str]) -> Records:
    records = RecordsBuilder.reading(syncs, KINDS)
    if CLIENTS in syncs:
        companies(http, records)
        contacts(http, records)
    if AGREEMENTS in syncs:
        agreements(http, records)
    if TECHNICIANS in syncs:
        members(http, records)
    return records.build()


def companies(http: VendorHttp, records: RecordsBuilder) -> None:
    for company in pages(http, "/company/companies"):
        name = text(company.get("name"))
        if not name:
            records.skip(f"Company {text(company.get('identifier')) or company.get('id')}: no name")
            continue
        address = ", ".join(
            part
            for part in (
                text(company.get("addressLine1")),
                text(company.get("city")),
                " ".join(one_each([text(company.get("state")), text(company.get("zip"))])),
            )
            if part
        )
        records.add(
            CLIENTS_KIND,
            company.get("id"),
            {
                "name": name,
                "status": client_status(company),
                "phone": text(company.get("phoneNumber")),
                "website": text(company.get("website")),
                "address": address,
            },
        )


def client_status(company: dict) -> str:
    status = text(nested(company, "status", "name")).casefold()
    if company.get("deletedFlag") is True or "inactive" in status or "former" in status:
        return "former"
    if "prospect" in status or "not approved" in status:
        return "prospect"
    return "active"


def contacts(http: VendorHttp, records: RecordsBuilder) -> None:
    for contact in pages(http, "/company/contacts"):
        name = full_name(contact.get("firstName"), contact.get("lastName"))
        company = text(nested(contact, "company", "name"))
        if not name or not company:
            missing = "no name" if not name else "no company"
            records.skip(f"Contact {contact.get('id')}{f' ({name})' if name else ''}: {missing}")
            continue
        records.add(
            CONTACTS_KIND,
            contact.get("id"),
            {
                "client": company,
                "name": name,
                "email": communication(contact, "Email"),
                "phone": communication(contact, "Phone"),
                "role": text(contact.get("title")),
                "is_primary": "yes" if contact.get("defaultFlag") is True else "no",
            },
        )


def communication(contact: dict, kind: str) -> str:
    """The contact's default email or phone among its communication items, else its first."""
    items = [
        item
        for item in contact.get("communicationItems") or []
        if isinstance(item, dict)
        and item.get("communicationType") == kind
        and text(item.get("value"))
    ]
    items.sort(key=lambda item: item.get("defaultFlag") is not True)
    return text(items[0].get("value")) if items else ""


def agreements(http: VendorHttp, records: RecordsBuilder) -> None:
    for agreement in pages(http, "/finance/agreements"):
        title = text(agreement.get("name"))
        where = f"Agreement {agreement.get('id')}{f' ({title})' if title else ''}"
        company = text(nested(agreement, "company", "name"))
        start = day(agreement.get("startDate"))
        cycle = text(nested(agreement, "billingCycle", "name"))
        cycle_key = "".join(letter for letter in cycle.casefold() if letter.isalpha())
        problem = (
            (not title and "no name")
            or (not company and "no company")
            or (not start and "no start date")
            or (cycle_key not in BILLS_A_YEAR and f"billing cycle '{cycle or '?'}' is not known")
        )
        amount = money(agreement.get("billAmount"))
        if not problem and amount is None:
            problem = "no billing amount"
        if problem:
            records.skip(f"{where}: {problem}")
            continue
        agreement_type = text(nested(agreement, "type", "name"))
        records.name("agreement_types", agreement_type)
        additions = addition_names(http, agreement.get("id"))
        for addition in additions:
            records.name("additions", addition)
        records.add(
            AGREEMENTS_KIND,
            agreement.get("id"),
            {
                "client": company,
                "title": title,
                "status": agreement_status(agreement),
                "start_date": start,
                "end_date": ""
                if agreement.get("noEndingDateFlag")
                else day(agreement.get("endDate")),
                "billing_cycle": OUR_CYCLE.get(cycle_key, ""),
                "annual_value": str(amount * BILLS_A_YEAR[cycle_key]),
                "services": "; ".join(one_each([agreement_type, *additions])),
            },
        )


def agreement_status(agreement: dict) -> str:
    if agreement.get("cancelledFlag") is True:
        return "cancelled"
    return AGREEMENT_STATUS.get(text(agreement.get("agreementStatus")).casefold(), "active")


def addition_names(http: VendorHttp, agreement_id) -> list[str]:
    """The products an agreement bills, by their identifier, leaving out cancelled ones."""
    names = []
    for addition in pages(http, f"/finance/agreements/{agreement_id}/additions"):
        if text(addition.get("cancelledDate")):
            continue
        names.append(
            text(nested(addition, "product", "identifier")) or text(addition.get("description"))
        )
    return one_each(names)


def members(http: VendorHttp, records: RecordsBuilder) -> None:
    for member in pages(http, "/system/members"):
        identifier = text(member.get("identifier")) or str(member.get("id"))
        name = full_name(member.get("firstName"), member.get("lastName"))
        email = text(member.get("officeEmail"))
        if not name or not email:
            records.skip(f"Member '{identifier}': {'no name' if not name else 'no email'}")
            continue
        records.add(
            TECHNICIANS_KIND,
            member.get("id"),
            {
                "name": name,
                "email": email,
                "status": "departed" if member.get("inactiveFlag") is True else "active",
            },
        )
        member_skills(http, records, member.get("id"), identifier, email)
        member_certifications(http, records, member.get("id"), identifier, email)


def member_skills(http, records: RecordsBuilder, member_id, identifier: str, email: str) -> None:
    for held in pages(http, f"/system/members/{member_id}/skills"):
        skill, level = text(nested(held, "skill", "name")), text(held.get("skillLevel"))
        if not skill or not level:
            missing = "no skill" if not skill else "no level"
            records.skip(f"Member '{identifier}' skill {held.get('id')}: {missing}")
            continue
        records.add(
            SKILLS_KIND,
            held.get("id"),
            {"technician_email": email, "skill": skill, "level": level},
        )
        records.name("skills", skill)
        records.name("skill_levels", level)


def member_certifications(
    http, records: RecordsBuilder, member_id, identifier: str, email: str
) -> None:
    for held in pages(http, f"/system/members/{member_id}/certifications"):
        name = text(nested(held, "certification", "name"))
        earned = day(held.get("dateReceived"))
        if not name or not earned:
            missing = "no certification" if not name else "not received yet"
            records.skip(
                f"Member '{identifier}' certification '{name or held.get('id')}': {missing}"
            )
            continue
        records.add(
            CERTIFICATIONS_KIND,
            held.get("id"),
            {
                "technician_email": email,
                "certification": name,
                "earned_on": earned,
                "expires_on": day(held.get("dateExpires")),
                "credential_id": text(held.get("certificationNumber")),
            },
        )
        records.name("certifications", name)
