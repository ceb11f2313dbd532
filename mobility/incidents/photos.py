"""Photos of a vehicle taken with a phone: checked, re-encoded without metadata, stored.

A phone's JPEG carries where it was taken (GPS) and the phone's make, model and serial
number in its EXIF block. The photo is decoded and encoded again from its pixels only, so
nothing but the image is kept; it is turned upright first (the EXIF orientation would go too)
and reduced to PHOTO_MAX_SIDE pixels. Files live under UPLOAD_DIR with a generated name, like
the fleet's documents (same columns and constraints: fleet.models.StoredFile).
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.core.errors import Invalid
from mobility.extensions import db
from mobility.fleet.rules import MAX_DOCUMENT_BYTES
from mobility.fleet.documents import upload_dir, write_atomically
from mobility.incidents.models import ConditionPhoto

MAX_PHOTOS = 8
PHOTO_MAX_SIDE = 2048
# Decoding bombs: a small file claiming a huge image is refused before it is decoded.
MAX_PIXELS = 40_000_000


class PhotoRefused(Invalid):
    pass


@dataclass(frozen=True)
class CleanPhoto:
    """A photo already re-encoded by clean_jpeg: the only kind store_photos accepts."""

    content: bytes


def clean_photo(content: bytes, field: str = "photos") -> CleanPhoto:
    return CleanPhoto(clean_jpeg(content, field))


def clean_jpeg(content: bytes, field: str = "photos") -> bytes:
    """The photo's pixels as a new JPEG, without EXIF, XMP or ICC data. Raises PhotoRefused."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PhotoRefused(_("Une photo dépasse 5 Mo : reprenez-la en plus basse résolution."), field=field)
    if not content:
        raise PhotoRefused(_("Une des photos est vide."), field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format not in {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}:
                    raise UnidentifiedImageError(image.format)
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
                pixels = upright.convert("RGB")
                # A new image from the pixels alone: no info dictionary travels with it.
                bare = Image.new("RGB", pixels.size)
                bare.paste(pixels)
                output = io.BytesIO()
                bare.save(output, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError):
        raise PhotoRefused(
            _("Ce fichier n'est pas une photo (JPEG, PNG ou WebP). Prenez la photo avec l'appareil du téléphone."),
            field=field,
        ) from None
    cleaned = output.getvalue()
    if len(cleaned) > MAX_DOCUMENT_BYTES:  # pragma: no cover - 2048 px at quality 85 stays far below
        raise PhotoRefused(_("Une photo dépasse 5 Mo : reprenez-la en plus basse résolution."), field=field)
    return cleaned


def read_uploads(files: Iterable, field: str = "photos") -> list[CleanPhoto]:
    """Each file sent (empty inputs skipped), cleaned; all are checked before any is stored, so
    that one bad photo saves none."""
    cleaned = []
    for upload in files:
        if upload is None or not getattr(upload, "filename", None):
            continue
        content = upload.stream.read(MAX_DOCUMENT_BYTES + 1)
        cleaned.append(clean_photo(content, field))
    if len(cleaned) > MAX_PHOTOS:
        raise PhotoRefused(_("Envoyez au plus %(count)s photos à la fois.", count=MAX_PHOTOS), field=field)
    return cleaned


def store_photos(
    photos: list[CleanPhoto], actor: User, *, incident_id: int | None = None, handover_id: int | None = None
) -> list[ConditionPhoto]:
    """Add the rows then write the files (the caller commits; a failed commit leaves files that
    no row names, never a row without its file)."""
    stored = []
    for number, photo_file in enumerate(photos, start=1):
        if not isinstance(photo_file, CleanPhoto):
            raise TypeError("store_photos takes photos cleaned by clean_photo() only")
        content = photo_file.content
        # The phone's file name (often a date and a place) is not kept.
        photo = ConditionPhoto(
            incident_id=incident_id,
            handover_id=handover_id,
            original_filename=f"photo-{number}.jpg",
            stored_name=f"{uuid.uuid4().hex}.jpg",
            content_type="image/jpeg",
            size_bytes=len(content),
            uploaded_by_id=actor.id,
        )
        db.session.add(photo)
        db.session.flush()
        write_atomically(upload_dir() / photo.stored_name, content)
        record(AuditAction.CREATE, "condition_photo", photo.id, actor=actor)
        stored.append(photo)
    return stored


def photo_path(photo: ConditionPhoto):
    return upload_dir() / photo.stored_name
