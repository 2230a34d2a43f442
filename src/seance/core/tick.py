"""``seance tick``: the one periodic job, safe to run twice, late, or from several machines.

Each domain app registers a job with :func:`register`; a job takes ``now`` and
``dry_run`` and returns what it did (or, in a dry run, would do): one line per thing, a
string, or a dict for ``--json`` readers (``str()`` of it is printed otherwise). Jobs must
be idempotent: the communication plans send each due message once, carts expire once,
archives are purged once.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

log = logging.getLogger(__name__)

Job = Callable[..., list]
_jobs: dict[str, Job] = {}


def register(name: str) -> Callable[[Job], Job]:
    def decorator(job: Job) -> Job:
        _jobs[name] = job
        return job

    return decorator


def registered() -> dict[str, Job]:
    return dict(_jobs)


@dataclass
class TickReport:
    now: dt.datetime
    done: dict[str, list] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(lines) for lines in self.done.values())


def run_tick(*, now: dt.datetime | None = None, dry_run: bool = False) -> TickReport:
    """Run every registered job once; a failing job is logged and does not stop the others.
    A dry run changes nothing and sends nothing: the jobs say what is due."""
    report = TickReport(now=now or timezone.now())
    for name, job in sorted(_jobs.items()):
        try:
            report.done[name] = list(job(report.now, dry_run=dry_run))
        except Exception as e:  # one broken job must not keep the others from running
            log.exception("tick job %s failed", name)
            report.failed[name] = f"{type(e).__name__}: {e}"
    return report
