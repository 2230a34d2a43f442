"""Q5: wrong access codes are rate-limited per client address and per browser session.

Only failures count, so a family typing its right code is never slowed down; a school's
shared address gets a generous allowance. The counters live in the shared cache (Redis when
configured, files under the data dir otherwise), so every worker sees the same counts.
"""

from django_ratelimit.core import get_usage

PER_ADDRESS = "30/10m"
PER_BROWSER = "10/10m"
GROUP = "seance.wrong-code"


def _session_key(group, request):
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _usages(request, *, increment: bool):
    for key, rate in (("ip", PER_ADDRESS), (_session_key, PER_BROWSER)):
        yield get_usage(request, group=GROUP, key=key, rate=rate, increment=increment)


def is_blocked(request) -> bool:
    """Whether this client used up its wrong attempts (N/window: the N+1th is refused)."""
    return any(u and u["count"] >= u["limit"] for u in _usages(request, increment=False))


def count_failure(request) -> None:
    for _usage in _usages(request, increment=True):
        pass
