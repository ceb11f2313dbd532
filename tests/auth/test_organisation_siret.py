"""An organisation's SIRET and postal address: checked in French, saved clean, printed on the
cession file for both parties."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mobility.auth.models import Organisation, OrganisationKind
from mobility.core.siret import is_valid_siret
from mobility.extensions import db
from tests.factories import OrganisationFactory
from tests.helpers import page_text

VALID = "12345678900015"


def _form(**changes):
    return {"name": "Asso Test", "kind": "association", **changes}


def test_the_siret_rule_checks_fourteen_digits_and_the_luhn_key():
    assert is_valid_siret(VALID)
    assert not is_valid_siret("12345678900016")  # last digit changed: the key no longer matches
    assert not is_valid_siret("1234567890001")  # 13 digits
    assert not is_valid_siret("1234567890001A")
    assert is_valid_siret("35600000049837")  # La Poste: digits' sum a multiple of 5


def test_an_admin_records_siret_and_address_typed_with_spaces(client, admin_logged_in):
    response = client.post("/admin/organisations/nouvelle", data=_form(
        siret="123 456 789 00015", postal_address="12 rue des Lilas\n45000 Orléans",
    ))
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Asso Test"))
    assert (organisation.siret, organisation.postal_address) == (VALID, "12 rue des Lilas\n45000 Orléans")


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("1234567890001", "Le numéro SIRET compte 14 chiffres"),
        ("12345678900O15", "Le numéro SIRET compte 14 chiffres"),
        ("12345678900016", "la clé de contrôle ne correspond pas"),
    ],
    ids=["13 digits", "a letter O", "wrong key"],
)
def test_a_bad_siret_is_explained_in_french_and_nothing_is_saved(client, admin_logged_in, siret, message):
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    response = client.post("/admin/organisations/nouvelle", data=_form(siret=siret))
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_an_address_too_long_is_refused(client, admin_logged_in):
    response = client.post("/admin/organisations/nouvelle", data=_form(postal_address="x" * 301))
    assert response.status_code == 422
    assert "L'adresse ne doit pas dépasser 300 caractères." in page_text(response)


def test_two_organisations_cannot_share_a_siret(client, admin_logged_in):
    OrganisationFactory(name="Première", siret=VALID)
    response = client.post("/admin/organisations/nouvelle", data=_form(siret=VALID))
    assert response.status_code == 422
    assert "Ce numéro SIRET est déjà celui de « Première »." in page_text(response)


def test_the_database_refuses_a_siret_that_is_not_fourteen_digits(app):
    db.session.add(Organisation(name="Directe", kind=OrganisationKind.ASSOCIATION, siret="1234567890001X"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
