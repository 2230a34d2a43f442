"""When a plan's rule is due, and whether it still makes sense (P9). Pure: no Django.

A rule is due at its trigger's moment plus ``offset_days``, at ``at_time`` local time when
set. Date triggers (the discount's last day, the archive date) count from that day, at
``DATE_TRIGGER_TIME`` when no time is set. A message found due is sent if it is not too
late: at most ``GRACE`` after its time (a tick missed for hours still sends the morning's
reminder, not last week's), and never once what it announces has passed (a "discount ends
in 3 days" after the discount ended) or after the gallery closed.
"""

import datetime as dt
import enum
import zoneinfo
from dataclasses import dataclass

GRACE = dt.timedelta(hours=24)
DATE_TRIGGER_TIME = dt.time(10, 0)


class Decision(enum.Enum):
    WAIT = "wait"
    SEND = "send"
    LATE = "late"


def due_at(
    trigger: dt.datetime | dt.date, offset_days: int, at_time: dt.time | None, zone: str
) -> dt.datetime:
    """The moment a rule is due, aware, for a trigger moment (aware) or day (local)."""
    tz = zoneinfo.ZoneInfo(zone)
    if isinstance(trigger, dt.datetime):
        local = trigger.astimezone(tz) + dt.timedelta(days=offset_days)
        if at_time is None:
            return local
        return dt.datetime.combine(local.date(), at_time, tzinfo=tz)
    day = trigger + dt.timedelta(days=offset_days)
    return dt.datetime.combine(day, at_time or DATE_TRIGGER_TIME, tzinfo=tz)


def end_of(day: dt.date, zone: str) -> dt.datetime:
    """The first moment after ``day``, locally."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zoneinfo.ZoneInfo(zone))


@dataclass(frozen=True)
class Window:
    due: dt.datetime
    closes: dt.datetime | None  # past this, the message makes no sense any more


def decide(window: Window, now: dt.datetime) -> Decision:
    if now < window.due:
        return Decision.WAIT
    if now > window.due + GRACE or (window.closes is not None and now >= window.closes):
        return Decision.LATE
    return Decision.SEND
