"""Business days in Colombia: weekdays that are not national public holidays."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _colombian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Colombia(years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _colombian_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_business_day(start + timedelta(offset)))
