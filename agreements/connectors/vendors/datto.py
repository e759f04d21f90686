"""Datto RMM: sites become clients; the software audit of each site's devices becomes its
environment (one row per device and title, which the environment import counts into
quantities).

API v2: a token from /auth/oauth/token by the password grant (the API key and secret key as user
and password, the documented public client `public-client:public`); /api/v2/account/sites,
/api/v2/site/{uid}/devices and /api/v2/audit/device/{uid}/software page with `max` and `page` and
give the next page's address in `pageDetails.nextPageUrl`.
"""

import httpx

from agreements.connectors.http import VendorHttp
from agreements.connectors.vendors.base import (
    CLIENTS,
    CLIENTS_KIND,
    ENVIRONMENT_KIND,
    ENVIRONMENTS,
    Records,
    RecordsBuilder,
    credential,
    listed,
    nested,
    next_url_pages,
    opened_with_token,
    text,
)

kind = "datto"
label = "Datto RMM"
credential_fields = (("api_key", "API key"), ("api_secret", "API secret key"))
secret_keys = frozenset({"api_secret"})
# The import kinds each sync reads.
KINDS = {CLIENTS: (CLIENTS_KIND,), ENVIRONMENTS: (ENVIRONMENT_KIND,)}
syncs = frozenset(KINDS)
default_base_url = "https://merlot-api.centrastage.net"

TOKEN_PATH = "/auth/oauth/token"
SITES = "/api/v2/account/sites"
MAX_PAGE_SIZE = 250
# The account's own site that holds deleted devices: not a client.
DELETED_DEVICES_SITE = "Deleted Devices"


def open(base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp:  # noqa: A001
    grant = {
        "grant_type": "password",
        "username": credential(credentials, "api_key", "API key"),
        "password": credential(credentials, "api_secret", "API secret key"),
    }
    public_client = httpx.BasicAuth("public-client", "public")
    return opened_with_token(base_url, http_options, TOKEN_PATH, grant, client_auth=public_client)


def test(http: VendorHttp) -> str:
    size = http.page_size_at_most(MAX_PAGE_SIZE)
    answer = http.get(SITES, params={"max": size, "page": 0})
    sites = listed(answer, "sites", SITES)
    total = nested(answer, "pageDetails", "totalCount")
    count = total if isinstance(total, int) else len(sites)
    return f"Found {count} site{'' if count == 1 else 's'}."


def fetch(http: VendorHttp, *, syncs: frozenset[str]) -> Records:
    records = RecordsBuilder.reading(syncs, KINDS)
    size = http.page_size_at_most(MAX_PAGE_SIZE)
    paging = {"max": size, "page": 0}
    for site in next_url_pages(http, SITES, key="sites", params=paging):
        name, uid = text(site.get("name")), text(site.get("uid"))
        if not name or not uid:
            records.skip(
                f"Site {text(site.get('id')) or uid or '?'}: no {'name' if uid else 'uid'}"
            )
            continue
        if name == DELETED_DEVICES_SITE:
            continue
        if CLIENTS in syncs:
            records.add(CLIENTS_KIND, uid, {"name": name})
        if ENVIRONMENTS in syncs:
            environment(http, records, name, uid, paging)
    return records.build()


def environment(http: VendorHttp, records: RecordsBuilder, site: str, uid: str, paging) -> None:
    devices = f"/api/v2/site/{uid}/devices"
    for device in next_url_pages(http, devices, key="devices", params=paging):
        hostname, device_uid = text(device.get("hostname")), text(device.get("uid"))
        if not hostname or not device_uid:
            missing = "name" if device_uid else "uid"
            records.skip(f"Site '{site}' device {text(device.get('id')) or '?'}: no {missing}")
            continue
        if device.get("deleted") is True:
            continue
        software = f"/api/v2/audit/device/{device_uid}/software"
        for entry in next_url_pages(http, software, key="software", params=paging):
            title, version = text(entry.get("name")), text(entry.get("version"))
            if not title:
                records.skip(f"Site '{site}' device '{hostname}': software without a name")
                continue
            records.add(
                ENVIRONMENT_KIND,
                f"{device_uid}:{title}:{version}",
                {"client": site, "product": title, "version": version, "device": hostname},
            )
            records.name("software_titles", title)
