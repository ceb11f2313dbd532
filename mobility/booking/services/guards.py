"""What every booking write shares: the write lock on SQLite and the database's refusals by name."""

from __future__ import annotations


from sqlalchemy.exc import IntegrityError

from mobility.extensions import db

def constraint_hit(error: IntegrityError) -> str:
    """Which booking invariant the database refused: overlap, unavailable, one_holding or other."""
    text = str(error.orig).lower()
    if "booking_no_overlap" in text or "booking_overlap" in text or "23p01" in text:
        return "overlap"
    if "booking_over_unavailability" in text:
        return "unavailable"
    if "uq_booking_one_holding_per_beneficiary" in text or "booking.beneficiary_id" in text:
        return "one_holding"
    return "other"


def take_write_lock() -> None:
    """On SQLite, start the transaction with the write lock (BEGIN IMMEDIATE) if none is open.

    Requests already do (see create_app); this covers commands, jobs, tests and threads.
    Checking then writing under one lock is what keeps two SQLite writers from both passing
    the check. A caller outside a request must call the service before reading anything in the
    same transaction (or end that transaction first): a transaction already open for reading
    cannot be upgraded safely, and would get "database is locked" under contention.
    """
    if db.engine.dialect.name == "sqlite" and not db.session().in_transaction():
        db.session.connection(execution_options={"sqlite_immediate": True})
