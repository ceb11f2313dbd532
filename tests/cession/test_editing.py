"""Editing a convention and a cession after creation: what each state allows, refusals in French
with nothing saved, every change in the audit trail."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.cession.models import Cession, CessionState, Convention
from mobility.extensions import db
from tests.cession.factories import CessionFactory, ConventionFactory
from tests.factories import OrganisationFactory


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")


def _cession_form(cession, **changes):
    data = {
        "convention_id": str(cession.convention_id), "decision_reference": cession.decision_reference,
        "decided_on": cession.decided_on.isoformat(), "plate": cession.plate, "vin": cession.vin, "make": cession.make,
        "model": cession.model, "first_registered_on": cession.first_registered_on.isoformat(),
        "category": cession.category.value, "energy": cession.energy.value, "odometer_km": str(cession.odometer_km),
        "value_cents": "0", "ceded_on": cession.ceded_on.isoformat(), "ceded_at_time": "",
    }
    data.update(changes)
    return data


def _convention_form(convention, **changes):
    data = {
        "reference": convention.reference, "association_id": str(convention.association_id),
        "signed_on": convention.signed_on.isoformat(), "starts_on": convention.starts_on.isoformat(),
        "ends_on": convention.ends_on.isoformat(), "max_vehicles": str(convention.max_vehicles),
        "kind": convention.kind.value, "price_decision_reference": convention.price_decision_reference or "",
        "obligations": convention.obligations or "",
    }
    data.update(changes)
    return data


def _updates(object_type, object_id):
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.UPDATE, AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
    )))


@pytest.mark.parametrize("state", [CessionState.PROPOSED, CessionState.ACCEPTED, CessionState.TRANSFERRED])
def test_an_admin_corrects_a_cession_before_its_registration_and_the_change_is_audited(frozen_today, client, auth, admin, convention, state):
    cession = CessionFactory(convention=convention, state=state)
    auth.login(admin)
    assert "Modifier la cession" in _text(client.get(f"/cessions/{cession.id}"))
    response = client.post(f"/cessions/{cession.id}/modifier", data=_cession_form(cession, plate="gh 321 jk", odometer_km="99 500"))
    assert response.status_code == 302
    db.session.expire_all()
    cession = db.session.get(Cession, cession.id)
    assert (cession.plate, cession.odometer_km) == ("GH-321-JK", 99_500)
    [event] = _updates("cession", cession.id)
    assert event.actor_id == admin.id and set(event.fields.split(",")) == {"plate", "odometer_km"}


@pytest.mark.parametrize("state", [CessionState.REGISTERED, CessionState.IN_SERVICE, CessionState.SCRAPPED, CessionState.DECLINED])
def test_once_registered_a_cession_s_identity_is_locked(frozen_today, client, auth, admin, convention, state):
    cession = CessionFactory(convention=convention, state=state, plate="GH-321-JK")
    auth.login(admin)
    assert "Modifier la cession" not in _text(client.get(f"/cessions/{cession.id}"))
    response = client.post(f"/cessions/{cession.id}/modifier", data=_cession_form(cession, plate="ZZ-999-ZY"), follow_redirects=True)
    assert "ne se modifient plus" in _text(response)
    db.session.expire_all()
    assert db.session.get(Cession, cession.id).plate == "GH-321-JK"
    assert _updates("cession", cession.id) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ceded_on": "2030-01-01"}, "ne peut pas être dans le futur"),
        ({"ceded_on": "2017-01-01"}, "ne peut pas précéder la première mise en circulation"),
        ({"value_cents": "450"}, "Une cession gratuite est possible jusqu'à 300 €"),
        ({"vin": "VF1ABCDEFGH123456"[:16] + "I"}, "VIN"),
        ({"ceded_on": "2025-12-01"}, "la date de cession doit être dans cette période"),
    ],
    ids=["future", "before first registration", "above the free ceiling", "bad VIN", "outside the convention"],
)
def test_a_bad_correction_is_explained_and_saves_nothing(frozen_today, client, auth, admin, convention, changes, message):
    cession = CessionFactory(convention=convention, odometer_km=98_000)
    auth.login(admin)
    response = client.post(f"/cessions/{cession.id}/modifier", data=_cession_form(cession, odometer_km="1", **changes))
    assert response.status_code == 422
    assert message in _text(response)
    db.session.expire_all()
    assert db.session.get(Cession, cession.id).odometer_km == 98_000
    assert _updates("cession", cession.id) == []


def test_a_corrected_vin_may_not_be_another_cession_s(frozen_today, client, auth, admin, convention):
    other = CessionFactory(convention=convention)
    cession = CessionFactory(convention=convention)
    auth.login(admin)
    response = client.post(f"/cessions/{cession.id}/modifier", data=_cession_form(cession, vin=other.vin))
    assert response.status_code == 422
    assert "déjà celui d'une autre cession" in _text(response)


def test_the_convention_of_a_cession_never_changes(frozen_today, client, auth, admin, convention):
    cession = CessionFactory(convention=convention)
    elsewhere = ConventionFactory(association=convention.association)
    auth.login(admin)
    client.post(f"/cessions/{cession.id}/modifier", data=_cession_form(cession, convention_id=str(elsewhere.id), make="Dacia"))
    db.session.expire_all()
    cession = db.session.get(Cession, cession.id)
    assert (cession.convention_id, cession.make) == (convention.id, "Dacia")


def test_only_admins_edit_and_others_get_404(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    assert client.get(f"/cessions/{cession.id}/modifier").status_code in (403, 404)
    assert client.get(f"/cessions/conventions/{convention.id}/modifier").status_code in (403, 404)


def test_an_admin_corrects_a_convention_and_the_change_is_audited(frozen_today, client, auth, admin, convention):
    auth.login(admin)
    response = client.post(f"/cessions/conventions/{convention.id}/modifier",
                           data=_convention_form(convention, obligations="Rapport semestriel", max_vehicles="8"))
    assert response.status_code == 302
    db.session.expire_all()
    convention = db.session.get(Convention, convention.id)
    assert (convention.obligations, convention.max_vehicles) == ("Rapport semestriel", 8)
    [event] = _updates("convention", convention.id)
    assert set(event.fields.split(",")) == {"obligations", "max_vehicles"}


def test_without_cessions_a_convention_may_change_association_and_form(frozen_today, client, auth, admin, convention):
    other = OrganisationFactory(association=True)
    auth.login(admin)
    response = client.post(f"/cessions/conventions/{convention.id}/modifier", data=_convention_form(
        convention, association_id=str(other.id), kind="priced", price_decision_reference="CP-2026-099"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Convention, convention.id).association_id == other.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "priced", "price_decision_reference": "CP-1"}, "son association et sa forme ne changent plus"),
        ({"starts_on": "2026-10-02"}, "sa période doit les couvrir"),
        ({"ends_on": "2026-09-30"}, "sa période doit les couvrir"),
        ({"max_vehicles": "1"}, "le maximum ne peut pas être inférieur"),
        ({"ends_on": "2025-01-01"}, "La fin de la convention doit venir après son début."),
    ],
    ids=["form", "start after a cession", "end before a cession", "maximum below the ceded", "end before start"],
)
def test_with_cessions_made_a_convention_keeps_what_they_rely_on(frozen_today, client, auth, admin, convention, changes, message):
    CessionFactory(convention=convention, ceded_on=convention.starts_on.replace(month=10, day=1))
    CessionFactory(convention=convention, ceded_on=convention.starts_on.replace(month=10, day=1))
    auth.login(admin)
    response = client.post(f"/cessions/conventions/{convention.id}/modifier", data=_convention_form(convention, obligations="x", **changes))
    assert response.status_code == 422
    assert message in _text(response)
    db.session.expire_all()
    assert db.session.get(Convention, convention.id).obligations != "x"
    assert _updates("convention", convention.id) == []
