"""Command-line tools: flask --app wsgi <command>."""

from __future__ import annotations

import time

import click
from flask import current_app
from sqlalchemy import select

from mobility.api.commands import create_api_token_command
from mobility.auth import services as accounts
from mobility.auth.models import Organisation, Role
from mobility.booking.bench_data import BenchRefused, seed_bench
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.extensions import db
from mobility.notify.services import deliver_pending


@click.command("seed-demo")
def seed_demo_command():
    """Load demonstration data (idempotent)."""
    figures = seed_demo()
    db.session.commit()
    click.echo(
        f"Demo data ready: {figures['organisations']} organisations, {figures['accounts']} demo "
        f"accounts (password: {DEMO_PASSWORD}), {figures['new_beneficiaries']} new beneficiary files, "
        f"{figures['new_bookings']} new bookings."
    )


@click.command("seed-bench")
@click.option("--vehicles", "vehicle_count", type=click.IntRange(min=1), default=300, show_default=True)
@click.option("--bookings", "booking_count", type=click.IntRange(min=0), default=200_000, show_default=True)
@click.option("--force", is_flag=True, help="Write even if the database already holds bookings or files "
              "(a bench or demo database only, never a real one).")
@click.option("--seed", "random_seed", type=int, default=2026, show_default=True, help="Random seed.")
def seed_bench_command(vehicle_count, booking_count, force, random_seed):
    """Fill an empty database with a large, realistic data set, to measure the booking queries."""
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
    started = time.perf_counter()
    try:
        figures = seed_bench(vehicle_count, booking_count, force=force, random_seed=random_seed)
    except BenchRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    seconds = time.perf_counter() - started
    statuses = ", ".join(f"{status} {count}" for status, count in figures.by_status.items())
    click.echo(
        f"Bench data ready in {seconds:.1f} s: {figures.vehicles} vehicles, "
        f"{figures.beneficiaries} beneficiary files ({figures.accounts} with an account), "
        f"{figures.bookings} bookings ({figures.holding} holding a vehicle), "
        f"{figures.transitions} transitions, {figures.unavailabilities} unavailability periods."
    )
    click.echo(f"By status: {statuses}.")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown in the interface.")
@click.option("--role", type=click.Choice([r.value for r in Role if r is not Role.BENEFICIARY]), required=True)
@click.option("--organisation", "organisation_name", required=True, help="Exact organisation name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, default="",
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
