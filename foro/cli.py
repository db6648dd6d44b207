"""Command-line tasks: reference data, the demo and the first administrator."""

import click
from flask import Flask
from sqlalchemy import select

from foro.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("load-reference-data")
    def load_reference_data_command():
        """Load Cali's territories, organisms and target groups (safe to run again)."""
        from foro.services.reference import load_reference_data

        load_reference_data()
        db.session.commit()
        click.echo("Datos de referencia cargados.")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo: reference data, a cycle with plans, spaces in every state, demo users."""
        from foro.demo import seed_demo

        summary = seed_demo()
        db.session.commit()
        click.echo(summary)

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt="Nombre visible")
    @click.password_option()
    def create_admin_command(email: str, name: str, password: str):
        """Create an administrator account, or promote an existing one."""
        from foro.models import Role, User
        from foro.services.accounts import normalise_email, register_user

        existing = db.session.scalar(select(User).where(User.email == normalise_email(email)))
        user = existing or register_user(
            email=email, password=password, display_name=name, consent_channel="cli"
        )
        user.role = Role.ADMIN
        db.session.commit()
        click.echo(f"Administrador listo: {user.email}")
