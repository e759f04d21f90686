"""A NinjaOne API on a real local HTTP server (pytest-httpserver), answering in the shapes of
NinjaOne's public API reference (v2: /ws/oauth/token, /v2/organizations and /v2/devices paged
with `pageSize` and `after`, /v2/queries/software with a `cursor`), with the clients and
software of a small MSP; tests change what it holds and make it fail."""

import json
from dataclasses import dataclass, field

import pytest
from werkzeug import Response

from agreements.connectors.services import connection_create
from agreements.service_catalog import load_catalog

SECRET = "n1nja-S3cret-do-not-show-7f3a"
TOKEN = "access-token-4b1d"


@dataclass
class NinjaOneData:
    organizations: list[dict] = field(default_factory=list)
    devices: list[dict] = field(default_factory=list)
    software: list[dict] = field(default_factory=list)
    refuse_credentials: bool = False
    # Answer 503 to every request whose number (from 1, token request excluded) is here.
    failing_requests: set[int] = field(default_factory=set)
    requests: int = 0


def standard_data() -> NinjaOneData:
    data = NinjaOneData(
        organizations=[
            {
                "id": 1,
                "name": "Northlight Architects",
                "description": "",
                "nodeApprovalMode": "AUTOMATIC",
            },
            {"id": 2, "name": "Harbor Dental", "description": "Dental clinic", "tags": []},
        ],
        devices=[
            {
                "id": 11,
                "organizationId": 1,
                "locationId": 1,
                "systemName": "NL-PC01",
                "nodeClass": "WINDOWS_WORKSTATION",
                "offline": False,
            },
            {
                "id": 12,
                "organizationId": 1,
                "locationId": 1,
                "systemName": "NL-PC02",
                "nodeClass": "WINDOWS_WORKSTATION",
                "offline": False,
            },
            {
                "id": 13,
                "organizationId": 1,
                "locationId": 1,
                "systemName": "NL-SRV01",
                "nodeClass": "WINDOWS_SERVER",
                "offline": False,
            },
            {
                "id": 21,
                "organizationId": 2,
                "locationId": 2,
                "systemName": "HD-PC01",
                "nodeClass": "WINDOWS_WORKSTATION",
                "offline": True,
            },
        ],
    )
    data.software = [
        software(11, "Microsoft Windows 11 Pro", "10.0.22631", "Microsoft Corporation"),
        software(12, "Microsoft Windows 11 Pro", "10.0.22631", "Microsoft Corporation"),
        software(11, "QuickBooks Desktop Pro 2022", "32.0", "Intuit Inc."),
        software(
            13, "Microsoft Windows Server 2022 Standard", "10.0.20348", "Microsoft Corporation"
        ),
        software(13, "Plotter Cafe Utility", "2.1", "Plotware"),
        software(12, "Dentrix Imaging Bridge", "7.2", "Henry Schein"),
        software(21, "Microsoft Windows 10 Pro", "10.0.19045", "Microsoft Corporation"),
    ]
    return data


def software(device_id, name, version, publisher):
    return {
        "deviceId": device_id,
        "name": name,
        "version": version,
        "publisher": publisher,
        "installDate": "2025-03-01T00:00:00Z",
        "timestamp": 1764979200.0,
    }


def _page_after(items, request):
    size = int(request.args.get("pageSize", "100") or 100)
    after = int(request.args.get("after", "0") or 0)
    page = [item for item in items if item["id"] > after][:size]
    return page


def serve_ninjaone(httpserver, data: NinjaOneData):
    def token(request):
        form = request.form
        if data.refuse_credentials or form.get("client_secret") != SECRET:
            return Response(
                json.dumps({"error": "invalid_client"}), 401, content_type="application/json"
            )
        return Response(
            json.dumps(
                {
                    "access_token": TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": "monitoring",
                }
            ),
            content_type="application/json",
        )

    def guarded(answer):
        def handler(request):
            data.requests += 1
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return Response("", 401)
            if data.requests in data.failing_requests:
                return Response("Service Unavailable", 503)
            return Response(json.dumps(answer(request)), content_type="application/json")

        return handler

    def software_page(request):
        size = int(request.args.get("pageSize", "100") or 100)
        offset = int(request.args.get("cursor", "0") or 0)
        page = data.software[offset : offset + size]
        cursor = {
            "name": str(offset + size),
            "offset": offset,
            "count": len(page),
            "expires": 1764982800,
        }
        return {"cursor": cursor if offset + size < len(data.software) else None, "results": page}

    httpserver.expect_request("/ws/oauth/token", method="POST").respond_with_handler(token)
    httpserver.expect_request("/v2/organizations").respond_with_handler(
        guarded(lambda request: _page_after(data.organizations, request))
    )
    httpserver.expect_request("/v2/devices").respond_with_handler(
        guarded(lambda request: _page_after(data.devices, request))
    )
    httpserver.expect_request("/v2/queries/software").respond_with_handler(guarded(software_page))


@pytest.fixture
def catalog(db):
    load_catalog()


@pytest.fixture
def ninjaone(httpserver):
    data = standard_data()
    serve_ninjaone(httpserver, data)
    return data


@pytest.fixture
def connection(db, ninjaone, httpserver, admin_user):
    return connection_create(
        kind="ninjaone",
        name="Head office RMM",
        base_url=httpserver.url_for("/").rstrip("/"),
        credentials={"client_id": "covered-sync", "client_secret": SECRET},
        syncs=["clients", "environments"],
        user=admin_user,
    )
