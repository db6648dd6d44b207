from datetime import date, timedelta

from foro.services.business_days import add_business_days, business_days_between, is_business_day


def test_weekends_and_colombian_holidays_are_not_business_days():
    assert not is_business_day(date(2026, 11, 21))  # Saturday
    assert not is_business_day(date(2026, 11, 22))  # Sunday
    assert not is_business_day(date(2026, 12, 8))  # Inmaculada Concepción
    assert not is_business_day(date(2026, 12, 25))
    assert is_business_day(date(2026, 11, 20))


def test_add_business_days_skips_weekends_and_holidays():
    # Friday 4 Dec 2026 + 3 business days: Mon 7, (Tue 8 is a holiday), Wed 9, Thu 10.
    assert add_business_days(date(2026, 12, 4), 3) == date(2026, 12, 10)
    # Default response term: 15 business days after Friday 20 Nov 2026, with the 8 Dec holiday.
    assert add_business_days(date(2026, 11, 20), 15) == date(2026, 12, 14)


def test_business_days_between_is_signed_and_consistent():
    start = date(2026, 11, 20)
    due = add_business_days(start, 15)
    assert business_days_between(start, due) == 15
    assert business_days_between(due, start) == -15
    assert business_days_between(start, start) == 0


def test_arithmetic_count_agrees_with_walking_day_by_day():
    start = date(2025, 12, 20)
    for length in range(0, 420, 7):
        for shift in range(7):
            first = start + timedelta(days=shift)
            last = first + timedelta(days=length + shift)
            walked = sum(1 for n in range(1, (last - first).days + 1) if is_business_day(first + timedelta(n)))
            assert business_days_between(first, last) == walked, (first, last)
