"""The client's address, the one that log-in and sign-up limits count: the one function axes and sign-up use.

REMOTE_ADDR, unless it is one of ``TRUSTED_PROXIES`` (addresses or networks): then each trusted proxy has
appended the address it was connected from to ``X-Forwarded-For``, and the right-most entry that is not a
trusted proxy is the client. Entries further left were written by the client and are never believed. An
IPv6 client counts as its /64, the block one subscriber gets (and could otherwise walk through).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str:
    """The address that limits count for ``request`` ("" when the server gave none)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    remote_address = _parse(remote)
    if remote_address is None:
        return remote
    proxies = trusted_proxies(tuple(settings.TRUSTED_PROXIES))
    if not _within(remote_address, proxies):
        return _bucket(remote_address)
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    nearest = remote_address  # the closest hop known for sure
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # a trusted proxy wrote something that is not an address: go no further
            break
        if not _within(address, proxies):
            return _bucket(address)
        nearest = address
    return _bucket(nearest)


@lru_cache(maxsize=8)
def trusted_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _parse(text: str) -> Address | None:
    """An address from a header entry: plain, or as "1.2.3.4:port" and "[::1]:port" (some proxies add the port)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _bucket(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)


@register()
def check_trusted_proxies(app_configs, **kwargs):
    """TRUSTED_PROXIES must be addresses or networks: say so at start, not as a 500 on the first log-in."""
    try:
        trusted_proxies(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8", id="accounts.E001")]
    return []
