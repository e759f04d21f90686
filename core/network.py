"""Outbound connections to addresses that people type (webhook URLs): which hosts they may
reach.

A URL whose host is, or resolves to, an address that is not on the public internet (private,
loopback, link-local, reserved, multicast, unspecified; IPv4 and IPv6, and IPv4 addresses
carried inside IPv6 ones) would let whoever types it make the server call into its own network.
`public_addresses` resolves a host once and refuses it when any of its addresses is such; the
caller then connects to exactly the addresses it was given (`http_post`), so a DNS answer that
changes in between cannot slip past the check.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

UNRESOLVABLE = "unresolvable"
PRIVATE_ADDRESS = "private_address"


@dataclass(frozen=True)
class Address:
    """One address a host resolved to, as `socket.connect` takes it."""

    family: int
    sockaddr: tuple

    @property
    def ip(self) -> str:
        return self.sockaddr[0]


# IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64's well-known and local-use
# prefixes (RFC 6052, RFC 8215) and the deprecated IPv4-compatible form (RFC 4291).
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses that `address` carries, each with the name of the form carrying it.

    A packet to such an address can end at the IPv4 one (a NAT64 gateway, a 6to4 or Teredo
    relay, a dual-stack socket), so that address must be public too.
    """
    last_32_bits = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return [("an IPv4-mapped address", address.ipv4_mapped)]
    if address.sixtofour is not None:
        return [("a 6to4 address", address.sixtofour)]
    if address.teredo is not None:
        return [("a Teredo address", embedded) for embedded in address.teredo]
    if address in NAT64_WELL_KNOWN or address in NAT64_LOCAL_USE:
        return [("a NAT64 address", last_32_bits)]
    # :: and ::1 are the unspecified and loopback addresses, said as such below.
    if address in IPV4_COMPATIBLE and int(address) > 1:
        return [("an IPv4-compatible address", last_32_bits)]
    return []


def address_refusal(ip: str) -> str:
    """Why `ip` may not be reached from outside the server's own network, or "" when it may."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0")
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        for form, ipv4 in embedded:
            refusal = address_refusal(str(ipv4))
            if refusal:
                return f"{form} that embeds {ipv4}, {refusal}"
        # A translated address (IPv4-mapped, NAT64 well-known prefix) is its IPv4 address; a
        # tunnelled or deprecated form is judged as IPv6 too.
        if embedded and (address.ipv4_mapped is not None or address in NAT64_WELL_KNOWN):
            return ""
    for quality, words in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(address, quality):
            return words
    if not address.is_global:  # e.g. carrier-grade NAT, 100.64.0.0/10
        return "not a public address"
    return ""


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to for a TCP connection on `port`, in the resolver's order.

    Raises ValidationError (code "unresolvable") when it resolves to none.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(
            f"The host “{host}” could not be found ({error}).", code=UNRESOLVABLE
        ) from error
    addresses = []
    for family, _, _, _, sockaddr in found:
        address = Address(family, sockaddr)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ValidationError(f"The host “{host}” could not be found.", code=UNRESOLVABLE)
    return addresses


def public_addresses(host: str, port: int, *, allow_private: bool = False) -> list[Address]:
    """The addresses of `host`, once each is known to be public (any when `allow_private`).

    Raises ValidationError: code "unresolvable" when the host is not found, "private_address"
    when it is or resolves to an address that is not public.
    """
    addresses = resolve(host, port)
    if allow_private:
        return addresses
    for address in addresses:
        refusal = address_refusal(address.ip)
        if refusal:
            shown = host if host == address.ip else f"{host} ({address.ip})"
            raise ValidationError(
                f"{shown} is {refusal}: only hosts on the public internet may be used.",
                code=PRIVATE_ADDRESS,
            )
    return addresses


# ------------------------------------------------------------------------------ posting


def _connected_socket(addresses: list[Address], timeout: float) -> socket.socket:
    """A TCP connection to the first of `addresses` that answers."""
    error: OSError | None = None
    for address in addresses:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address.sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
        else:
            return sock
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the addresses given, whatever the host name resolves to now."""

    def __init__(self, *args, addresses: list[Address], **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = addresses

    def connect(self):
        self.sock = _connected_socket(self.addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host name."""

    def __init__(self, *args, addresses: list[Address], **kwargs):
        super().__init__(*args, context=ssl.create_default_context(), **kwargs)
        self.addresses = addresses

    def connect(self):
        sock = _connected_socket(self.addresses, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    reason: str
    start_of_body: bytes


def http_post(
    *,
    scheme: str,
    host: str,
    port: int,
    target: str,
    addresses: list[Address],
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    read_at_most: int = 1024,
) -> HttpAnswer:
    """POST `body` to `target` (path and query) on `host`, connecting to `addresses` only.

    Redirects are answers like any other: they are not followed, so a receiver cannot send the
    request on to an address that was never checked. `timeout` bounds the connection and each
    read. Raises OSError (timeouts, refusals, TLS errors) or http.client.HTTPException.
    """
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, timeout=timeout, addresses=addresses)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return HttpAnswer(response.status, response.reason, response.read(read_at_most))
    finally:
        connection.close()


WEBHOOK_SCHEMES = {"http": 80, "https": 443}


def webhook_url_parts(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a webhook URL; ValueError when one is missing or wrong."""
    parts = urlsplit(url)
    if parts.scheme not in WEBHOOK_SCHEMES or not parts.hostname:
        raise ValueError(url)
    return parts.scheme, parts.hostname, parts.port or WEBHOOK_SCHEMES[parts.scheme]


def _outbound_url_validate(
    url: str, *, allow_private: bool, scheme_message: str, credentials_message: str
) -> None:
    """An http or https URL without a password whose host, unless `allow_private`, is on the
    public internet: where the app sends requests of its own."""
    if urlsplit(url).scheme not in WEBHOOK_SCHEMES:
        raise ValidationError(scheme_message, code="scheme")
    URLValidator(schemes=list(WEBHOOK_SCHEMES))(url)
    if urlsplit(url).username is not None:
        raise ValidationError(credentials_message, code="credentials")
    try:
        _, host, port = webhook_url_parts(url)
    except ValueError:  # a port out of range
        raise ValidationError("Enter a valid URL.", code="invalid") from None
    if not allow_private:
        public_addresses(host, port)


def webhook_url_validate(url: str) -> None:
    """A webhook's URL, unless WEBHOOK_ALLOW_PRIVATE_HOSTS on the public internet: checked when
    a webhook is saved and again before each delivery (agreements/api/services.py), since what a
    name resolves to may change."""
    _outbound_url_validate(
        url,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_HOSTS,
        scheme_message="Use an address that starts with https:// (or http://).",
        credentials_message=(
            "Leave the user name and password out of the address: the receiver checks the "
            "signature instead."
        ),
    )


def connection_url_validate(url: str) -> None:
    """A PSA's or RMM's API address (agreements/connectors/), unless
    CONNECTOR_ALLOW_PRIVATE_HOSTS on the public internet."""
    _outbound_url_validate(
        url,
        allow_private=settings.CONNECTOR_ALLOW_PRIVATE_HOSTS,
        scheme_message="Use an address that starts with https://.",
        credentials_message=(
            "Leave the user name and password out of the address: give them as credentials."
        ),
    )
