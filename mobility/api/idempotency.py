"""Safe retries of API writes: `Idempotency-Key` on POST /bookings and /bookings/{id}/cancel.

A client that lost the answer (a dropped connection after the commit) sends the same request
with the same key: within 24 hours it gets the first answer again, status and body, and
nothing is done twice. The same key with another request is refused (422). Keys belong to
the token's account.

The key's row is written in the same transaction as the work, before it: a concurrent retry
on PostgreSQL waits on the unique index until the first commits, then gets its answer; on
SQLite the write lock taken at the start of the request orders them.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import wraps

from flask import current_app, make_response, request
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from mobility.api.blueprint import current_api_user
from mobility.api.errors import ApiError, error_response
from mobility.api.models import IdempotencyKey
from mobility.core.boundary import has_control_characters
from mobility.core.time import utcnow
from mobility.extensions import db

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
KEPT_FOR = timedelta(hours=24)
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"

HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": KEY_PATTERN},
    "description": (
        "Une clé unique par demande (par exemple un UUID), pour la renvoyer sans risque : la même clé "
        "avec la même demande dans les 24 heures donne la même réponse sans refaire le travail ; la "
        "même clé avec une autre demande est refusée (422). Les clés sont propres à chaque compte."
    ),
}


def _key_from_header() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > KEY_MAX_LENGTH or has_control_characters(key) or not key.isascii() or " " in key:
        raise ApiError(
            422,
            _("L'en-tête Idempotency-Key doit faire de 1 à 255 caractères visibles, sans espace."),
            {HEADER: [_("Clé d'idempotence invalide.")]},
        )
    return key


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > utcnow() - KEPT_FOR,
        )
    )


def _replay(row: IdempotencyKey, fingerprint: str):
    if row.fingerprint != fingerprint:
        raise ApiError(
            422,
            _(
                "Cette clé d'idempotence a déjà servi pour une autre demande : "
                "envoyez une nouvelle clé pour une nouvelle demande."
            ),
            {HEADER: [_("Clé déjà utilisée pour une autre demande.")]},
        )
    response = current_app.response_class(row.body, status=row.status_code, mimetype="application/json")
    if row.location:
        response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyKey:
    """The key's row, written (not committed) before the work: a concurrent twin waits on it."""
    # A key older than 24 hours may be used again.
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at <= utcnow() - KEPT_FOR,
        )
    )
    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, status_code=0, body="")
    db.session.add(row)
    db.session.flush()
    return row


def _keep(row: IdempotencyKey, response) -> None:
    row.status_code = response.status_code
    row.body = response.get_data(as_text=True)
    row.location = response.headers.get("Location")


def committed_write(view):
    """Run a write, commit it once, and with an Idempotency-Key keep its answer in the same commit.

    The view flushes and returns its answer; refusals (ApiError) roll back and are answered
    (and kept for the key) here. Answers of 5xx are never kept: a retry does the work.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        user_id = current_api_user().id
        key = _key_from_header()
        if key is None:
            return _run(view, args, kwargs)
        fingerprint = _fingerprint()
        row = _stored(user_id, key)
        if row is not None:
            return _replay(row, fingerprint)
        try:
            claimed = _claim(user_id, key, fingerprint)
        except IntegrityError:
            # A twin request with this key committed first: give its answer.
            db.session.rollback()
            row = _stored(user_id, key)
            if row is None:
                raise
            return _replay(row, fingerprint)
        return _run(view, args, kwargs, claimed=claimed, claim=(user_id, key, fingerprint))

    return wrapped


def _run(view, args, kwargs, claimed: IdempotencyKey | None = None, claim: tuple[int, str, str] = ()):
    try:
        response = make_response(view(*args, **kwargs))
    except ApiError as refused:
        db.session.rollback()
        response = error_response(refused)
        if claimed is not None:
            # The work was rolled back with the claimed row: keep the refusal on its own.
            _keep(_claim(*claim), response)
            db.session.commit()
        return response
    if claimed is not None:
        _keep(claimed, response)
    db.session.commit()
    return response
