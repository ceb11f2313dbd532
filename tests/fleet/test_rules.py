from __future__ import annotations

from datetime import date

import pytest

from mobility.core.forms import parse_euros
from mobility.fleet.rules import (
    InvalidPlate,
    InvalidVin,
    expiry_alerts,
    normalise_plate,
    normalise_vin,
    sniff_document_type,
)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("AB-123-CD", "AB-123-CD"),
        ("ab123cd", "AB-123-CD"),
        (" ab 123 cd ", "AB-123-CD"),
        ("GZ-001-ZZ", "GZ-001-ZZ"),
        ("1234 AB 45", "1234 AB 45"),
        ("1234ab45", "1234 AB 45"),
        ("1234-AB-45", "1234 AB 45"),
        ("12 ABC 2A", "12 ABC 2A"),
        ("7 A 45", "7 A 45"),
        ("123 AB 974", "123 AB 974"),
    ],
)
def test_plates_of_both_formats_are_accepted_and_normalised(typed, stored):
    assert normalise_plate(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "AB-12-CD",
        "AB-1234-CD",
        "IO-123-CD",
        "AB-123-CU",
        "SS-123-AB",
        "AB-000-CD",
        "ABCDEFG",
        "12345 AB 45",
        "0 AB 45",
        "AB-123-C",
        "AB_123_CD",
    ],
)
def test_malformed_plates_are_refused(typed):
    with pytest.raises(InvalidPlate):
        normalise_plate(typed)


def test_a_seventeen_character_vin_is_accepted_and_upper_cased():
    assert normalise_vin("vf1rfb00x56789012") == "VF1RFB00X56789012"
    assert normalise_vin("VF1 RFB00X 56789012") == "VF1RFB00X56789012"


@pytest.mark.parametrize(
    "typed",
    [
        "VF1RFB00X5678901",
        "VF1RFB00X567890123",
        "VF1RFB00I56789012",
        "VF1RFB00O56789012",
        "VF1RFB00Q56789012",
        "VF1RFB00X5678901!",
    ],
)
def test_vin_of_wrong_length_or_with_i_o_q_is_refused(typed):
    with pytest.raises(InvalidVin):
        normalise_vin(typed)


def test_no_alert_beyond_thirty_days():
    today = date(2026, 11, 23)
    assert expiry_alerts(date(2026, 12, 24), date(2027, 5, 1), today) == []


def test_alert_on_the_thirtieth_day_and_when_past():
    today = date(2026, 11, 23)
    alerts = expiry_alerts(date(2026, 12, 23), date(2026, 11, 22), today)
    assert [(alert.kind, alert.overdue, alert.days_left) for alert in alerts] == [
        ("technical_inspection", True, -1),
        ("insurance", False, 30),
    ]
    assert "en retard depuis le 22/11/2026" in alerts[0].message
    assert "L'assurance expire le 23/12/2026" in alerts[1].message


def test_missing_dates_give_no_alert():
    assert expiry_alerts(None, None, date(2026, 11, 23)) == []


@pytest.mark.parametrize(
    "typed, cents",
    [("0", 0), ("120", 12000), ("120,5", 12050), ("120.50", 12050), ("1 234,56 €", 123456), ("99,99€", 9999)],
)
def test_euro_amounts_in_french_are_read_as_cents(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "-5", "12,345", "abc", "1e3", "12,"])
def test_bad_euro_amounts_are_refused(typed):
    with pytest.raises(ValueError):
        parse_euros(typed)


def test_document_type_comes_from_the_first_bytes():
    assert sniff_document_type(b"%PDF-1.7\n") == ("application/pdf", "pdf")
    assert sniff_document_type(b"\x89PNG\r\n\x1a\n\x00") == ("image/png", "png")
    assert sniff_document_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == ("image/jpeg", "jpg")
    assert sniff_document_type(b"MZ\x90\x00") is None
    assert sniff_document_type(b"hello, I am a PDF") is None
