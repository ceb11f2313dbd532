"""Photos lose their location and camera metadata; a non-image or a too-big file is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from mobility.incidents.photos import PhotoRefused, clean_jpeg
from tests.incidents.conftest import jpeg_with_gps_and_camera


def test_the_phone_photo_has_gps_and_make_before_cleaning():
    exif = Image.open(io.BytesIO(jpeg_with_gps_and_camera())).getexif()
    assert exif[0x010F] == "PhoneMaker" and exif.get_ifd(0x8825)


def test_a_cleaned_photo_has_no_gps_make_or_model_left():
    cleaned = clean_jpeg(jpeg_with_gps_and_camera())
    image = Image.open(io.BytesIO(cleaned))
    exif = image.getexif()
    assert image.format == "JPEG" and image.size == (64, 48)
    assert 0x010F not in exif and 0x0110 not in exif
    assert not exif.get_ifd(0x8825)
    assert "exif" not in image.info and b"PhoneMaker" not in cleaned


def test_a_large_photo_is_reduced():
    output = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 120, 10)).save(output, format="PNG")
    image = Image.open(io.BytesIO(clean_jpeg(output.getvalue())))
    assert max(image.size) == 2048


def test_a_file_that_is_not_an_image_is_refused_in_french():
    with pytest.raises(PhotoRefused) as refused:
        clean_jpeg(b"%PDF-1.7 not a photo")
    assert refused.value.message.startswith("Ce fichier n'est pas une photo")
    assert refused.value.field == "photos"


def test_a_photo_over_five_megabytes_is_refused_in_french():
    with pytest.raises(PhotoRefused) as refused:
        clean_jpeg(b"\xff\xd8" + b"0" * (5 * 1024 * 1024))
    assert refused.value.message == "Une photo dépasse 5 Mo : reprenez-la en plus basse résolution."
