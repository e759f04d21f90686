"""NinjaOne (RMM): organizations become clients; the software inventory of each organization's
devices becomes its environment (one row per device and title, which the environment import
counts into quantities).

API v2, OAuth2 client credentials at /ws/oauth/token with the scope `monitoring`;
/v2/organizations and /v2/devices page with `pageSize` and `after` (the last id seen),
/v2/queries/software pages with a named `cursor` and answers {"cursor": {...}, "results": [...]}.
"""

from collections.abc import Iterator

from agreements.connectors.http import MalformedAnswer, VendorHttp
from agreements.connectors.vendors.base import (
    CLIENTS,
    CLIENTS_KIND,
    ENVIRONMENT_KIND,
    ENVIRONMENTS,
    Records,
    RecordsBuilder,
    client_credentials_grant,
    listed,
    opened_with_token,
    text,
)

kind = "ninjaone"
label = "NinjaOne"
credential_fields = (("client_id", "Client ID"), ("client_secret", "Client secret"))
secret_keys = frozenset({"client_secret"})
# The import kinds each sync reads.
KINDS = {CLIENTS: (CLIENTS_KIND,), ENVIRONMENTS: (ENVIRONMENT_KIND,)}
syncs = frozenset(KINDS)
default_base_url = "https://app.ninjarmm.com"

TOKEN_PATH = "/ws/oauth/token"
ORGANIZATIONS = "/v2/organizations"
DEVICES = "/v2/devices"
SOFTWARE = "/v2/queries/software"
MAX_PAGE_SIZE = 1000


def open(base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp:  # noqa: A001
    grant = client_credentials_grant(credentials, scope="monitoring")
    return opened_with_token(base_url, http_options, TOKEN_PATH, grant)


def test(http: VendorHttp) -> str:
    size = http.page_size_at_most(MAX_PAGE_SIZE)
    found = listed(http.get(ORGANIZATIONS, params={"pageSize": size}), None, ORGANIZATIONS)
    count = len(found)
    if count >= size:
        return f"Found more than {size - 1} organizations."
    return f"Found {count} organization{'' if count == 1 else 's'}."


def fetch(http: VendorHttp, *, syncs: frozenset[str]) -> Records:
    records = RecordsBuilder.reading(syncs, KINDS)
    organizations = {}
    for organization in after_id_pages(http, ORGANIZATIONS):
        name = text(organization.get("name"))
        if not name:
            records.skip(f"Organization {text(organization.get('id')) or '?'}: no name")
            continue
        organizations[organization.get("id")] = name
        if CLIENTS in syncs:
            records.add(CLIENTS_KIND, organization.get("id"), {"name": name})
    if ENVIRONMENTS in syncs:
        environments(http, records, organizations)
    return records.build()


def environments(http: VendorHttp, records: RecordsBuilder, organizations: dict) -> None:
    devices = {}
    for device in after_id_pages(http, DEVICES):
        organization = organizations.get(device.get("organizationId"))
        name = text(device.get("displayName") or device.get("systemName") or device.get("dnsName"))
        where = (
            f"Organization '{organization}'" if organization else "A device without organization"
        )
        if organization and name:
            devices[device.get("id")] = (organization, name)
        else:
            reason = "no name" if organization else "its organization is not listed"
            records.skip(f"{where} device {text(device.get('id')) or '?'}: {reason}")
            devices[device.get("id")] = None
    for entry in cursor_pages(http, SOFTWARE):
        device_id = entry.get("deviceId")
        title = text(entry.get("name"))
        if device_id not in devices:
            records.skip(
                f"Software '{title or '?'}' on device {text(device_id) or '?'}: "
                "the device is not listed"
            )
            continue
        if devices[device_id] is None:
            continue  # the device was skipped above, with its reason
        organization, device = devices[device_id]
        if not title:
            records.skip(
                f"Organization '{organization}' device '{device}': software without a name"
            )
            continue
        version = text(entry.get("version"))
        records.add(
            ENVIRONMENT_KIND,
            f"{device_id}:{text(entry.get('productCode')) or title}:{version}",
            {
                "client": organization,
                "product": title,
                "version": version,
                "publisher": text(entry.get("publisher")),
                "device": device,
            },
        )
        records.name("software_titles", title)


def after_id_pages(http: VendorHttp, path: str) -> Iterator[dict]:
    """Every record of a list paged by `after` (the last id of the page before)."""
    size = http.page_size_at_most(MAX_PAGE_SIZE)
    after = None
    while True:
        params = {"pageSize": size} if after is None else {"pageSize": size, "after": after}
        page = listed(http.get(path, params=params), None, path)
        yield from page
        if len(page) < size:
            return
        last = page[-1].get("id")
        if last is None or last == after:
            raise MalformedAnswer(f"{path} answered a page whose last record has no new id")
        after = last


def cursor_pages(http: VendorHttp, path: str) -> Iterator[dict]:
    """Every row of a query paged by a named cursor."""
    size = http.page_size_at_most(MAX_PAGE_SIZE)
    cursor = None
    while True:
        params = {"pageSize": size} if cursor is None else {"pageSize": size, "cursor": cursor}
        answer = http.get(path, params=params)
        page = listed(answer, "results", path)
        yield from page
        cursor_info = answer.get("cursor")
        cursor = text(cursor_info.get("name")) if isinstance(cursor_info, dict) else ""
        if len(page) < size or not cursor:
            return
