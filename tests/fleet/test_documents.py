"""Vehicle documents: type from the content, 5 MB at most, stored outside static/, served as attachments."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mobility.extensions import db
from mobility.fleet.models import VehicleDocument
from mobility.fleet.rules import MAX_DOCUMENT_BYTES
from tests.fleet.factories import VehicleFactory
from tests.fleet.helpers import field_error, text_of

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def upload(client, car, content: bytes, filename: str, content_type="application/pdf", **extra):
    data = {"kind": "insurance", "expires_on": "2027-06-30", **extra}
    data["file"] = FileStorage(io.BytesIO(content), filename=filename, content_type=content_type)
    # Encoded in memory: the test client's own temporary file for large bodies is never closed.
    boundary, body = encode_multipart(data)
    return client.post(
        f"/flotte/vehicules/{car.id}/documents/nouveau",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored_files(app) -> list[Path]:
    directory = Path(app.config["UPLOAD_DIR"])
    return sorted(directory.iterdir()) if directory.exists() else []


def document_count() -> int:
    return db.session.scalar(select(func.count()).select_from(VehicleDocument))


@pytest.fixture
def car(site):
    return VehicleFactory(site=site)


@pytest.mark.parametrize(
    "content, filename, content_type",
    [
        (PDF, "attestation assurance.pdf", "application/pdf"),
        (png_bytes(), "carte-grise.png", "image/png"),
        (JPEG, "ct.JPG", "image/jpeg"),
    ],
)
def test_staff_upload_a_pdf_png_or_jpeg_and_download_it_as_an_attachment(
    app, client, logged_in, car, content, filename, content_type
):
    response = upload(client, car, content, filename, content_type)
    assert response.status_code == 302
    document = db.session.scalar(select(VehicleDocument))
    assert document.content_type == content_type and document.size_bytes == len(content)
    assert document.original_filename == filename

    files = stored_files(app)
    assert [path.name for path in files] == [document.stored_name]
    assert filename not in document.stored_name
    assert Path(app.config["UPLOAD_DIR"]).resolve().is_relative_to(Path(app.instance_path).resolve())
    assert not Path(app.static_folder).joinpath(document.stored_name).exists()

    page = client.get(f"/flotte/vehicules/{car.id}")
    assert filename in text_of(page) and "Attestation d'assurance" in text_of(page)
    download = client.get(f"/flotte/vehicules/{car.id}/documents/{document.id}")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == content_type
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


def test_the_type_comes_from_the_content_not_the_name(app, client, logged_in, car):
    response = upload(client, car, png_bytes(), "scan.pdf", "application/pdf")
    assert response.status_code == 302
    document = db.session.scalar(select(VehicleDocument))
    assert document.content_type == "image/png" and document.stored_name.endswith(".png")


@pytest.mark.parametrize(
    "content, filename, content_type",
    [
        (EXE, "assurance.pdf", "application/pdf"),
        (b"Ceci est un simple texte, pas un PDF.\n", "assurance.pdf", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "photo.png", "image/png"),
    ],
)
def test_a_disguised_file_is_refused_and_nothing_is_kept(
    app, client, logged_in, car, content, filename, content_type
):
    response = upload(client, car, content, filename, content_type)
    assert response.status_code == 422
    assert "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG." in field_error(response, "file")
    assert document_count() == 0
    assert stored_files(app) == []


def test_a_file_over_5_mb_is_refused_and_nothing_is_kept(app, client, logged_in, car):
    response = upload(client, car, PDF + b"0" * (MAX_DOCUMENT_BYTES + 1 - len(PDF)), "gros.pdf")
    assert response.status_code == 422
    assert "Le fichier dépasse 5 Mo" in field_error(response, "file")
    assert document_count() == 0
    assert stored_files(app) == []


def test_a_file_of_exactly_5_mb_is_accepted(app, client, logged_in, car):
    response = upload(client, car, PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF)), "juste.pdf")
    assert response.status_code == 302
    assert db.session.scalar(select(VehicleDocument.size_bytes)) == MAX_DOCUMENT_BYTES


def test_a_huge_request_is_cut_short(app, client, logged_in, car):
    response = upload(client, car, b"%PDF-" + b"0" * (7 * 1024 * 1024), "enorme.pdf")
    assert response.status_code == 413
    assert document_count() == 0 and stored_files(app) == []


def test_missing_file_kind_or_bad_date_is_explained(app, client, logged_in, car):
    response = client.post(
        f"/flotte/vehicules/{car.id}/documents/nouveau",
        data={"kind": "passport", "expires_on": "31/31/2027"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choisissez le fichier à envoyer." in field_error(response, "file")
    assert "Choisissez le type de document." in field_error(response, "kind")
    assert "Saisissez une date valide" in field_error(response, "expires_on")
    assert document_count() == 0


def test_a_failed_commit_leaves_no_orphan_file(app, client, logged_in, car, monkeypatch):
    def failing_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        upload(client, car, PDF, "assurance.pdf")
    monkeypatch.undo()
    db.session.rollback()
    assert stored_files(app) == []
    assert document_count() == 0


def test_a_path_in_the_file_name_is_dropped(app, client, logged_in, car):
    upload(client, car, PDF, "../../instance/assurance.pdf")
    assert db.session.scalar(select(VehicleDocument.original_filename)) == "assurance.pdf"


def test_staff_delete_a_document_and_its_file(app, client, logged_in, car):
    upload(client, car, PDF, "assurance.pdf")
    document = db.session.scalar(select(VehicleDocument))
    response = client.post(f"/flotte/vehicules/{car.id}/documents/{document.id}/supprimer")
    assert response.status_code == 302
    assert document_count() == 0 and stored_files(app) == []


def test_another_associations_documents_are_404(
    app, client, auth, logged_in, car, other_fleet_user, foreign_site
):
    upload(client, car, PDF, "assurance.pdf")
    document = db.session.scalar(select(VehicleDocument))
    own_vehicle_of_other = VehicleFactory(site=foreign_site)
    auth.logout()
    auth.login(other_fleet_user)
    assert client.get(f"/flotte/vehicules/{car.id}/documents/{document.id}").status_code == 404
    # The document's id under one's own vehicle is no way round.
    assert (
        client.get(f"/flotte/vehicules/{own_vehicle_of_other.id}/documents/{document.id}").status_code == 404
    )
    assert (
        client.post(
            f"/flotte/vehicules/{own_vehicle_of_other.id}/documents/{document.id}/supprimer"
        ).status_code
        == 404
    )
    response = upload(client, car, PDF, "intrus.pdf")
    assert response.status_code == 404
    assert document_count() == 1 and len(stored_files(app)) == 1


def test_anonymous_visitors_cannot_download_documents(app, client, auth, logged_in, car):
    upload(client, car, PDF, "assurance.pdf")
    document = db.session.scalar(select(VehicleDocument))
    auth.logout()
    response = client.get(f"/flotte/vehicules/{car.id}/documents/{document.id}")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
