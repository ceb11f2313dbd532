"""Command-line tools: flask --app wsgi <command>."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from mobility.api.commands import create_api_token_command
from mobility.auth import services as accounts
from mobility.auth.models import Organisation, Role
from mobility.core.boundary import CLEAN_TEXT
from mobility.devdata.commands import seed_bench_command, seed_demo_command
from mobility.extensions import db
from mobility.notify.services import deliver_pending


@click.command("create-user")
@click.argument("email", type=CLEAN_TEXT)
@click.option("--name", type=CLEAN_TEXT, required=True, help="Full name shown in the interface.")
@click.option("--role", type=click.Choice([r.value for r in Role if r is not Role.BENEFICIARY]), required=True)
@click.option("--organisation", "organisation_name", type=CLEAN_TEXT, required=True, help="Exact organisation name.")
@click.option("--password", type=CLEAN_TEXT, prompt=True, hide_input=True, confirmation_prompt=True, default="",
              show_default=False, help="Leave empty to send an invitation link instead.")
def create_user_command(email, name, role, organisation_name, password):
    """Create a staff account; without a password, e-mail an invitation link."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        raise click.ClickException(f"No organisation named {organisation_name!r}.")
    if password and len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        raise click.ClickException(
            f"The password needs at least {current_app.config['PASSWORD_MIN_LENGTH']} characters."
        )
    try:
        user = accounts.create_user(
            email=email, full_name=name, role=Role(role), organisation=organisation,
            password=password or None,
        )
    except accounts.AccountError as exc:
        raise click.ClickException(exc.message) from exc
    if not password:
        accounts.send_invitation(user, invited_by=None)
    db.session.commit()
    deliver_pending()
    click.echo(f"Created {user.role.value} account #{user.id}" + ("" if password else "; invitation sent."))


@click.command("send-outbox")
def send_outbox_command():
    """Send the messages waiting in the outbox."""
    click.echo(f"{deliver_pending()} message(s) sent.")


def register(app) -> None:
    for command in (
        seed_demo_command, seed_bench_command, create_user_command, send_outbox_command, create_api_token_command
    ):
        app.cli.add_command(command)
