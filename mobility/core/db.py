"""Writes that the database may refuse: one savepoint helper, and the one place that tells which
constraint refused them.

A service checks its rules first and the database holds the invariants it can (unique keys,
exclusion constraints, triggers); when two requests race, the database's refusal is the last
word. `violated_constraint` names it: psycopg's diagnostics (`constraint_name`) on PostgreSQL;
on SQLite, the constraint or the columns in the message, or the trigger's own message (our
triggers start theirs with the guard's name, "booking_overlap: …"). Nobody else reads the
text of an IntegrityError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from mobility.extensions import db

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<name>\w+)")
_NAMED_GUARD = re.compile(r"^(?P<name>[a-z][a-z0-9_]*): ")


class ConstraintViolated(Exception):
    """The database refused the savepoint's writes; `name` says which constraint (None: unknown)."""

    def __init__(self, name: str | None, error: IntegrityError):
        super().__init__(name or str(error.orig))
        self.name = name
        self.error = error


def _unique_name(columns: str) -> str | None:
    """The unique constraint or index of the metadata over exactly these "table.column" names."""
    qualified = [part.strip() for part in columns.split(",")]
    table_name = qualified[0].split(".")[0]
    wanted = {part.split(".", 1)[1] for part in qualified}
    table = db.metadata.tables.get(table_name)
    if table is None:
        return None
    for item in (*table.constraints, *table.indexes):
        if isinstance(item, (UniqueConstraint, Index)) and (isinstance(item, UniqueConstraint) or item.unique):
            if {column.name for column in item.columns} == wanted and item.name:
                return str(item.name)
    # A column declared unique=True: named by the metadata's naming convention.
    return f"uq_{table_name}_{sorted(wanted)[0]}" if len(wanted) == 1 else None


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint, index or trigger guard that refused the write."""
    original = error.orig
    diagnostics = getattr(original, "diag", None)
    if diagnostics is not None and getattr(diagnostics, "constraint_name", None):
        return diagnostics.constraint_name
    message = (getattr(diagnostics, "message_primary", None) if diagnostics is not None else None) or str(original)
    message = message.strip()
    if match := _SQLITE_UNIQUE.search(message):
        return _unique_name(match["columns"])
    if match := _SQLITE_CHECK.search(message):
        return match["name"]
    if match := _NAMED_GUARD.match(message):
        return match["name"]
    # A trigger whose message names no guard: its message is its name.
    return message or None


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block's writes in a savepoint and flush them; a refusal of the database rolls the
    savepoint back (the transaction goes on) and comes out as ConstraintViolated."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as error:
        raise ConstraintViolated(violated_constraint(error), error) from error


@contextmanager
def refusing(refusals: Mapping[str, Callable[[], Exception]]) -> Iterator[None]:
    """A savepoint whose refusal by a named constraint becomes that domain refusal; a refusal by
    any other constraint is a bug and goes on as the IntegrityError it is."""
    try:
        with savepoint():
            yield
    except ConstraintViolated as violated:
        make_refusal = refusals.get(violated.name or "")
        if make_refusal is None:
            raise violated.error from None
        raise make_refusal() from None


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded.

    For a transaction that only added rows nothing else reads in the request (an access-log
    entry for a page being read): the rows loaded before it are as current as they were, and
    expiring them would reload the user, their organisation and the page's rows once more, a
    statement each, just to render what was already there.
    """
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring
