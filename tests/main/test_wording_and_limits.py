"""Wording for the person one speaks to or about, elision, and text fields that say their
limit and refuse longer text with a message rather than cut it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from mobility.booking.models import Booking
from mobility.fleet.hours_forms import ClockField
from mobility.incidents.forms import OptionalEurosField
from mobility.core.forms import BaseForm, EurosField
from mobility.extensions import db
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)


@pytest.fixture
def followed_person(app, frozen):
    add_demo_tariffs()
    site = SiteFactory(orleans=True)
    VehicleFactory(site=site)
    referent = UserFactory(full_name="Référent Test")
    person = eligible_beneficiary(TODAY, referent=referent, commune_insee="45234")  # Orléans
    user = UserFactory(beneficiary=True, organisation=person.organisation)
    person.user = user
    db.session.commit()
    return {"site": site, "referent": referent, "person": person, "user": user}


def request_data(followed_person, **overrides) -> dict:
    return {
        "category": "car",
        "basin_id": str(followed_person["site"].basin_id),
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-11",
        "pickup_time": "09:00",
        "return_time": "17:00",
        "purpose": "job",
        "purpose_detail": "Entreprise de logistique",
        "step": "preview",
        **overrides,
    }


# --- "la personne" ------------------------------------------------------------------------------


def test_the_request_form_filled_by_a_referent_speaks_of_the_person(client, auth, followed_person):
    auth.login(followed_person["referent"])
    page = text_of(client.get(f"/locations/demander?beneficiaire={followed_person['person'].id}"))
    assert "Le jour où la personne prend le véhicule." in page
    assert "Le jour où la personne rend le véhicule" in page
    assert "Pour quoi la personne a-t-elle besoin du véhicule ?" in page
    assert "vous prenez" not in page and "vous rendez" not in page and "avez-vous besoin" not in page


def test_the_request_form_of_the_beneficiary_speaks_to_them(client, auth, followed_person):
    auth.login(followed_person["user"])
    page = text_of(client.get("/locations/demander"))
    assert "Le jour où vous prenez le véhicule." in page
    assert "Pour quoi avez-vous besoin du véhicule ?" in page


def test_the_invitation_form_speaks_of_the_address_of_the_person(client, auth, app):
    auth.login(UserFactory(admin=True))
    response = client.post("/admin/utilisateurs/nouveau", data={"email": "", "full_name": "Agent Test"})
    assert response.status_code == 422
    assert field_error(response, "email") == "Erreur : Saisissez l'adresse e-mail de la personne."
    assert "votre adresse" not in text_of(response)


# --- elision ------------------------------------------------------------------------------------


def test_the_file_page_elides_de_before_a_vowel(client, auth, followed_person):
    auth.login(followed_person["referent"])
    page = text_of(client.get(f"/beneficiaires/{followed_person['person'].id}"))
    assert "bassin d'Orléans" in page and "bassin de Orléans" not in page


def test_the_file_page_keeps_de_before_a_consonant(client, auth, followed_person):
    person = eligible_beneficiary(TODAY, referent=followed_person["referent"], commune_insee="45208")  # Montargis
    auth.login(followed_person["referent"])
    assert "bassin de Montargis" in text_of(client.get(f"/beneficiaires/{person.id}"))


def test_the_english_page_says_basin_without_french_elision(client, auth, followed_person):
    followed_person["referent"].locale = "en"
    db.session.commit()
    auth.login(followed_person["referent"])
    assert "Orléans employment area" in text_of(client.get(f"/beneficiaires/{followed_person['person'].id}"))


# --- text limits --------------------------------------------------------------------------------


def test_a_text_field_says_its_limit_and_carries_it(client, auth, followed_person):
    auth.login(followed_person["user"])
    html = client.get("/locations/demander").get_data(as_text=True)
    assert 'maxlength="200"' in html
    assert '<p class="hint" id="purpose_detail-limit">200 caractères au plus.</p>' in html
    assert 'aria-describedby="purpose_detail-hint purpose_detail-limit"' in html


def test_longer_text_is_refused_in_words_and_nothing_is_cut_or_saved(client, auth, followed_person):
    auth.login(followed_person["user"])
    response = client.post("/locations/demander", data=request_data(followed_person, purpose_detail="x" * 201, step="send"))
    assert response.status_code == 422
    assert "Ce champ ne doit pas dépasser 200 caractères." in field_error(response, "purpose_detail")
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def _all_forms(base=BaseForm):
    for form in base.__subclasses__():
        yield form
        yield from _all_forms(form)


# Text fields bounded by their shape rather than a length: a plate or a VIN has a fixed format
# (checked by the fleet's rules), a confirmation must equal the password (which has its limit).
SHAPED_FIELDS = {
    "mobility.fleet.forms.VehicleForm.plate",
    "mobility.fleet.forms.VehicleForm.vin",
    "mobility.auth.forms.ChangePasswordForm.confirm",
    "mobility.auth.forms.ResetPasswordForm.confirm",
    # Amounts read by core.forms.parse_euros: 1 to 7 digits and 2 decimals, nothing longer.
    "mobility.booking.forms.fleet.PaymentForm.amount",
    "mobility.fleet.forms.MaintenanceForm.cost",
    # A SIRET is 14 digits (spaces allowed) with its check digit; a phone number is read by
    # phonenumbers: anything else is refused in words.
    "mobility.auth.forms.OrganisationForm.siret",
    "mobility.incidents.forms.PolicyForm.emergency_phone",
}


SHAPED_FIELD_CLASSES = (EurosField, OptionalEurosField, ClockField)


def test_every_text_field_of_every_form_has_a_limit(app):
    """A text field without a Length is cut by the database (or refused with a 500): none may be
    without one, so that each says its limit and refuses longer text in words."""
    missing = []
    for form in _all_forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, StringField | TextAreaField):
                continue
            if issubclass(unbound.field_class, SHAPED_FIELD_CLASSES) or f"{form.__module__}.{form.__name__}.{name}" in SHAPED_FIELDS:
                continue  # amounts are 1 to 7 digits by their pattern, clock times HH:MM
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                missing.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not missing, "text fields without a length limit: " + ", ".join(sorted(missing))
