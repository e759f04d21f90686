"""What every vendor module offers (`Vendor`), what one fetch finds (`Records`), and the steps
they share: reading a credential, a bearer token from an OAuth2 token endpoint, reading a field
of a vendor's record in plain words."""

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import httpx

from agreements.connectors.http import (
    ConnectorError,
    CredentialsRefused,
    MalformedAnswer,
    RequestRefused,
    VendorHttp,
)

# What a connection can sync; each vendor offers a subset.
CLIENTS, AGREEMENTS, TECHNICIANS, ENVIRONMENTS = (
    "clients",
    "agreements",
    "technicians",
    "environments",
)
SYNCS = frozenset({CLIENTS, AGREEMENTS, TECHNICIANS, ENVIRONMENTS})

# The import kinds' names (agreements.imports.models.ImportKind), which the rows are keyed by.
CLIENTS_KIND = "clients"
CONTACTS_KIND = "contacts"
AGREEMENTS_KIND = "agreements"
TECHNICIANS_KIND = "technicians"
SKILLS_KIND = "technician_skills"
CERTIFICATIONS_KIND = "certifications"
ENVIRONMENT_KIND = "environment"

# The vendor's vocabulary that a connection maps to ours.
VOCABULARIES = (
    "agreement_types",
    "additions",
    "skills",
    "skill_levels",
    "certifications",
    "software_titles",
)


@dataclass(frozen=True)
class Records:
    """What one fetch found, in the import kinds' row shapes (every cell a string)."""

    # Import kind name -> rows keyed by the kind's column keys. Every kind the fetch read is
    # here, empty when the vendor had none: an absent kind was not read (not synced), an empty
    # one was read and found nothing.
    rows: dict[str, list[dict[str, str]]]
    # Kind name -> the vendor's id of each row, in the order of rows[kind].
    external_ids: dict[str, list[str]]
    # The records left out, each with its reason: "Site 'X' device 12: no name".
    skipped: list[str]
    # The vendor's names to map ("skills", "software_titles", ...) with how often each is used.
    names: dict[str, Counter]


@dataclass
class RecordsBuilder:
    rows: dict[str, list[dict[str, str]]] = dataclasses.field(default_factory=dict)
    external_ids: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    skipped: list[str] = dataclasses.field(default_factory=list)
    names: dict[str, Counter] = dataclasses.field(
        default_factory=lambda: {name: Counter() for name in VOCABULARIES}
    )

    @classmethod
    def reading(cls, syncs: frozenset[str], kinds: dict[str, tuple[str, ...]]) -> "RecordsBuilder":
        """A builder whose records hold, maybe empty, every kind that `syncs` read, as the
        vendor's `kinds` ({sync: its import kinds}) says."""
        builder = cls()
        for sync in sorted(syncs & set(kinds)):
            for kind in kinds[sync]:
                builder.rows[kind], builder.external_ids[kind] = [], []
        return builder

    def add(self, kind: str, external_id: Any, row: dict[str, str]) -> None:
        self.rows.setdefault(kind, []).append(row)
        self.external_ids.setdefault(kind, []).append(str(external_id))

    def skip(self, reason: str) -> None:
        self.skipped.append(reason)

    def name(self, vocabulary: str, name: str) -> None:
        if name:
            self.names[vocabulary][name] += 1

    def build(self) -> Records:
        return Records(
            rows=self.rows,
            external_ids=self.external_ids,
            skipped=self.skipped,
            names=self.names,
        )


class Vendor(Protocol):
    kind: str
    label: str
    # (key, label) of each credential the connection's form asks for.
    credential_fields: tuple[tuple[str, str], ...]
    secret_keys: frozenset[str]
    syncs: frozenset[str]

    def open(self, base_url: str, credentials: dict[str, str], **http_options) -> VendorHttp: ...

    def test(self, http: VendorHttp) -> str: ...

    def fetch(self, http: VendorHttp, *, syncs: frozenset[str]) -> Records: ...


# ------------------------------------------------------------------------------ shared steps


def credential(credentials: dict[str, str], key: str, label: str) -> str:
    value = (credentials.get(key) or "").strip()
    if not value:
        raise ConnectorError(f"The {label[0].lower() + label[1:]} is missing")
    return value


class BearerToken(httpx.Auth):
    def __init__(self, token: str):
        self.token = token

    def auth_flow(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


# The OAuth2 errors (RFC 6749 5.2) that mean the client or the user was not accepted.
REFUSED_GRANTS = {"invalid_client", "invalid_grant", "unauthorized_client", "access_denied"}


def oauth_token(http: VendorHttp, path: str, data: dict[str, str]) -> str:
    """Ask the token endpoint at `path` for an access token and sign the later calls with it."""
    try:
        answer = http.post(path, data=data)
    except RequestRefused as error:
        body = error.body if isinstance(error.body, dict) else {}
        if error.status == 400 and body.get("error") in REFUSED_GRANTS:
            raise CredentialsRefused(
                f"{path}: the credentials were refused (HTTP {error.status})"
            ) from None
        raise
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise MalformedAnswer(f"{path} answered without an access token")
    http.authorize(BearerToken(token))
    return token


def opened(base_url: str, http_options: dict, **defaults) -> VendorHttp:
    """A client for `base_url`; the caller's options win over the vendor's defaults."""
    return VendorHttp(base_url=base_url, **{**defaults, **http_options})


def opened_with_token(
    base_url: str, http_options: dict, token_path: str, grant: dict[str, str], *, client_auth=None
) -> VendorHttp:
    """A client for `base_url` signed with the access token `token_path` gives for `grant`
    (sent with `client_auth` where the vendor names its client that way); closed again when no
    token comes."""
    http = opened(base_url, http_options)
    try:
        if client_auth is not None:
            http.authorize(client_auth)
        oauth_token(http, token_path, grant)
    except BaseException:
        http.close()
        raise
    return http


def client_credentials_grant(credentials: dict[str, str], scope: str) -> dict[str, str]:
    """The OAuth2 client credentials grant from a connection's client ID and secret."""
    return {
        "grant_type": "client_credentials",
        "client_id": credential(credentials, "client_id", "Client ID"),
        "client_secret": credential(credentials, "client_secret", "Client secret"),
        "scope": scope,
    }


def listed(answer: Any, key: str | None, endpoint: str) -> list[dict]:
    """The list of records in a vendor's answer (the answer itself, or under `key`)."""
    records = answer if key is None else (answer.get(key) if isinstance(answer, dict) else None)
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise MalformedAnswer(f"{endpoint} did not answer with a list of records")
    return records


def text(value: Any) -> str:
    """A cell from a vendor's value: None is empty, numbers are written plainly, spaces folded."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def nested(record: dict, *keys: str) -> Any:
    """record[k1][k2]..., None where a level is missing."""
    value: Any = record
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def day(value: Any) -> str:
    """The date part of a vendor's ISO date or moment ("2025-04-01T00:00:00Z" -> "2025-04-01"),
    empty when it is not one."""
    value = text(value)[:10]
    try:
        return datetime.date.fromisoformat(value).isoformat() if len(value) == 10 else ""
    except ValueError:
        return ""


def full_name(first: Any, last: Any) -> str:
    return " ".join(part for part in (text(first), text(last)) if part)


def paged_by_number(
    http: VendorHttp,
    path: str,
    *,
    key: str | None,
    page_param: str,
    size_param: str,
    maximum: int,
    first_page: int = 1,
    params: dict | None = None,
) -> Iterator[dict]:
    """Every record of an endpoint paged by page number; the last page is the short one."""
    size = http.page_size_at_most(maximum)
    page = first_page
    while True:
        answer = http.get(path, params={**(params or {}), page_param: page, size_param: size})
        records = listed(answer, key, path)
        yield from records
        if len(records) < size:
            return
        page += 1


def one_each(values: Iterable[str]) -> list[str]:
    """`values` without blanks and repeats, in their first order."""
    return list(dict.fromkeys(value for value in values if value))


def next_url_pages(
    http: VendorHttp, path: str, *, key: str, params: dict | None = None
) -> Iterator[dict]:
    """Every record of an endpoint that gives the address of its next page in
    `pageDetails.nextPageUrl` (Datto RMM, Autotask), until that is empty."""
    url, seen = path, set()
    while url:
        answer = http.get(url, params=params if url == path else None)
        yield from listed(answer, key, path)
        next_url = nested(answer, "pageDetails", "nextPageUrl")
        if next_url is not None and not isinstance(next_url, str):
            raise MalformedAnswer(f"{path} answered a next page that is not an address")
        seen.add(url)
        if next_url in seen:
            raise MalformedAnswer(f"{path} answered the same page as its next page")
        url = next_url


def money(value: Any) -> Decimal | None:
    """An amount from a vendor's number (or numeric string), to the cent; None when there is
    none or it is not a number."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        amount = Decimal(str(value))
        return amount.quantize(Decimal("0.01")) if amount.is_finite() else None
    except InvalidOperation:  # not a number, or too large to hold to the cent
        return None
