"""The session's clock: Python's time for the whole test run starts at SESSION_NOW and runs on from there.

`DESK_TEST_TODAY=2027-01-01` runs the suite as if it were that day, from its first minute (a time may
follow: `2027-01-01T17:45`, naive UTC like every timestamp in the product). Without it the run starts
at the real date and time, but no later than 22:00, so that it ends on the day the demo was seeded for.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timezone

import time_machine

from models import utcnow

CHOSEN = os.environ.get("DESK_TEST_TODAY") or None
LATEST_START = time(22, 0)


def _session_now() -> datetime:
    if CHOSEN:
        return datetime.fromisoformat(CHOSEN)
    now = utcnow().replace(microsecond=0)
    return min(now, datetime.combine(now.date(), LATEST_START))


SESSION_NOW: datetime = _session_now()
SESSION_DAY: date = SESSION_NOW.date()


def session_clock() -> time_machine.travel:
    """Python's clock, and so the product's, moved to SESSION_NOW and running on."""
    return time_machine.travel(SESSION_NOW.replace(tzinfo=timezone.utc), tick=True)


def stopped_at(moment: datetime) -> time_machine.travel:
    """Python's clock, and so the product's (`rules.core.now()`, `models.utcnow()`), stopped at `moment`."""
    return time_machine.travel(moment.replace(tzinfo=timezone.utc), tick=False)
