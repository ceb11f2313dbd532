"""The pages of money and data items in a real browser, with axe, at phone size
(390×844) and desktop size: "Mes données" and its printable copy, the payments page with its
correction form, and the tariffs list with a tariff to come."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"], f"{page.url} scrolls sideways: {widths}"


def _both_sizes(page) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        _no_sideways_scroll(page)
        assert_no_axe_violations(page)


def _person_with_a_rental() -> dict:
    from mobility.booking.models import BookingStatus, Handover, HandoverKind, PaymentKind, PaymentMethod
    from mobility.booking import services
    from mobility.extensions import db
    from tests.booking.factories import BookingFactory
    from tests.factories import BeneficiaryFactory, UserFactory
    from tests.fleet.factories import SiteFactory, VehicleFactory

    account = UserFactory(beneficiary=True, full_name="Bénéficiaire Test")
    person = BeneficiaryFactory(user=account, first_name="Bénéficiaire", last_name="Test", licence_b=True)
    fleet = UserFactory(fleet=True, full_name="Gestion Test")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    booking = BookingFactory(
        beneficiary=person,
        vehicle=VehicleFactory(site=SiteFactory(association=fleet.organisation)),
        status=BookingStatus.CONFIRMED,
        purpose_detail="Boulangerie Exemple",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=5),
    )
    db.session.add(
        Handover(booking=booking, kind=HandoverKind.CHECK_OUT, odometer_km=45_000, fuel_eighths=8, damage_notes="Rayure sur la portière")
    )
    services.record_payment(booking, PaymentKind.RENTAL, 4000, PaymentMethod.CASH, date.today(), "R-1", fleet)
    db.session.commit()
    return {"email": account.email, "fleet": fleet.email, "booking": booking.id}


def test_mes_donnees_and_its_printable_copy_pass_axe_on_a_phone_and_a_desktop(page, make_data):
    data = make_data(_person_with_a_rental)
    login(page, data["email"])
    page.goto("/mes-donnees")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    expect(page.get_by_role("region", name="Vos locations", exact=True)).to_contain_text("Boulangerie Exemple")
    expect(page.get_by_role("region", name="Remises et retours du véhicule")).to_contain_text("Rayure sur la portière")
    _both_sizes(page)

    page.get_by_role("link", name="Version à imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Données personnelles")
    _both_sizes(page)


def test_the_payments_page_with_its_correction_form_passes_axe_with_errors_shown(page, make_data):
    data = make_data(_person_with_a_rental)
    login(page, data["fleet"])
    page.goto(f"/flotte/locations/{data['booking']}/paiements")
    expect(page.get_by_role("heading", name="Corriger une erreur")).to_be_visible()
    _both_sizes(page)

    page.set_viewport_size(DESKTOP)
    page.get_by_label("Écriture à annuler").select_option(index=1)
    page.get_by_role("button", name="Annuler cette écriture").click()
    expect(page.get_by_label("Raison de l'annulation de l'écriture")).to_have_attribute("aria-invalid", "true")
    _both_sizes(page)

    page.get_by_label("Raison de l'annulation de l'écriture").fill("40 € au lieu de 20 €")
    page.get_by_role("button", name="Annuler cette écriture").click()
    expect(page.get_by_role("status")).to_contain_text("L'écriture est annulée")
    _both_sizes(page)


def test_the_tariffs_list_and_the_correction_form_pass_axe(page, make_data):
    def build() -> dict:
        from mobility.booking.models import Tariff
        from mobility.extensions import db
        from mobility.fleet.models import VehicleCategory
        from tests.factories import UserFactory

        admin = UserFactory(admin=True, full_name="Admin Test")
        future = Tariff(
            category=VehicleCategory.CAR,
            effective_on=date.today() + timedelta(days=30),
            daily_cents=500,
            weekly_cap_cents=2500,
            monthly_cap_cents=7500,
            deposit_cents=15000,
        )
        db.session.add(future)
        db.session.commit()
        return {"email": admin.email, "tariff": future.id}

    data = make_data(build)
    login(page, data["email"])
    page.goto("/admin/tarifs/")
    expect(page.get_by_role("button", name="Retirer", exact=False)).to_be_visible()
    _both_sizes(page)

    page.set_viewport_size(DESKTOP)
    page.goto(f"/admin/tarifs/{data['tariff']}/corriger")
    page.get_by_label("Plafond par semaine, en euros").fill("3")
    page.get_by_role("button", name="Enregistrer le tarif").click()
    expect(page.get_by_label("Plafond par semaine, en euros")).to_have_attribute("aria-invalid", "true")
    _both_sizes(page)
