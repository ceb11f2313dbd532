"""Reference data read once per process, kept a short while, dropped when it changes.

Basins, communes and tariffs change a few times a year but are read by most pages. Each kind
is registered with the models it is built from and a loader that returns plain, frozen values
(never ORM objects: those belong to one request's session). A page asks `reference_data(name)`:
the first call in a process runs the loader, the next ones are a dictionary look-up.

Changes, with several gunicorn workers:
- the worker that commits a change to one of those models drops the kind at once (the
  session's flushes note which models changed; the commit drops what depends on them), so the
  admin who edited a commune sees it on the next page;
- the other workers have no message from it: each kind is reloaded after
  REFERENCE_CACHE_SECONDS (60 by default), so they follow within that delay. No version is read
  per request: a check would cost a statement on every page for data that changes a few times
  a year. Writes that must be exact (the price of a new booking) read the database, never this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

_EXTENSION = "mobility.reference_data"
_CHANGED = "mobility.changed_models"


@dataclass(frozen=True)
class _Kind:
    load: Callable[[], Any]
    models: tuple[type, ...]


_kinds: dict[str, _Kind] = {}


def register(name: str, models: tuple[type, ...], load: Callable[[], Any]) -> None:
    """Declare a kind of reference data (at import time of the floor that owns it)."""
    _kinds[name] = _Kind(load, models)


def _store() -> dict[str, tuple[float, Any]]:
    return current_app.extensions.setdefault(_EXTENSION, {})


def reference_data(name: str):
    store, kind = _store(), _kinds[name]
    found = store.get(name)
    now = time.monotonic()
    if found is not None and now - found[0] < current_app.config["REFERENCE_CACHE_SECONDS"]:
        return found[1]
    value = kind.load()
    store[name] = (now, value)
    return value


def forget(*models: type) -> None:
    """Drop the kinds built from these models (all kinds when none is named)."""
    if not has_app_context():
        return
    store = _store()
    for name, kind in _kinds.items():
        if not models or any(issubclass(model, kind.models) for model in models):
            store.pop(name, None)


@event.listens_for(Session, "after_flush")
def _note_changed_models(session, flush_context):
    changed = session.info.setdefault(_CHANGED, set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        changed.add(type(instance))


@event.listens_for(Session, "after_commit")
def _forget_changed(session):
    changed = session.info.pop(_CHANGED, None)
    if changed:
        forget(*changed)


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session):
    session.info.pop(_CHANGED, None)
