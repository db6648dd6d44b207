"""The municipality's clock: users see and type local time (America/Bogota); the database keeps UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Bogota")


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    return (now or now_utc()).astimezone(LOCAL_TZ).date()


def local_to_utc(naive_local: datetime) -> datetime:
    """A wall-clock time typed in a form, read as Cali time."""
    return naive_local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def utc_to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)
