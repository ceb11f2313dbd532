"""Booking housekeeping from the command line: what the scheduler's jobs do, run by hand."""

from __future__ import annotations

import click

from mobility.booking import services
from mobility.extensions import db
from mobility.notify.services import deliver_pending


@click.command("expire-bookings")
def expire_bookings_command():
    """Expire requests not approved in time and waiting-queue offers not taken (idempotent)."""
    requests = services.expire_stale_requests()
    offers = services.expire_offers()
    db.session.commit()
    sent = deliver_pending()
    click.echo(f"{requests} request(s) expired, {offers} offer(s) expired, {sent} message(s) sent.")
