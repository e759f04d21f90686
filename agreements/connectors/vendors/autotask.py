"""Autotask PSA: companies become clients, their contacts contacts, contracts agreements (their
contract type named in the services cell, as Autotask names it, for the connection's
mappings), resources technicians with their skills.

REST API v1.0: the API user's zone is looked up first (`zoneInformation?user=` below the
connection's base URL, Autotask's own "https://webservices.autotask.net/atservicesrest"), then
every call goes to the zone's URL with the `ApiIntegrationCode`, `UserName` and `Secret`
headers. An entity is read by POSTing a query to `/V1.0/<Entity>/query`; each answer holds
`items` and the address of the next page in `pageDetails.nextPageUrl` (read with GET).
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from agreements.connectors.http import MalformedAnswer, VendorHttp
from agreements.connectors.vendors.base import (
    AGREEMENTS,
    AGREEMENTS_KIND,
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
    listed,
    money,
    nested,
    one_each,
    opened,
    text,
)

kind = "autotask"
label = "Autotask"
credential_fields = (
    ("username", "API user name"),
    ("secret", "Secret"),
    ("integration_code", "API tracking identifier"),
)
secret_keys = frozenset({"secret", "integration_code"})
# The import kinds each sync reads.
KINDS = {
    CLIENTS: (CLIENTS_KIND, CONTACTS_KIND),
    AGREEMENTS: (AGREEMENTS_KIND,),
    TECHNICIANS: (TECHNICIANS_KIND, SKILLS_KIND),
}
syncs = frozenset(KINDS)
default_base_url = "https://webservices.autotask.net/atservicesrest"

MAX_PAGE_SIZE = 500
EVERY_RECORD = [{"op": "gte", "field": "id", "value": 0}]


def open(base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp:  # noqa: A001
    username = credential(credentials, "username", "API user name")
    headers = {
        "ApiIntegrationCode": credential(
            credentials, "integration_code", "API tracking identifier"
        ),
        "UserName": username,
        "Secret": credential(credentials, "secret", "Secret"),
    }
    with opened(base_url, http_options) as lookup:
        zone = lookup.get("/v1.0/zoneInformation", params={"user": username})
        time_left = lookup.deadline - lookup.clock()
    zone_url = text(zone.get("url")) if isinstance(zone, dict) else ""
    if not zone_url.startswith(("https://", "http://")):
        raise MalformedAnswer("/v1.0/zoneInformation answered without the zone's address")
    return opened(
        zone_url.rstrip("/") + "/V1.0",
        {**http_options, "time_limit": time_left},
        headers=headers,
    )


def test(http: VendorHttp) -> str:
    answer = http.post("/Companies/query/count", json={"filter": EVERY_RECORD})
    count = answer.get("queryCount") if isinstance(answer, dict) else None
    if not isinstance(count, int):
        raise MalformedAnswer("/Companies/query/count did not answer with a count")
    return f"Found {count} compan{'y' if count == 1 else 'ies'}."


def query(http: VendorHttp, entity: str) -> Iterator[dict]:
    """Every record of an entity: the query's first page, then each next page's address."""
    path = f"/{entity}/query"
    answer = http.post(
        path, json={"MaxRecords": http.page_size_at_most(MAX_PAGE_SIZE), "filter": EVERY_RECORD}
    )
    seen = set()
    while True:
        yield from listed(answer, "items", path)
        next_url = nested(answer, "pageDetails", "nextPageUrl")
        if not next_url:
            return
        if not isinstance(next_url, str) or next_url in seen:
            raise MalformedAnswer(f"{path} answered a next page that cannot be followed")
        seen.add(next_url)
        answer = http.get(next_url)


def fetch(http: VendorHttp, *, syncs: frozenset[str]) -> Records:
    records = RecordsBuilder.reading(syncs, KINDS)
    companies = {}
    for company in query(http, "Companies"):
        name = text(company.get("companyName"))
        if not name:
            records.skip(f"Company {company.get('id')}: no name")
            continue
        companies[company.get("id")] = name
        if CLIENTS in syncs:
            records.add(CLIENTS_KIND, company.get("id"), client_row(company, name))
    if CLIENTS in syncs:
        contacts(http, records, companies)
    if AGREEMENTS in syncs:
        contracts(http, records, companies)
    if TECHNICIANS in syncs:
        resources(http, records)
    return records.build()


def client_row(company: dict, name: str) -> dict[str, str]:
    return {
        "name": name,
        "status": "active" if company.get("isActive") is not False else "former",
        "phone": text(company.get("phone")),
        "website": text(company.get("webAddress")),
        "address": ", ".join(
            part
            for part in (
                text(company.get("address1")),
                text(company.get("city")),
                " ".join(one_each([text(company.get("state")), text(company.get("postalCode"))])),
            )
            if part
        ),
    }


def contacts(http: VendorHttp, records: RecordsBuilder, companies: dict) -> None:
    for contact in query(http, "Contacts"):
        name = full_name(contact.get("firstName"), contact.get("lastName"))
        company = companies.get(contact.get("companyID"))
        if not name or not company:
            missing = "no name" if not name else "no company Covered reads"
            records.skip(f"Contact {contact.get('id')}{f' ({name})' if name else ''}: {missing}")
            continue
        records.add(
            CONTACTS_KIND,
            contact.get("id"),
            {
                "client": company,
                "name": name,
                "email": text(contact.get("emailAddress")),
                "phone": text(contact.get("phone") or contact.get("mobilePhone")),
                "role": text(contact.get("title")),
                "is_primary": "yes" if contact.get("primaryContact") is True else "no",
            },
        )


def contracts(http: VendorHttp, records: RecordsBuilder, companies: dict) -> None:
    types = contract_types(http)
    for contract in query(http, "Contracts"):
        title = text(contract.get("contractName"))
        where = f"Contract {contract.get('id')}{f' ({title})' if title else ''}"
        company = companies.get(contract.get("companyID"))
        start, end = day(contract.get("startDate")), day(contract.get("endDate"))
        value = annual_value(contract.get("estimatedRevenue"), start, end)
        problem = (
            (not title and "no name")
            or (not company and "no company Covered reads")
            or (not start and "no start date")
            or (value is None and "no estimated revenue")
        )
        if problem:
            records.skip(f"{where}: {problem}")
            continue
        contract_type = types.get(text(contract.get("contractType")), "")
        records.name("agreement_types", contract_type)
        records.add(
            AGREEMENTS_KIND,
            contract.get("id"),
            {
                "client": company,
                "title": title,
                "status": "active" if contract.get("status") == 1 else "cancelled",
                "start_date": start,
                "end_date": end,
                "annual_value": str(value),
                "services": contract_type,
            },
        )


def contract_types(http: VendorHttp) -> dict[str, str]:
    """{picklist value: label} of the contracts' `contractType`."""
    path = "/Contracts/entityInformation/fields"
    for field in listed(http.get(path), "fields", path):
        if field.get("name") == "contractType":
            return {
                text(choice.get("value")): text(choice.get("label"))
                for choice in field.get("picklistValues") or []
                if isinstance(choice, dict)
            }
    return {}


def annual_value(revenue, start: str, end: str) -> Decimal | None:
    """A contract's estimated revenue over a year: spread over its years when it has an end."""
    amount = money(revenue)
    if amount is None:
        return None
    if start and end:
        days = (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days + 1
        if days > 0:
            amount = amount * Decimal(365) / Decimal(days)
    return amount.quantize(Decimal("0.01"))


def resources(http: VendorHttp, records: RecordsBuilder) -> None:
    emails = {}
    for resource in query(http, "Resources"):
        name = full_name(resource.get("firstName"), resource.get("lastName"))
        email = text(resource.get("email"))
        if not name or not email:
            who = text(resource.get("userName")) or resource.get("id")
            records.skip(f"Resource '{who}': {'no name' if not name else 'no email'}")
            continue
        emails[resource.get("id")] = email
        records.add(
            TECHNICIANS_KIND,
            resource.get("id"),
            {
                "name": name,
                "email": email,
                "status": "active" if resource.get("isActive") is not False else "departed",
            },
        )
    skills = {skill.get("id"): text(skill.get("name")) for skill in query(http, "Skills")}
    for held in query(http, "ResourceSkills"):
        email = emails.get(held.get("resourceID"))
        if email is None:
            continue  # a resource skipped above, with its reason
        skill, level = skills.get(held.get("skillID")), text(held.get("skillLevel"))
        if not skill or not level:
            missing = "a skill Autotask does not list" if not skill else "no level"
            records.skip(f"Resource skill {held.get('id')} of {email}: {missing}")
            continue
        records.add(
            SKILLS_KIND, held.get("id"), {"technician_email": email, "skill": skill, "level": level}
        )
        records.name("skills", skill)
        records.name("skill_levels", level)
