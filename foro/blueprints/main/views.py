"""The home page: what Foro is, and what is open, coming, answered and overdue right now."""

from flask import render_template

from foro.blueprints.main import bp
from foro.services import public
from foro.timeutil import local_today, now_utc


@bp.get("/")
def home():
    now = now_utc()
    return render_template("main/home.html", sections=public.home_sections(now), today=local_today(now))
