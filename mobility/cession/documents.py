"""Documents of conventions and paperwork: the fleet's rules (type read from the first bytes,
5 MB at most, generated file names under UPLOAD_DIR), reused rather than copied."""

from __future__ import annotations

import uuid
from typing import BinaryIO

from flask_babel import gettext as _

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.cession.models import Cession, CessionDocument, Convention
from mobility.core.errors import Invalid, NotFound
from mobility.extensions import db
from mobility.fleet.documents import clean_filename, upload_dir, write_atomically
from mobility.fleet.rules import MAX_DOCUMENT_BYTES, sniff_document_type



def store_document(
    stream: BinaryIO, filename: str | None, actor: User, field: str = "document", *, pdf_only: bool = False
) -> CessionDocument:
    content = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise Invalid(_("Le fichier dépasse 5 Mo : réduisez-le ou numérisez-le en plus basse résolution."), field)
    if not content:
        raise Invalid(_("Le fichier est vide."), field)
    sniffed = sniff_document_type(content[:16])
    if sniffed is None:
        raise Invalid(
            _("Ce fichier n'est ni un PDF, ni une image JPEG ou PNG. Envoyez un document dans l'un de ces formats."),
            field,
        )
    content_type, extension = sniffed
    if pdf_only and content_type != "application/pdf":
        raise Invalid(_("Envoyez la convention signée en PDF."), field)
    document = CessionDocument(
        original_filename=clean_filename(filename, extension),
        stored_name=f"cession-{uuid.uuid4().hex}.{extension}",
        content_type=content_type,
        size_bytes=len(content),
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    write_atomically(document_path(document), content)
    record(AuditAction.CREATE, "cession_document", document.id, actor=actor)
    return document


def document_path(document: CessionDocument):
    return upload_dir() / document.stored_name


def discard_file(document: CessionDocument | None) -> None:
    """Remove a document's file whose row was never committed."""
    if document is not None:
        document_path(document).unlink(missing_ok=True)


def get_visible_document(cession: Cession | None, convention: Convention | None, document_id: int) -> CessionDocument:
    """A document of that cession's paperwork or that convention (already scoped), or NotFound."""
    ids = set()
    if cession is not None:
        ids |= {item.document_id for item in cession.paperwork if item.document_id}
    if convention is not None and convention.signed_document_id:
        ids.add(convention.signed_document_id)
    if document_id not in ids:
        raise NotFound(_("Document introuvable."))
    return db.session.get(CessionDocument, document_id)
