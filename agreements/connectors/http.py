"""The one HTTP client every vendor connector talks through: timeouts, bounded retries with
backoff, `Retry-After` on 429, a page-size bound, a whole-sync time limit, and errors in plain
words that never carry a credential.

Built on httpx rather than requests: its timeouts are set per phase and cover the whole request
(requests has no total read timeout), `httpx.Auth` lets a connector plug in its own scheme
(basic, a bearer token, a vendor's headers) in one place, and a transport can be swapped, which the
tests use to refuse a connection without the network. The retry loop is written here, not left to
the transport, because it has to honour `Retry-After`, the sync's deadline and our messages.
"""

import datetime
import email.utils
import json as jsonlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

# A vendor that asks for more than this page size is asked for this many.
MAX_PAGE_SIZE = 1000
# No single wait, between retries or asked by Retry-After, is longer than this many seconds.
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0


class ConnectorError(Exception):
    """A failure to read a vendor, said in plain words for the person who runs the sync, as a
    sentence without its closing period (to be quoted in another: "NinjaOne answered: ...").
    Its message never holds a credential: it names the path, never a header, body or query."""


class CredentialsRefused(ConnectorError):
    """The vendor answered 401 or 403, or its token endpoint refused the client."""


class VendorUnavailable(ConnectorError):
    """The vendor kept failing (5xx, refused connections, time-outs, 429) after every retry."""


class MalformedAnswer(ConnectorError):
    """The vendor answered, but not in JSON or not in the documented shape."""


class SyncTimeLimit(ConnectorError):
    """The whole sync ran out of its time."""


class RequestRefused(ConnectorError):
    """The vendor refused a request for another reason than the credentials (400, 404, ...).
    `body` is the vendor's decoded answer, for the connector to read (an OAuth2 error code);
    it is never shown or logged, as a vendor may echo what it was sent."""

    def __init__(self, message: str, *, status: int, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


def shown_path(url: str | httpx.URL) -> str:
    """The path of a URL without its query string, for messages: a query may hold a filter or
    a user name, never something to show."""
    return urlsplit(str(url)).path or "/"


def retry_after_seconds(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    now = now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (moment - now).total_seconds())


class VendorHttp:
    """A vendor's API at `base_url`: `get` and `post` answer the decoded JSON or raise one of
    the errors above. The time limit starts when the client is made and covers every call."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        timeout: float = 20,
        retries: int = 3,
        backoff: float = 1.0,
        page_size: int = 100,
        time_limit: float = 900,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConnectorError("The base URL is not a web address (https://...)")
        self.base_url = base_url.rstrip("/") + "/"
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        self.time_limit = time_limit
        self.timeout = timeout
        self.sleep, self.clock = sleep, clock
        self.deadline = clock() + time_limit
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"Accept": "application/json", **(headers or {})},
            auth=auth,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    # ---------------------------------------------------------------------------- the calls

    def get(self, path: str, *, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, *, json: Any = None, data: dict | None = None) -> Any:
        return self.request("POST", path, json=json, data=data)

    def authorize(self, auth: httpx.Auth) -> None:
        """Sign every later call with `auth` (a token the connector obtained)."""
        self.client.auth = auth

    def page_size_at_most(self, vendor_maximum: int) -> int:
        """The page size to ask a vendor for, within its own documented maximum."""
        return max(1, min(self.page_size, vendor_maximum))

    def request(self, method: str, path: str, **options) -> Any:
        url = self._url(path)
        shown = shown_path(url)
        attempt = 0
        while True:
            self._check_deadline(shown)
            try:
                response = self.client.request(method, url, timeout=self._timeout_left(), **options)
            except httpx.InvalidURL:
                raise MalformedAnswer(f"{shown} is not an address that can be called") from None
            except httpx.UnsupportedProtocol:
                raise ConnectorError(f"{shown} is not a web address (https://...)") from None
            except httpx.TransportError:
                failure = f"{shown} could not be reached"
            else:
                if response.status_code in (401, 403):
                    raise CredentialsRefused(
                        f"{shown}: the credentials were refused (HTTP {response.status_code})"
                    )
                if response.status_code == 429:
                    failure = f"{shown} kept asking to slow down (HTTP 429)"
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    if wait is not None and attempt < self.retries:
                        attempt += 1
                        self._wait(min(wait, MAX_RETRY_AFTER), shown)
                        continue
                elif response.status_code >= 500:
                    failure = f"{shown} failed on the vendor's side (HTTP {response.status_code})"
                elif response.status_code >= 400:
                    raise RequestRefused(
                        f"{shown} refused the request (HTTP {response.status_code})",
                        status=response.status_code,
                        body=self._json_or_none(response),
                    )
                elif response.is_redirect:
                    raise MalformedAnswer(
                        f"{shown} answered with a redirect (HTTP {response.status_code}), "
                        "not its data: check the base URL"
                    )
                else:
                    return self._decoded(response, shown)
            if attempt >= self.retries:
                tries = "once" if attempt == 0 else f"{attempt + 1} times"
                raise VendorUnavailable(f"{failure}; tried {tries}")
            self._wait(min(self.backoff * 2**attempt, MAX_BACKOFF), shown)
            attempt += 1

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ---------------------------------------------------------------------------- the steps

    def _url(self, path: str) -> str:
        """A path below the base URL, or an absolute URL a vendor gave for its next page: that
        one only on the base URL's own host, so that the credentials go nowhere else."""
        if "://" not in path:
            return self.base_url + path.lstrip("/")
        base, given = urlsplit(self.base_url), urlsplit(path)
        if (given.scheme, given.netloc) != (base.scheme, base.netloc):
            raise MalformedAnswer(
                f"The vendor pointed to another address ({given.netloc or '?'}) for its next page"
            )
        return path

    def _timeout_left(self) -> httpx.Timeout:
        return httpx.Timeout(max(0.1, min(self.timeout, self.deadline - self.clock())))

    def _check_deadline(self, shown: str) -> None:
        if self.clock() >= self.deadline:
            raise SyncTimeLimit(
                f"The sync ran out of its time ({self.time_limit:g} seconds) before {shown}"
            )

    def _wait(self, seconds: float, shown: str) -> None:
        if self.clock() + seconds >= self.deadline:
            raise SyncTimeLimit(
                f"The sync ran out of its time ({self.time_limit:g} seconds) waiting on {shown}"
            )
        self.sleep(seconds)

    @staticmethod
    def _json_or_none(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _decoded(response: httpx.Response, shown: str) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return jsonlib.loads(response.content)
        except ValueError:
            raise MalformedAnswer(f"{shown} did not answer in JSON") from None
