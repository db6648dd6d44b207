"""Business days in Colombia: weekdays that are not national public holidays."""

from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache

import holidays

# A Monday: weekdays are counted from it arithmetically, so a count never loops over days.
_EPOCH = date(2000, 1, 3)


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


@lru_cache(maxsize=32)
def _weekday_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    days = set()
    for year in range(first_year, last_year + 1):
        days |= {day for day in _colombian_holidays(year) if day.weekday() < 5}
    return tuple(sorted(days))


def _weekdays_up_to(day: date) -> int:
    """Weekdays from the epoch up to and including ``day`` (an offset: only differences matter)."""
    weeks, rest = divmod((day - _EPOCH).days, 7)
    return weeks * 5 + min(rest + 1, 5)


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -business_days_between(end, start)
    holidays_in_years = _weekday_holidays(start.year, end.year)
    holidays_in_range = bisect_right(holidays_in_years, end) - bisect_right(holidays_in_years, start)
    return _weekdays_up_to(end) - _weekdays_up_to(start) - holidays_in_range
