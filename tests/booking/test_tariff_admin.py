"""The tariff admin pages, as an admin sees them: the list, a new tariff, refusals, and access."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.models import Booking, Tariff
from mobility.booking.services import RequestDetails
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Paris
TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.usefixtures("frozen")


def tariff_form(**overrides) -> dict:
    data = {
        "category": "car",
        "effective_on": "2026-12-01",
        "daily": "4,50",
        "weekly_cap": "20",
        "monthly_cap": "1 234,50 €",
        "deposit": "150",
    }
    data.update(overrides)
    return data


def error_on(response, field_id: str) -> str:
    """The message next to a field, without the "Erreur :" said to screen reader users first."""
    message = field_error(response, field_id)
    assert message.startswith("Erreur : "), message
    return message.removeprefix("Erreur : ")


def tariff_rows() -> list[Tariff]:
    return list(db.session.scalars(select(Tariff).order_by(Tariff.category, Tariff.effective_on)))


def add(category, effective_on, daily_cents) -> Tariff:
    row = Tariff(
        category=category,
        effective_on=effective_on,
        daily_cents=daily_cents,
        weekly_cap_cents=5 * daily_cents,
        monthly_cap_cents=15 * daily_cents,
        deposit_cents=10000,
    )
    db.session.add(row)
    db.session.commit()
    return row


# The list --------------------------------------------------------------------------------


def test_the_list_says_in_words_which_tariff_is_in_force_today_with_those_to_come_and_those_replaced(
    client, admin_logged_in
):
    add(VehicleCategory.CAR, date(2026, 1, 1), 400)
    add(VehicleCategory.CAR, date(2026, 6, 1), 500)
    add(VehicleCategory.CAR, date(2027, 1, 1), 600)
    page = text_of(client.get("/admin/tarifs/"))
    assert "En vigueur aujourd'hui : le tarif du 1 juin 2026, à 5,00 € par jour." in page
    car = page[page.index("Voiture (permis B)") : page.index("Voiture sans permis")]
    assert car.index("1 janvier 2027 À venir 6,00 €") < car.index("1 juin 2026 En vigueur aujourd'hui 5,00 €")
    assert car.index("1 juin 2026 En vigueur aujourd'hui") < car.index("1 janvier 2026 Remplacé 4,00 €")


def test_the_list_says_tariffs_in_force_are_never_edited_and_offers_no_way_to_edit_one(client, admin_logged_in):
    add(VehicleCategory.CAR, date(2026, 1, 1), 400)
    response = client.get("/admin/tarifs/")
    assert "Un tarif en vigueur ne se modifie pas : chaque location garde le prix" in text_of(response)
    assert "modifier" not in response.get_data(as_text=True).lower()


def test_an_offered_category_without_a_tariff_says_its_requests_are_refused(client, admin_logged_in):
    page = text_of(client.get("/admin/tarifs/"))
    vsp = page[page.index("Voiture sans permis") :]
    assert "Aucun tarif en vigueur aujourd'hui : les demandes de ce type sont refusées" in vsp


def test_the_admin_home_page_links_to_the_tariffs(client, admin_logged_in):
    assert 'href="/admin/tarifs/"' in client.get("/accueil").get_data(as_text=True)


# A new tariff ----------------------------------------------------------------------------


def test_an_admin_adds_a_tariff_typed_in_euros_and_it_is_stored_in_cents(client, admin_logged_in):
    response = client.post("/admin/tarifs/nouveau", data=tariff_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/tarifs/")
    [row] = tariff_rows()
    assert (row.category, row.effective_on) == (VehicleCategory.CAR, date(2026, 12, 1))
    assert (row.daily_cents, row.weekly_cap_cents, row.monthly_cap_cents, row.deposit_cents) == (
        450,
        2000,
        123450,
        15000,
    )
    assert row.created_by_id == admin_logged_in.id
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "tariff")).all()
    assert [(event.action, event.object_id, event.actor_id) for event in audit] == [
        (AuditAction.CREATE, row.id, admin_logged_in.id)
    ]
    page = text_of(client.get("/admin/tarifs/"))
    assert "Le nouveau tarif « Voiture (permis B) » prend effet le 01/12/2026." in page
    assert "1 décembre 2026 À venir 4,50 €" in page


def test_a_tariff_may_take_effect_today_and_free_amounts_are_allowed(client, admin_logged_in):
    response = client.post(
        "/admin/tarifs/nouveau",
        data=tariff_form(effective_on="2026-11-23", daily="0", weekly_cap="0", monthly_cap="0", deposit="0"),
    )
    assert response.status_code == 302
    assert "En vigueur aujourd'hui : le tarif du 23 novembre 2026, à 0,00 € par jour." in text_of(
        client.get("/admin/tarifs/")
    )


def test_the_form_starts_on_today_and_on_the_category_asked(client, admin_logged_in):
    body = client.get("/admin/tarifs/nouveau?categorie=vsp").get_data(as_text=True)
    assert 'value="2026-11-23"' in body
    assert '<option selected value="vsp">' in body


def test_a_tariff_starting_in_the_past_is_refused_on_its_date(client, admin_logged_in):
    response = client.post("/admin/tarifs/nouveau", data=tariff_form(effective_on="2026-11-22"))
    assert response.status_code == 422
    assert error_on(response, "effective_on") == "Un nouveau tarif prend effet aujourd'hui ou plus tard."
    assert tariff_rows() == []


def test_a_second_tariff_of_a_category_on_the_same_day_is_refused_but_another_category_may(client, admin_logged_in):
    assert client.post("/admin/tarifs/nouveau", data=tariff_form()).status_code == 302
    response = client.post("/admin/tarifs/nouveau", data=tariff_form(daily="5"))
    assert response.status_code == 422
    assert error_on(response, "effective_on") == "Un tarif de ce type prend déjà effet ce jour-là."
    assert client.post("/admin/tarifs/nouveau", data=tariff_form(category="vsp")).status_code == 302
    assert [(row.category, row.daily_cents) for row in tariff_rows()] == [
        (VehicleCategory.CAR, 450),
        (VehicleCategory.VSP, 450),
    ]


def test_negative_garbage_or_missing_amounts_are_refused_on_each_field(client, admin_logged_in):
    response = client.post(
        "/admin/tarifs/nouveau",
        data=tariff_form(daily="-4", weekly_cap="quatre euros", monthly_cap="4,567", deposit=" "),
    )
    assert response.status_code == 422
    assert error_on(response, "daily") == "Le montant ne peut pas être négatif : saisissez 0 ou plus."
    assert error_on(response, "weekly_cap") == "Saisissez un montant en euros, par exemple 4 ou 4,50."
    assert error_on(response, "monthly_cap") == "Saisissez un montant en euros, par exemple 4 ou 4,50."
    assert error_on(response, "deposit") == "Saisissez le montant de la caution, 0 s'il n'y en a pas."
    assert "Le formulaire contient 4 erreurs" in text_of(response)
    assert tariff_rows() == []


def test_a_missing_category_or_an_unreadable_date_is_refused(client, admin_logged_in):
    response = client.post(
        "/admin/tarifs/nouveau", data=tariff_form(category="camion", effective_on="demain")
    )
    assert response.status_code == 422
    assert error_on(response, "category") == "Choisissez un type de véhicule dans la liste."
    assert error_on(response, "effective_on") == "Saisissez une date valide, par exemple 31/01/2026."
    assert tariff_rows() == []


# Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["referent", "fleet", "beneficiary"])
def test_other_roles_get_404_on_the_tariff_pages(client, auth, frozen, role):
    auth.login(UserFactory(**({role: True} if role != "referent" else {})))
    assert client.get("/admin/tarifs/").status_code == 404
    assert client.get("/admin/tarifs/nouveau").status_code == 404
    assert client.post("/admin/tarifs/nouveau", data=tariff_form()).status_code == 404
    assert tariff_rows() == []


def test_without_logging_in_the_tariff_pages_send_to_the_login_page(client, app):
    response = client.get("/admin/tarifs/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


# A booking keeps its price ---------------------------------------------------------------


def _prescribe(site, category=VehicleCategory.CAR) -> Booking:
    person = eligible_beneficiary(TODAY)
    details = RequestDetails(
        category=category,
        basin_id=site.basin_id,
        starts_on=date(2026, 12, 7),
        ends_on=date(2026, 12, 11),
        purpose=Purpose.JOB,
        pickup_time=time(9, 0),
        return_time=time(17, 0),
    )
    booking = services.request_booking(person, details, person.referent)
    db.session.commit()
    return booking


def test_a_booking_keeps_its_price_when_a_new_tariff_comes_into_force(client, admin_logged_in, frozen):
    add_demo_tariffs()  # car: 4 € a day, 20 € a week at most, deposit 150 €
    site = SiteFactory(orleans=True)
    VehicleFactory(site=site)
    VehicleFactory(site=site)
    before = _prescribe(site)
    assert (before.price_cents, before.deposit_cents) == (2000, 15000)

    response = client.post(
        "/admin/tarifs/nouveau",
        data=tariff_form(
            effective_on="2026-11-30", daily="10", weekly_cap="100", monthly_cap="300", deposit="200"
        ),
    )
    assert response.status_code == 302
    frozen.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False)

    after = _prescribe(site)
    db.session.expire_all()
    kept = db.session.get(Booking, before.id)
    assert (kept.price_cents, kept.deposit_cents) == (2000, 15000)
    assert (after.price_cents, after.deposit_cents) == (5000, 20000)
    assert db.session.scalar(select(func.count(Booking.id))) == 2


# Consistent tariffs; a tariff to come corrected or withdrawn ------------------------------


@pytest.mark.parametrize(
    "amounts, field, message",
    [
        ({"daily": "5", "weekly_cap": "3", "monthly_cap": "60"}, "weekly_cap", "inférieur au prix d'un jour"),
        ({"daily": "4", "weekly_cap": "20", "monthly_cap": "19,99"}, "monthly_cap", "inférieur au plafond par semaine"),
    ],
)
def test_caps_below_the_daily_rate_or_the_weekly_cap_are_refused_on_their_field(client, admin_logged_in, amounts, field, message):
    response = client.post("/admin/tarifs/nouveau", data=tariff_form(**amounts))
    assert response.status_code == 422
    assert message in error_on(response, field)
    assert tariff_rows() == []


def test_the_database_refuses_caps_out_of_order_too(app, frozen):
    from sqlalchemy.exc import IntegrityError

    db.session.add(
        Tariff(
            category=VehicleCategory.CAR,
            effective_on=date(2026, 12, 1),
            daily_cents=500,
            weekly_cap_cents=300,
            monthly_cap_cents=6000,
            deposit_cents=0,
        )
    )
    with pytest.raises(IntegrityError, match="caps_ordered"):
        db.session.commit()


def test_a_tariff_to_come_is_corrected_and_the_change_is_audited(client, admin_logged_in):
    future = add(VehicleCategory.CAR, date(2027, 1, 1), 600)
    page = text_of(client.get("/admin/tarifs/"))
    assert "Corriger — tarif du 1 janvier 2027" in page and "Retirer — tarif du 1 janvier 2027" in page
    form = text_of(client.get(f"/admin/tarifs/{future.id}/corriger"))
    assert "Corriger un tarif à venir — Voiture (permis B)" in form
    response = client.post(
        f"/admin/tarifs/{future.id}/corriger",
        data={"effective_on": "2027-01-04", "daily": "5", "weekly_cap": "25", "monthly_cap": "75", "deposit": "100"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Tariff, future.id)
    assert (row.effective_on, row.daily_cents, row.weekly_cap_cents, row.monthly_cap_cents, row.deposit_cents) == (
        date(2027, 1, 4), 500, 2500, 7500, 10000
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "tariff", AuditEvent.action == AuditAction.UPDATE))
    assert event.fields == "daily_cents,effective_on,monthly_cap_cents,weekly_cap_cents"


def test_a_corrected_tariff_keeps_its_caps_in_order_and_its_date_unique(client, admin_logged_in):
    add(VehicleCategory.CAR, date(2027, 2, 1), 600)
    future = add(VehicleCategory.CAR, date(2027, 1, 1), 600)
    base = {"effective_on": "2027-01-01", "daily": "5", "weekly_cap": "25", "monthly_cap": "75", "deposit": "100"}
    response = client.post(f"/admin/tarifs/{future.id}/corriger", data={**base, "weekly_cap": "3"})
    assert response.status_code == 422 and "inférieur au prix d'un jour" in error_on(response, "weekly_cap")
    response = client.post(f"/admin/tarifs/{future.id}/corriger", data={**base, "effective_on": "2027-02-01"})
    assert response.status_code == 422 and "prend déjà effet ce jour-là" in error_on(response, "effective_on")
    response = client.post(f"/admin/tarifs/{future.id}/corriger", data={**base, "effective_on": "2026-11-01"})
    assert response.status_code == 422 and "aujourd'hui ou plus tard" in error_on(response, "effective_on")


def test_a_tariff_to_come_is_withdrawn_and_one_in_force_can_be_neither_corrected_nor_withdrawn(client, admin_logged_in):
    in_force = add(VehicleCategory.CAR, date(2026, 1, 1), 400)
    future = add(VehicleCategory.CAR, date(2027, 1, 1), 600)
    response = client.post(f"/admin/tarifs/{future.id}/retirer")
    assert response.status_code == 303
    assert "qui devait prendre effet le 01/01/2027 est retiré" in text_of(client.get("/admin/tarifs/"))
    assert [row.id for row in tariff_rows()] == [in_force.id]
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.object_type == "tariff", AuditEvent.action == AuditAction.DELETE)
    )

    response = client.post(f"/admin/tarifs/{in_force.id}/retirer")
    assert response.status_code == 303
    assert "il ne se change plus" in text_of(client.get("/admin/tarifs/"))
    assert client.get(f"/admin/tarifs/{in_force.id}/corriger").status_code == 303
    response = client.post(
        f"/admin/tarifs/{in_force.id}/corriger",
        data={"effective_on": "2027-01-04", "daily": "1", "weekly_cap": "1", "monthly_cap": "1", "deposit": "1"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Tariff, in_force.id).daily_cents == 400
    assert client.post("/admin/tarifs/999/retirer").status_code == 404


def test_correcting_a_tariff_to_come_does_not_change_the_price_of_a_booking_already_made(client, admin_logged_in, frozen):
    add_demo_tariffs()  # car: 4 € a day, 20 € a week at most, deposit 150 €
    future = add(VehicleCategory.CAR, date(2026, 11, 30), 1000)
    site = SiteFactory(orleans=True)
    VehicleFactory(site=site)
    booking = _prescribe(site)
    assert (booking.price_cents, booking.deposit_cents, booking.tariff.effective_on < date(2026, 11, 30)) == (2000, 15000, True)
    response = client.post(
        f"/admin/tarifs/{future.id}/corriger",
        data={"effective_on": "2026-11-24", "daily": "9", "weekly_cap": "90", "monthly_cap": "300", "deposit": "300"},
    )
    assert response.status_code == 302
    frozen.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), tick=False)
    db.session.expire_all()
    kept = db.session.get(Booking, booking.id)
    assert (kept.price_cents, kept.deposit_cents) == (2000, 15000)
