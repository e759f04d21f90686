"""HaloPSA: clients become clients, client contracts agreements (their contract type named in
the services cell, as HaloPSA names it, for the connection's mappings), agents technicians.

A token from /auth/token by the OAuth2 client credentials grant (scope `all`); /api/Client,
/api/ClientContract and /api/Agent page with `pageinate=true`, `page_size` and `page_no` (from
1), the last page being the short one. Clients and contracts answer {"record_count": n,
"clients" | "contracts": [...]}, agents a plain list.
"""

from agreements.connectors.http import MalformedAnswer, VendorHttp
from agreements.connectors.vendors.base import (
    AGREEMENTS,
    AGREEMENTS_KIND,
    CLIENTS,
    CLIENTS_KIND,
    TECHNICIANS,
    TECHNICIANS_KIND,
    Records,
    RecordsBuilder,
    client_credentials_grant,
    day,
    full_name,
    money,
    opened_with_token,
    paged_by_number,
    text,
)

kind = "halopsa"
label = "HaloPSA"
credential_fields = (("client_id", "Client ID"), ("client_secret", "Client secret"))
secret_keys = frozenset({"client_secret"})
# The import kinds each sync reads.
KINDS = {
    CLIENTS: (CLIENTS_KIND,),
    AGREEMENTS: (AGREEMENTS_KIND,),
    TECHNICIANS: (TECHNICIANS_KIND,),
}
syncs = frozenset(KINDS)
default_base_url = "https://example.halopsa.com"

TOKEN_PATH = "/auth/token"
MAX_PAGE_SIZE = 1000
# Bills a year by the contract's `billingperiod`, and our billing cycle. These numbers could not
# be checked against a published list: a contract with another number is skipped with its
# reason rather than given a wrong yearly value.
BILLING_PERIODS = {1: (12, "monthly"), 2: (4, "quarterly"), 3: (1, "annual")}


def open(base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp:  # noqa: A001
    grant = client_credentials_grant(credentials, scope="all")
    return opened_with_token(base_url, http_options, TOKEN_PATH, grant)


def test(http: VendorHttp) -> str:
    answer = http.get("/api/Client", params={"pageinate": "true", "page_size": 1, "page_no": 1})
    count = answer.get("record_count") if isinstance(answer, dict) else None
    if not isinstance(count, int):
        raise MalformedAnswer("/api/Client did not answer with a record count")
    return f"Found {count} client{'' if count == 1 else 's'}."


def pages(http: VendorHttp, path: str, key: str | None):
    return paged_by_number(
        http,
        path,
        key=key,
        page_param="page_no",
        size_param="page_size",
        maximum=MAX_PAGE_SIZE,
        params={"pageinate": "true"},
    )


def fetch(http: VendorHttp, *, syncs: frozenset[str]) -> Records:
    records = RecordsBuilder.reading(syncs, KINDS)
    clients = {}
    if CLIENTS in syncs or AGREEMENTS in syncs:
        for client in pages(http, "/api/Client", "clients"):
            name = text(client.get("name"))
            if not name:
                records.skip(f"Client {client.get('id')}: no name")
                continue
            clients[client.get("id")] = name
            if CLIENTS in syncs:
                status = "former" if client.get("inactive") is True else "active"
                records.add(CLIENTS_KIND, client.get("id"), {"name": name, "status": status})
    if AGREEMENTS in syncs:
        contracts(http, records, clients)
    if TECHNICIANS in syncs:
        agents(http, records)
    return records.build()


def contracts(http: VendorHttp, records: RecordsBuilder, clients: dict) -> None:
    for contract in pages(http, "/api/ClientContract", "contracts"):
        title = text(contract.get("ref"))
        where = f"Contract {contract.get('id')}{f' ({title})' if title else ''}"
        client = clients.get(contract.get("client_id"))
        start = day(contract.get("start_date"))
        period = BILLING_PERIODS.get(contract.get("billingperiod"))
        amount = money(contract.get("periodchargeamount"))
        problem = (
            (not title and "no reference")
            or (not client and "no client Covered reads")
            or (not start and "no start date")
            or (amount is None and "no period charge")
            or (not period and f"billing period {contract.get('billingperiod')} is not known")
        )
        if problem:
            records.skip(f"{where}: {problem}")
            continue
        bills_a_year, cycle = period
        contract_type = text(contract.get("contracttype_name"))
        records.name("agreement_types", contract_type)
        records.add(
            AGREEMENTS_KIND,
            contract.get("id"),
            {
                "client": client,
                "title": title,
                "status": contract_status(contract),
                "start_date": start,
                "end_date": day(contract.get("end_date")),
                "billing_cycle": cycle,
                "annual_value": str(amount * bills_a_year),
                "services": contract_type,
            },
        )


def contract_status(contract: dict) -> str:
    if contract.get("expired") is True:
        return "expired"
    if contract.get("active") is False:
        return "cancelled"
    return "active"


def agents(http: VendorHttp, records: RecordsBuilder) -> None:
    for agent in pages(http, "/api/Agent", None):
        name = full_name(agent.get("firstname"), agent.get("surname")) or text(agent.get("name"))
        email = text(agent.get("email"))
        who = f"Agent {agent.get('id')}{f' ({name})' if name else ''}"
        if agent.get("isapiagent") is True:
            records.skip(f"{who}: an API agent, not a person")
            continue
        if not name or not email:
            records.skip(f"{who}: {'no name' if not name else 'no email'}")
            continue
        records.add(
            TECHNICIANS_KIND,
            agent.get("id"),
            {
                "name": name,
                "email": email,
                "status": "departed" if agent.get("isdisabled") is True else "active",
            },
        )
