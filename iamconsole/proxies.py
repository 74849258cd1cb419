"""The client's address behind trusted proxies (load balancers, nginx).

Everything that needs the client's address (per-address sign-in lockout, unauthenticated rate
limits, the audit log, the aws:SourceIp condition key) reads REMOTE_ADDR. Behind a proxy that is
the proxy's address, and X-Forwarded-For is whatever the client and the proxies wrote, so it is
trusted only this far: when REMOTE_ADDR is one of TRUSTED_PROXIES (addresses or networks), the
client is the right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries to
its left were written by the client and are never used. Without TRUSTED_PROXIES (the default)
X-Forwarded-For is ignored.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _trusted(values: tuple[str, ...]) -> list[Network]:
    return parse_networks(values)


def parse_networks(values: Iterable[str]) -> list[Network]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or network") from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(remote_addr: str, forwarded_for: str, trusted: list[Network]) -> str:
    """The client's address for a request from `remote_addr` carrying `forwarded_for`."""
    peer = _address(remote_addr)
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote_addr
    client = remote_addr
    for entry in reversed([e for e in forwarded_for.split(",") if e.strip()]):
        hop = _address(entry)
        if hop is None:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = str(hop)
        if not any(hop in net for net in trusted):
            break
    return client


class ClientAddressMiddleware:
    """Puts the client's address in REMOTE_ADDR (the proxy's stays in PROXY_ADDR)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if trusted and forwarded:
            remote = request.META.get("REMOTE_ADDR", "")
            client = client_address(remote, forwarded, trusted)
            if client != remote:
                request.META["PROXY_ADDR"] = remote
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
