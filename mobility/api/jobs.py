"""The API's scheduled work: idempotency keys go once their 24 hours are over.

A key older than KEPT_FOR no longer answers a retry (`_stored` ignores it and `_claim` may
reuse it), so its row, which holds an answer body, serves nobody: the nightly purge deletes
the rows past it, in batches, so the table holds one day of keys, not the API's history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from mobility.api.idempotency import KEPT_FOR
from mobility.api.models import IdempotencyKey
from mobility.extensions import db

BATCH = 5000


def purge_idempotency_keys(now: datetime, wet: bool = True) -> dict:
    cutoff = now - KEPT_FOR
    deleted = 0
    while True:
        ids = db.session.scalars(
            select(IdempotencyKey.id).where(IdempotencyKey.created_at <= cutoff).order_by(IdempotencyKey.id).limit(BATCH)
        ).all()
        if not ids:
            return {"rows": deleted}
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids)))
        deleted += len(ids)
