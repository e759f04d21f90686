"""The address filter of webhook URLs (core/network.py): an IPv4 address carried inside an IPv6
one (6to4, Teredo, NAT64, IPv4-mapped, IPv4-compatible) is judged as the IPv4 address it is,
so none of them reaches the server's own network or the cloud's metadata service."""

import pytest
from django.core.exceptions import ValidationError

from core.network import address_refusal, webhook_url_validate

# Teredo puts the relay server's address in bits 32-63 and the client's, inverted, in the last 32.
TEREDO_CLIENT_LOOPBACK = "2001:0:4136:e378:8000:63bf:80ff:fffe"  # server 65.54.227.120
TEREDO_SERVER_METADATA = "2001:0:a9fe:a9fe::a247:28f1"  # client 93.184.215.14

EMBEDDING_AN_INSIDE_ADDRESS = [
    ("2002:7f00:1::", "a 6to4 address that embeds 127.0.0.1, a loopback address"),
    ("2002:a9fe:a9fe::", "a 6to4 address that embeds 169.254.169.254, a link-local address"),
    ("2002:a00:1::", "a 6to4 address that embeds 10.0.0.1, a private address"),
    (TEREDO_CLIENT_LOOPBACK, "a Teredo address that embeds 127.0.0.1, a loopback address"),
    (
        TEREDO_SERVER_METADATA,
        "a Teredo address that embeds 169.254.169.254, a link-local address",
    ),
    ("64:ff9b::7f00:1", "a NAT64 address that embeds 127.0.0.1, a loopback address"),
    ("64:ff9b::a9fe:a9fe", "a NAT64 address that embeds 169.254.169.254, a link-local address"),
    ("64:ff9b:1::a00:1", "a NAT64 address that embeds 10.0.0.1, a private address"),
    ("::ffff:7f00:1", "an IPv4-mapped address that embeds 127.0.0.1, a loopback address"),
    (
        "::ffff:a9fe:a9fe",
        "an IPv4-mapped address that embeds 169.254.169.254, a link-local address",
    ),
    ("::7f00:1", "an IPv4-compatible address that embeds 127.0.0.1, a loopback address"),
    (
        "::a9fe:a9fe",
        "an IPv4-compatible address that embeds 169.254.169.254, a link-local address",
    ),
]


@pytest.mark.parametrize(("ip", "refusal"), EMBEDDING_AN_INSIDE_ADDRESS)
def test_ipv6_address_embedding_an_inside_ipv4_address_is_refused(ip, refusal):
    assert address_refusal(ip) == refusal


@pytest.mark.parametrize(("ip", "refusal"), EMBEDDING_AN_INSIDE_ADDRESS)
def test_webhook_url_embedding_an_inside_ipv4_address_is_refused_in_production(
    settings, ip, refusal
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    with pytest.raises(ValidationError) as refused:
        webhook_url_validate(f"https://[{ip}]/hooks/covered")

    [message] = refused.value.messages
    assert message.endswith(f" is {refusal}: only hosts on the public internet may be used.")


@pytest.mark.parametrize(
    "ip",
    [
        "64:ff9b::5db8:d70e",  # how DNS64 names 93.184.215.14 to a server on IPv6 only
        "::ffff:5db8:d70e",
        "93.184.215.14",
        "2606:2800:220:1:248:1893:25c8:1946",
    ],
)
def test_translated_form_of_a_public_ipv4_address_is_allowed(ip):
    assert address_refusal(ip) == ""


@pytest.mark.parametrize(
    ("ip", "refusal"),
    [
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1%eth0", "a link-local address"),
        ("::5db8:d70e", "a reserved address"),  # IPv4-compatible: deprecated, never routed
    ],
)
def test_ipv6_addresses_that_embed_nothing_to_reach_keep_their_own_refusal(ip, refusal):
    assert address_refusal(ip) == refusal
