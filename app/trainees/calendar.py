"""The traineeship's calendar: one month of introduction, then three periods of seven months (22 months).

Dates are derived from the start date alone. A month later is the same day of the month, or the last day
of that month when it is shorter (31 January + 1 month = 28 or 29 February). Every boundary is counted
from the start date, never from the previous boundary, so a start on the 31st keeps its 31st wherever a
month has one. A phase ends the day before the next begins; the traineeship ends the day before
start + 22 months. Pure: no database, no framework.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

INTRODUCTION_MONTHS = 1
PERIOD_MONTHS = 7
PERIODS = 3
TOTAL_MONTHS = INTRODUCTION_MONTHS + PERIODS * PERIOD_MONTHS  # 22


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it has fewer days."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Phase:
    period: int  # 0 for the introduction, then 1, 2, 3
    name: str
    start: dt.date
    end: dt.date  # the last day, inclusive


def phases(start: dt.date, *, periods: int = PERIODS) -> tuple[Phase, ...]:
    """The introduction month and the periods of seven months, from `start`."""
    boundaries = [
        start,
        *(add_months(start, INTRODUCTION_MONTHS + p * PERIOD_MONTHS) for p in range(periods + 1)),
    ]
    names = ["introductie", *(f"periode {p}" for p in range(1, periods + 1))]
    return tuple(
        Phase(i, names[i], boundaries[i], boundaries[i + 1] - dt.timedelta(days=1))
        for i in range(periods + 1)
    )


def end_date(start: dt.date, *, periods: int = PERIODS) -> dt.date:
    """The traineeship's last day."""
    return phases(start, periods=periods)[-1].end


def phase_on(start: dt.date, day: dt.date, *, periods: int = PERIODS) -> Phase | None:
    """The phase `day` falls in, or None before the start or after the end."""
    return next((p for p in phases(start, periods=periods) if p.start <= day <= p.end), None)
