"""Jinja filters and globals shared by every template."""

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal

from foro import permissions
from foro.sanitize import user_html
from foro.timeutil import local_today


def _local_datetime(moment: datetime | None, style: str = "d 'de' MMMM 'de' y, h:mm a") -> str:
    return format_datetime(moment, style) if moment else ""


def _local_date(day: date | None, style: str = "d 'de' MMMM 'de' y") -> str:
    return format_date(day, style) if day else ""


def money(amount: Decimal | int | None) -> str:
    """Colombian pesos without cents, as residents read them: $ 1.250.000."""
    if amount is None:
        return ""
    return "$ " + format_decimal(int(amount), format="#,##0")


def number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def select_locale() -> str:
    """The browser's preferred language among those Foro has catalogues for; Spanish otherwise."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    return request.accept_languages.best_match(languages) or languages[0]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        user_html=user_html,
        local_datetime=_local_datetime,
        local_date=_local_date,
        money=money,
        number=number,
    )
    app.jinja_env.globals.update(can=permissions, local_today=local_today)
