"""flask seed-demo and flask seed-bench: the only way in to the dev data."""

from __future__ import annotations

import time

import click

from mobility.devdata.bench import BenchRefused, seed_bench
from mobility.devdata.demo import DEMO_PASSWORD, seed_demo
from mobility.extensions import db


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
@click.option("--on-demo", is_flag=True, help="Over the demo data (seed-demo first): the bookings, files "
              "and vehicles go to the demo organisations, so every demo account sees them.")
def seed_bench_command(vehicle_count, booking_count, force, random_seed, on_demo):
    """Fill an empty database with a large, realistic data set, to measure the booking queries."""
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
    started = time.perf_counter()
    try:
        figures = seed_bench(
            vehicle_count, booking_count, force=force, random_seed=random_seed, on_demo=on_demo
        )
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
