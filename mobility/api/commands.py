"""flask --app wsgi create-api-token EMAIL [--name NAME]"""

from __future__ import annotations

import click
from flask_babel import force_locale

from mobility.api import services as tokens
from mobility.auth.services import find_user_by_email
from mobility.core.boundary import CLEAN_TEXT
from mobility.extensions import db


@click.command("create-api-token")
@click.argument("email", type=CLEAN_TEXT)
@click.option("--name", type=CLEAN_TEXT, default="", help="What the token is for (shown to admins). Defaults to the date.")
def create_api_token_command(email, name):
    """Make an API token for a staff account and print it, once: it is stored hashed only."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail {email!r}.")
    if not name:
        name = f"Jeton de {user.full_name}"
    try:
        # Outside a request the locale cannot come from the browser: the messages are French.
        with force_locale("fr"):
            token, secret = tokens.issue_token(user, name)
    except tokens.ApiTokenError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"API token #{token.id} ({token.name}) for {user.email}, shown only this once:")
    click.echo(secret)
