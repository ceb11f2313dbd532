"""What every booking write shares: the write lock on SQLite (refusals by name: mobility.core.db)."""

from __future__ import annotations



from mobility.extensions import db

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
