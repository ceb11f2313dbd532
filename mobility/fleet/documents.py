"""A vehicle's documents (registration, insurance, contrôle technique): checked from their
content, stored under UPLOAD_DIR with a random name, written atomically; and that atomic write
for the other domains' files (cession documents, condition photos).

The caller commits; a file is only left when its row is.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.extensions import db
from mobility.fleet.models import DocumentKind, Vehicle, VehicleDocument
from mobility.fleet.rules import MAX_DOCUMENT_BYTES, sniff_document_type
from mobility.fleet.services import FleetError


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def document_path(document: VehicleDocument) -> Path:
    return upload_dir() / document.stored_name


def clean_filename(filename: str | None, extension: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()[:200]
    return name or f"document.{extension}"


def store_document(
    vehicle: Vehicle,
    *,
    kind: DocumentKind,
    stream: BinaryIO,
    filename: str | None,
    expires_on: date | None,
    actor: User,
) -> VehicleDocument:
    """Check size and type from the content, add the row, then write the file.

    The caller commits; if the commit fails it calls discard_file(document) so that no
    file is left without its row.
    """
    content = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise FleetError(
            _("Le fichier dépasse 5 Mo : réduisez-le ou numérisez-le en plus basse résolution."), field="file"
        )
    if not content:
        raise FleetError(_("Le fichier est vide."), field="file")
    sniffed = sniff_document_type(content[:16])
    if sniffed is None:
        raise FleetError(
            _(
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG. Envoyez un document dans l'un de ces formats."
            ),
            field="file",
        )
    content_type, extension = sniffed
    document = VehicleDocument(
        vehicle=vehicle,
        kind=kind,
        original_filename=clean_filename(filename, extension),
        stored_name=f"{uuid.uuid4().hex}.{extension}",
        content_type=content_type,
        size_bytes=len(content),
        expires_on=expires_on,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    write_atomically(document_path(document), content)
    record(AuditAction.CREATE, "vehicle_document", document.id, actor=actor)
    return document


def write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    try:
        with open(temporary, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def discard_file(document: VehicleDocument) -> None:
    """Remove a document's file (after its row was deleted, or was never committed)."""
    document_path(document).unlink(missing_ok=True)


def delete_document(document: VehicleDocument, actor: User) -> None:
    """Delete the row; the caller removes the file with discard_file() once committed."""
    record(AuditAction.DELETE, "vehicle_document", document.id, actor=actor)
    db.session.delete(document)
    db.session.flush()
