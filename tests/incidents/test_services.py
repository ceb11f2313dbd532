"""Incidents on the real database: the vehicle off the road, the rental replaced or ended."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mobility.booking.models import BookingStatus, BookingTransition
from mobility.core.errors import DomainError
from mobility.extensions import db
from mobility.fleet.models import Unavailability, UnavailabilityKind
from mobility.incidents import services
from mobility.incidents.models import Incident, IncidentKind, IncidentStatus, IncidentTransition
from mobility.incidents.services import Continuation, IncidentReport, OffRoad
from tests.booking.factories import BookingFactory
from tests.fleet.factories import UnavailabilityFactory

# Tuesday 8 December 2026, 15:30 in Paris, during the rental.
CRASH = datetime(2026, 12, 8, 14, 30, tzinfo=UTC)


def _report(**overrides) -> IncidentReport:
    values = dict(kind=IncidentKind.ACCIDENT, occurred_at=CRASH, place="Rue de Bourgogne, Orléans",
                  description="Choc arrière à un feu rouge.", other_party_involved=True)
    values.update(overrides)
    return IncidentReport(**values)


def _report_off_road(rental_in_progress, off_road: OffRoad):
    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"], _report(stops_vehicle=True), [], rental_in_progress["staff"], off_road=off_road
    )
    db.session.commit()
    return incident


def test_an_incident_that_stops_the_vehicle_makes_it_unavailable_from_that_moment(rental_in_progress):
    incident = _report_off_road(
        rental_in_progress, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.REPLACE, replacement=rental_in_progress["spare"])
    )
    unavailability = db.session.get(Unavailability, incident.unavailability_id)
    assert unavailability.vehicle_id == rental_in_progress["vehicle"].id
    assert unavailability.kind == UnavailabilityKind.INCIDENT
    assert unavailability.starts_at == CRASH
    assert unavailability.ends_at == datetime(2026, 12, 18, 23, 0, tzinfo=UTC)  # midnight after the 18th in Paris
    assert incident.status == IncidentStatus.OFF_ROAD
    assert [t.action for t in incident.transitions] == ["report_off_road"]


def test_the_replacement_vehicle_is_free_for_the_rest_of_the_rental(rental_in_progress):
    _report_off_road(
        rental_in_progress, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.REPLACE, replacement=rental_in_progress["spare"])
    )
    booking = rental_in_progress["booking"]
    db.session.refresh(booking)
    assert booking.vehicle_id == rental_in_progress["spare"].id
    assert booking.status == BookingStatus.IN_PROGRESS
    # Monday and Tuesday used at 4 € a day; Wednesday to Friday free.
    assert booking.price_cents == 800
    actions = db.session.scalars(
        db.select(BookingTransition.action).where(BookingTransition.booking_id == booking.id)
    ).all()
    assert actions[-1] == "replace_vehicle"


def test_ending_the_rental_early_recomputes_the_price_and_frees_the_person(rental_in_progress):
    _report_off_road(rental_in_progress, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.END))
    booking = rental_in_progress["booking"]
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RETURNED
    assert booking.ends_at == CRASH
    assert booking.price_cents == 800


def test_a_replacement_taken_meanwhile_is_refused_and_nothing_is_saved(rental_in_progress):
    # Someone else's confirmed rental holds the spare on Thursday.
    BookingFactory(vehicle=rental_in_progress["spare"], status=BookingStatus.CONFIRMED,
                   starts_at=datetime(2026, 12, 10, 8, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 10, 16, 0, tzinfo=UTC))
    with pytest.raises(DomainError) as refused:
        services.report_incident(
            rental_in_progress["vehicle"], rental_in_progress["booking"], _report(stops_vehicle=True), [], rental_in_progress["staff"],
            off_road=OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.REPLACE, replacement=rental_in_progress["spare"]),
        )
    db.session.rollback()
    assert "pris" in refused.value.message or "remplacer" in refused.value.message
    assert refused.value.field == "replacement_vehicle_id"
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Unavailability.id))) == 0
    db.session.refresh(rental_in_progress["booking"])
    assert rental_in_progress["booking"].vehicle_id == rental_in_progress["vehicle"].id


def test_the_vehicle_cannot_be_taken_off_the_road_over_another_rental(rental_in_progress):
    BookingFactory(vehicle=rental_in_progress["vehicle"], status=BookingStatus.CONFIRMED,
                   starts_at=datetime(2026, 12, 14, 8, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 15, 16, 0, tzinfo=UTC))
    with pytest.raises(DomainError) as refused:
        services.report_incident(
            rental_in_progress["vehicle"], rental_in_progress["booking"], _report(stops_vehicle=True), [], rental_in_progress["staff"],
            off_road=OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.END),
        )
    db.session.rollback()
    assert refused.value.field == "until_on"
    assert "réservé" in refused.value.message
    assert db.session.get(type(rental_in_progress["booking"]), rental_in_progress["booking"].id).status == BookingStatus.IN_PROGRESS
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_a_rental_in_progress_needs_a_decision_before_the_vehicle_stops(rental_in_progress):
    with pytest.raises(DomainError) as refused:
        services.report_incident(rental_in_progress["vehicle"], rental_in_progress["booking"], _report(stops_vehicle=True), [], rental_in_progress["staff"],
                                 off_road=OffRoad(until_on=date(2026, 12, 18)))
    assert refused.value.field == "continuation"


def test_an_incident_in_the_future_is_refused_in_french(rental_in_progress):
    with pytest.raises(DomainError) as refused:
        services.report_incident(rental_in_progress["vehicle"], rental_in_progress["booking"],
                                 _report(occurred_at=datetime(2026, 12, 9, 18, 0, tzinfo=UTC)), [], rental_in_progress["staff"])
    assert refused.value.message == "Le moment de l'incident ne peut pas être dans le futur."


def test_an_incident_dated_after_the_return_of_a_returned_booking_is_refused(rental_in_progress):
    booking = rental_in_progress["booking"]
    booking.status = BookingStatus.RETURNED
    booking.ends_at = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.report_incident(rental_in_progress["vehicle"], booking, _report(), [], rental_in_progress["staff"])
    assert refused.value.field == "occurred_at"
    assert "revenu le 08/12/2026 10:00" in refused.value.message


def test_repair_ends_the_unavailability_now_and_the_moves_are_logged(rental_in_progress):
    incident = _report_off_road(rental_in_progress, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.END))
    services.mark_repaired(incident, rental_in_progress["staff"])
    services.close(incident, rental_in_progress["staff"])
    db.session.commit()
    assert incident.unavailability.ends_at == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
    logged = db.session.scalars(
        db.select(IncidentTransition.to_status).where(IncidentTransition.incident_id == incident.id)
        .order_by(IncidentTransition.id)
    ).all()
    assert logged == [IncidentStatus.OFF_ROAD, IncidentStatus.REPAIRED, IncidentStatus.CLOSED]


def test_an_illegal_move_is_refused(rental_in_progress):
    incident = services.report_incident(rental_in_progress["vehicle"], rental_in_progress["booking"], _report(), [], rental_in_progress["staff"])
    with pytest.raises(DomainError) as refused:
        services.mark_repaired(incident, rental_in_progress["staff"])
    assert "Action impossible" in refused.value.message
    with pytest.raises(DomainError) as no_reason:
        services.close(incident, rental_in_progress["staff"])
    assert no_reason.value.field == "reason"


def test_the_person_reports_without_moving_their_rental(rental_in_progress):
    incident = services.report_incident(rental_in_progress["vehicle"], rental_in_progress["booking"], _report(stops_vehicle=True), [],
                                        rental_in_progress["person_user"])
    db.session.commit()
    assert incident.status == IncidentStatus.REPORTED and incident.stops_vehicle
    assert incident.unavailability_id is None  # the rental still holds the vehicle: staff decide next
    with pytest.raises(DomainError):
        services.take_off_road(incident, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.END),
                               rental_in_progress["person_user"])


def test_an_unrelated_unavailability_keeps_its_refusal(rental_in_progress):
    UnavailabilityFactory(vehicle=rental_in_progress["vehicle"], starts_at=datetime(2026, 12, 16, 0, 0, tzinfo=UTC),
                          ends_at=datetime(2026, 12, 17, 0, 0, tzinfo=UTC))
    with pytest.raises(DomainError) as refused:
        _report_off_road(rental_in_progress, OffRoad(until_on=date(2026, 12, 18), continuation=Continuation.END))
    assert refused.value.field == "until_on"
