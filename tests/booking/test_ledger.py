"""The payments ledger: append-only entries, reversals, refunds, the deposit at the check-out,
the ceiling on amounts, and what a booking that does not happen shows. On both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from mobility.audit.models import AuditEvent
from mobility.booking import services
from mobility.booking.errors import BookingError
from mobility.booking.models import BookingStatus, LedgerAccount, Payment, PaymentKind, PaymentMethod
from mobility.booking.services import HandoverDetails
from mobility.extensions import db
from tests.booking.factories import BookingFactory
from tests.factories import UserFactory
from tests.fleet.factories import OdometerReadingFactory, SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # Monday 7 December 2026, 9:30 in Paris
FROZEN_AT = NOW
pytestmark = pytest.mark.usefixtures("frozen")
TODAY = date(2026, 12, 7)


@pytest.fixture
def booking(fleet_user):
    vehicle = VehicleFactory(site=SiteFactory(association=fleet_user.organisation))
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 11, 2), km=45_000)
    return BookingFactory(vehicle=vehicle, price_cents=2000, deposit_cents=15000)


def pay(booking, fleet_user, kind=PaymentKind.RENTAL, cents=2000, receipt="R-1"):
    entry = services.record_payment(booking, kind, cents, PaymentMethod.CASH, TODAY, receipt, fleet_user)
    db.session.commit()
    return entry


# --- Entries and balances -----------------------------------------------------------------------


def test_refunds_are_negative_entries_and_the_balances_are_sums_of_the_ledger(booking, fleet_user):
    pay(booking, fleet_user, cents=2500, receipt="R-1")
    pay(booking, fleet_user, PaymentKind.DEPOSIT, 15000, "R-2")
    refund = pay(booking, fleet_user, PaymentKind.RENTAL_REFUND, 500, "R-3")
    assert (refund.account, refund.amount_cents) == (LedgerAccount.RENT, -500)
    assert (booking.paid_cents, booking.owed_cents, booking.rent_to_refund_cents) == (2000, 0, 0)
    pay(booking, fleet_user, PaymentKind.DEPOSIT_REFUND, 15000, "R-4")
    assert booking.deposit_held_cents == 0


def test_a_refund_above_what_was_paid_is_refused(booking, fleet_user):
    pay(booking, fleet_user, cents=1000)
    with pytest.raises(BookingError, match="rembourser plus que ce qui a été payé"):
        services.record_payment(booking, PaymentKind.RENTAL_REFUND, 1001, PaymentMethod.CASH, TODAY, "R-2", fleet_user)
    with pytest.raises(BookingError, match="rendre plus que la caution reçue"):
        services.record_payment(booking, PaymentKind.DEPOSIT_REFUND, 1, PaymentMethod.CASH, TODAY, "R-3", fleet_user)


@pytest.mark.parametrize(
    "kind, cents, message",
    [
        (PaymentKind.RENTAL, 100_000_000, "bien plus élevé que ce que la location peut coûter"),
        (PaymentKind.RENTAL, 4001, "ne peuvent pas dépasser 40,00"),
        (PaymentKind.DEPOSIT, 30001, "bien plus élevé que la caution demandée"),
    ],
)
def test_an_amount_far_above_what_the_booking_could_owe_is_refused(booking, fleet_user, kind, cents, message):
    with pytest.raises(BookingError, match=message) as refusal:
        services.record_payment(booking, kind, cents, PaymentMethod.CASH, TODAY, "R-1", fleet_user)
    assert refusal.value.field == "amount"
    assert db.session.scalar(select(Payment.id)) is None


def test_the_ceiling_follows_the_setting(make_app, fleet_user):
    app = make_app(BOOKING_MAX_PAYMENT_FACTOR="1")
    with app.app_context():
        vehicle = VehicleFactory(site=SiteFactory(association=UserFactory(fleet=True).organisation))
        booking = BookingFactory(vehicle=vehicle, price_cents=2000)
        actor = UserFactory(fleet=True)
        with pytest.raises(BookingError, match="20,00"):
            services.record_payment(booking, PaymentKind.RENTAL, 2001, PaymentMethod.CASH, TODAY, "R-1", actor)
        assert services.record_payment(booking, PaymentKind.RENTAL, 2000, PaymentMethod.CASH, TODAY, "R-1", actor)


# --- Reversals ----------------------------------------------------------------------------------


def test_a_mistake_is_reversed_by_the_opposite_entry_with_its_reason_and_the_entry_stays(booking, fleet_user):
    wrong = pay(booking, fleet_user, cents=4000, receipt="R-1")
    reversal = services.reverse_payment(booking, wrong.id, "200 € saisis au lieu de 20 €", fleet_user)
    db.session.commit()
    assert (reversal.kind, reversal.amount_cents, reversal.reverses_id, reversal.account) == (
        PaymentKind.REVERSAL,
        -4000,
        wrong.id,
        LedgerAccount.RENT,
    )
    assert reversal.receipt_number is None and reversal.reason == "200 € saisis au lieu de 20 €"
    assert db.session.get(Payment, wrong.id).amount_cents == 4000
    assert booking.paid_cents == 0 and booking.owed_cents == 2000
    audited = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "payment", AuditEvent.object_id == reversal.id))
    assert audited.fields == "reason,reverses_id"


def test_an_entry_is_reversed_once_a_reversal_never_and_a_reason_is_required(booking, fleet_user):
    entry = pay(booking, fleet_user)
    with pytest.raises(BookingError, match="Dites pourquoi"):
        services.reverse_payment(booking, entry.id, "  ", fleet_user)
    reversal = services.reverse_payment(booking, entry.id, "doublon", fleet_user)
    db.session.commit()
    with pytest.raises(BookingError, match="déjà annulée"):
        services.reverse_payment(booking, entry.id, "encore", fleet_user)
    with pytest.raises(BookingError, match="Une annulation ne s'annule pas"):
        services.reverse_payment(booking, reversal.id, "retour", fleet_user)


def test_an_entry_of_another_booking_cannot_be_reversed_from_this_one(booking, fleet_user):
    other = BookingFactory(vehicle=booking.vehicle, starts_at=datetime(2027, 1, 4, 8, tzinfo=UTC), ends_at=datetime(2027, 1, 5, 16, tzinfo=UTC), status=BookingStatus.RETURNED)
    entry = pay(other, fleet_user)
    with pytest.raises(BookingError, match="n'existe pas pour cette location"):
        services.reverse_payment(booking, entry.id, "erreur", fleet_user)


def test_reversing_a_payment_whose_refund_stands_is_refused(booking, fleet_user):
    entry = pay(booking, fleet_user, cents=2000, receipt="R-1")
    pay(booking, fleet_user, PaymentKind.RENTAL_REFUND, 2000, "R-2")
    with pytest.raises(BookingError, match="Annulez d'abord le remboursement"):
        services.reverse_payment(booking, entry.id, "erreur", fleet_user)


# --- What the database itself refuses -----------------------------------------------------------


def _refused(statement: str, **params) -> None:
    with pytest.raises((DBAPIError, IntegrityError)) as refusal:
        with db.session.begin_nested():
            db.session.execute(text(statement), params)
    return refusal.value


def test_the_database_refuses_to_update_or_delete_an_entry(booking, fleet_user):
    entry = pay(booking, fleet_user)
    assert "payment_append_only" in str(_refused("UPDATE payment SET amount_cents = 1 WHERE id = :id", id=entry.id))
    assert "payment_append_only" in str(_refused("DELETE FROM payment WHERE id = :id", id=entry.id))
    db.session.rollback()
    assert db.session.get(Payment, entry.id).amount_cents == 2000


def test_the_database_refuses_a_reversal_of_another_amount_or_account_or_a_second_one(booking, fleet_user):
    entry = pay(booking, fleet_user)
    insert = (
        "INSERT INTO payment (booking_id, kind, account, amount_cents, method, paid_on, reverses_id,"
        " reversed_amount_cents, reason, created_at)"
        " VALUES (:booking, 'reversal', :account, :amount, 'cash', :day, :reverses, :reversed, :reason, :now)"
    )
    values = {"booking": booking.id, "day": TODAY, "reverses": entry.id, "reason": "erreur", "now": NOW}
    # Another amount, or the same amount as the entry instead of its opposite.
    _refused(insert, **values, account="rent", amount=-1500, reversed=1500)
    _refused(insert, **values, account="rent", amount=2000, reversed=-2000)
    _refused(insert, **values, account="rent", amount=-2000, reversed=1000)
    # Another account.
    _refused(insert, **values, account="deposit", amount=-2000, reversed=2000)
    # No reason.
    _refused(insert, **{**values, "reason": " "}, account="rent", amount=-2000, reversed=2000)
    with db.session.begin_nested():
        db.session.execute(text(insert), {**values, "account": "rent", "amount": -2000, "reversed": 2000})
    # At most once.
    _refused(insert, **values, account="rent", amount=-2000, reversed=2000)
    # A refund stored positive, a rent payment negative.
    plain = (
        "INSERT INTO payment (booking_id, kind, account, amount_cents, method, paid_on, receipt_number, created_at)"
        " VALUES (:booking, :kind, :account, :amount, 'cash', :day, :receipt, :now)"
    )
    common = {"booking": booking.id, "day": TODAY, "now": NOW}
    _refused(plain, **common, kind="rental_refund", account="rent", amount=100, receipt="X-1")
    _refused(plain, **common, kind="rental", account="rent", amount=-100, receipt="X-2")
    _refused(plain, **common, kind="rental", account="deposit", amount=100, receipt="X-3")


# --- The deposit at the check-out ---------------------------------------------------------------


def _check_out_details(**overrides) -> HandoverDetails:
    values = dict(
        odometer_km=45_100,
        fuel_eighths=8,
        contract_signed=True,
        deposit_received=True,
        deposit_method=PaymentMethod.CHEQUE,
        deposit_receipt_number="C-100",
    )
    values.update(overrides)
    return HandoverDetails(**values)


def test_ticking_deposit_received_at_the_check_out_records_the_deposit_entry_in_the_same_step(booking, fleet_user):
    services.check_out(booking, _check_out_details(), fleet_user, now=NOW)
    db.session.commit()
    entry = db.session.scalar(select(Payment))
    assert (entry.kind, entry.amount_cents, entry.method, entry.receipt_number) == (
        PaymentKind.DEPOSIT,
        15000,
        PaymentMethod.CHEQUE,
        "C-100",
    )
    assert booking.status == BookingStatus.IN_PROGRESS and booking.deposit_held_cents == 15000


def test_a_deposit_already_held_is_not_recorded_twice_at_the_check_out(booking, fleet_user):
    pay(booking, fleet_user, PaymentKind.DEPOSIT, 15000, "C-1")
    services.check_out(booking, _check_out_details(deposit_method=None, deposit_receipt_number=None), fleet_user, now=NOW)
    db.session.commit()
    assert booking.deposit_held_cents == 15000
    assert db.session.scalar(select(db.func.count(Payment.id))) == 1


def test_a_check_out_whose_deposit_receipt_is_refused_records_nothing(client, logged_in, booking):
    pay(booking, logged_in, PaymentKind.RENTAL, 2000, "C-100")  # that receipt number is taken
    form = {
        "odometer_km": "45 100",
        "fuel_eighths": "8",
        "deposit_received": "y",
        "deposit_method": "cheque",
        "deposit_receipt_number": "C-100",
        "contract_signed": "y",
    }
    response = client.post(f"/flotte/locations/{booking.id}/remise", data=form)
    assert response.status_code == 422
    assert "Ce numéro de reçu est déjà utilisé." in field_error(response, "deposit_receipt_number")
    db.session.expire_all()
    assert booking.status == BookingStatus.CONFIRMED and booking.check_out is None
    assert booking.deposit_held_cents == 0

    response = client.post(f"/flotte/locations/{booking.id}/remise", data={**form, "deposit_method": ""})
    assert "Indiquez comment la caution a été versée." in field_error(response, "deposit_method")

    response = client.post(f"/flotte/locations/{booking.id}/remise", data={**form, "deposit_receipt_number": "C-101"})
    assert response.status_code == 302
    db.session.expire_all()
    assert booking.status == BookingStatus.IN_PROGRESS and booking.deposit_held_cents == 15000


# --- The pages ----------------------------------------------------------------------------------


def test_the_payments_page_reverses_an_entry_and_shows_it_cancelled_with_its_reason(client, logged_in, booking):
    wrong = pay(booking, logged_in, cents=4000, receipt="R-1")
    page = text_of(client.get(f"/flotte/locations/{booking.id}/paiements"))
    assert "Corriger une erreur" in page and "Reste à payer rien : la location est payée" in page
    response = client.post(
        f"/flotte/locations/{booking.id}/paiements/annulation",
        data={"reversal-entry_id": str(wrong.id), "reversal-reason": ""},
    )
    assert response.status_code == 422
    assert "Dites pourquoi cette écriture est annulée" in field_error(response, "reversal-entry_id") + field_error(
        response, "reversal-reason"
    )
    response = client.post(
        f"/flotte/locations/{booking.id}/paiements/annulation",
        data={"reversal-entry_id": str(wrong.id), "reversal-reason": "40 € au lieu de 20 €"},
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "L'écriture est annulée par une écriture de -40,00 €." in page
    assert "Raison : 40 € au lieu de 20 €" in page and "annulée" in page
    assert "Reste à payer 20,00 €" in page
    # Nothing left to reverse: the form is gone.
    assert "Corriger une erreur" not in page


def test_a_million_euros_in_cash_is_refused_with_a_french_message(client, logged_in, booking):
    response = client.post(
        f"/flotte/locations/{booking.id}/paiements",
        data={"kind": "rental", "amount": "1000000", "method": "cash", "paid_on": "2026-12-07", "receipt_number": "R-9"},
    )
    assert response.status_code == 422
    assert "bien plus élevé que ce que la location peut coûter" in field_error(response, "amount")


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
def test_a_booking_that_will_not_happen_shows_what_was_paid_and_what_goes_back(client, logged_in, booking, status):
    pay(booking, logged_in, cents=2000, receipt="R-1")
    pay(booking, logged_in, PaymentKind.DEPOSIT, 15000, "R-2")
    booking.status = status
    db.session.commit()
    for url in (f"/flotte/locations/{booking.id}/paiements", f"/locations/{booking.id}"):
        page = text_of(client.get(url))
        assert "Reste à payer" not in page
        assert "Déjà payé 20,00 €" in page and "Location à rembourser 20,00 €" in page
        assert "Caution détenue par l'association 150,00 € — à rendre" in page
