"""Q5: wrong access codes are rate-limited per client address and per browser session.

Only failures count, so a family typing its right code is never slowed down; a school's
shared address gets a generous allowance. Counting uses django-ratelimit's counters in the
shared cache (Redis when configured, the database otherwise: every worker sees the same
counts, and nothing is evicted before its window ends). Looking up whether a client is
blocked reads one flag per key and creates nothing, so visits do not fill the cache; a
browser session is made only at a first wrong code.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import get_usage

PER_ADDRESS = "30/10m"
PER_BROWSER = "10/10m"
WINDOW = 600
GROUP = "seance.wrong-code"


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind N trusted proxies, the address the
    outermost of them saw (the N-th from the right in X-Forwarded-For). An IPv6 address
    stands for its /64 network, which one household or phone gets whole."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SEANCE_TRUSTED_PROXIES
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _address_key(group, request):
    return client_ip(request)


def _browser_key(group, request):
    return request.session.session_key


def _keys(request):
    yield "address", _address_key, PER_ADDRESS
    if request.session.session_key:  # a browser that came back with its cookie
        yield "browser", _browser_key, PER_BROWSER


def _flag(kind: str, value: str) -> str:
    return f"seance:blocked:{kind}:{value}"


def is_blocked(request) -> bool:
    """Whether this client used up its wrong attempts (N per window: the N+1th is refused)."""
    flags = [_flag(kind, key(GROUP, request)) for kind, key, _rate in _keys(request)]
    return any(cache.get_many(flags).values())


def count_failure(request) -> None:
    """Count one wrong code; past the allowance, the client is blocked for the window.

    The first wrong code gives the browser a session (so the next ones count against it
    too); a browser that drops its cookie is still counted by its address.
    """
    if not request.session.session_key:
        request.session.save()
    for kind, key, rate in _keys(request):
        usage = get_usage(request, group=GROUP, key=key, rate=rate, increment=True)
        if usage and usage["count"] >= usage["limit"]:
            cache.set(_flag(kind, key(GROUP, request)), True, WINDOW)
