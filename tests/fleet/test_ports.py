"""The fleet's ports: what it needs from higher floors is plugged in by create_app, explicitly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import current_app
from sqlalchemy import select

from mobility.fleet import ports
from mobility.fleet.availability import count_free_vehicles
from mobility.fleet.models import Vehicle, VehicleCategory
from tests.fleet.factories import VehicleFactory

START, END = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 3, 8, tzinfo=UTC)


class EveryVehicleHeld:
    """A stand-in holding source: every vehicle is held whatever the period."""

    def held_vehicle_ids(self, starts_at, ends_at, now):
        return (select(Vehicle.id),)

    def holding_references(self, vehicle_id, starts_at, ends_at):
        return ["X-1"]


def test_create_app_plugs_the_bookings_into_every_fleet_port(app):
    plugged = ports.plugged()
    assert [type(source).__name__ for source in plugged.holding_periods] == ["BookingHoldings"]
    assert [type(source).__name__ for source in plugged.planning_sources] == ["BookingPlanning"]
    assert [type(source).__name__ for source in plugged.vehicle_histories] == ["BookingHistory"]
    assert [type(source).__name__ for source in plugged.vehicle_events] == ["FineHistory", "IncidentVehicleEvents"]


def test_the_free_vehicle_count_asks_the_plugged_holding_sources(app, time_machine):
    time_machine.move_to("2026-11-23 10:00:00+01:00", tick=False)
    vehicle = VehicleFactory()
    basin_id = vehicle.site.basin_id
    assert count_free_vehicles(basin_id, VehicleCategory.CAR, START, END) == 1
    saved = ports.plugged()
    ports.plug(current_app, holding_periods=(EveryVehicleHeld(),))
    try:
        assert count_free_vehicles(basin_id, VehicleCategory.CAR, START, END) == 0
        # The fleet alone (nothing plugged) knows only its own unavailabilities.
        ports.plug(current_app)
        assert count_free_vehicles(basin_id, VehicleCategory.CAR, START, END) == 1
    finally:
        current_app.extensions[ports.EXTENSION_KEY] = saved


def test_plugging_something_that_is_not_a_port_implementation_stops_the_start(app):
    saved = ports.plugged()
    try:
        with pytest.raises(TypeError, match="HoldingPeriods"):
            ports.plug(current_app, holding_periods=(object(),))
    finally:
        current_app.extensions[ports.EXTENSION_KEY] = saved
