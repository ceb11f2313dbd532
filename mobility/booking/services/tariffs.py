"""Tariffs: the price lists in force and new ones."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.booking.errors import BookingError
from mobility.booking.models import (
    Tariff,
)
from mobility.booking.pricing import NoTariffInForce, tariff_in_force
from mobility.core.db import refusing
from mobility.core.reference import reference_data
from mobility.core.reference import register as register_reference_data
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    VehicleCategory,
)

def _all_tariff_rules() -> tuple:
    return tuple(row.as_rule() for row in db.session.scalars(select(Tariff).order_by(Tariff.effective_on)))


register_reference_data("tariffs", (Tariff,), _all_tariff_rules)


def shown_tariff_rule(category: VehicleCategory, on_day: date):
    """The tariff rule in force, for a price shown (the API's availability): from the tariffs
    kept per worker (mobility.core.reference). A booking's own price reads the database
    (tariff_for). None when no tariff is in force."""
    try:
        return tariff_in_force(reference_data("tariffs"), on_day, category)
    except NoTariffInForce:
        return None


def tariffs_of(category: VehicleCategory) -> list[Tariff]:
    return list(
        db.session.scalars(select(Tariff).where(Tariff.category == category).order_by(Tariff.effective_on))
    )


def tariff_for(category: VehicleCategory, on_day: date) -> Tariff:
    """The tariff row in force on that day; BookingError when there is none."""
    rows = tariffs_of(category)
    try:
        rule = tariff_in_force([row.as_rule() for row in rows], on_day, category)
    except NoTariffInForce:
        raise BookingError(
            _("Aucun tarif n'est encore fixé pour ce type de véhicule : la demande ne peut pas être faite."),
            field="category",
        ) from None
    return next(row for row in rows if row.effective_on == rule.effective_on)


# Tariffs -----------------------------------------------------------------------------------


def add_tariff(
    category: VehicleCategory,
    effective_on: date,
    daily_cents: int,
    weekly_cap_cents: int,
    monthly_cap_cents: int,
    deposit_cents: int,
    actor: User,
    today: date | None = None,
) -> Tariff:
    """A new tariff from a date; tariffs already in force are never edited (bookings copy them)."""
    today = today or local(utcnow()).date()
    if effective_on < today:
        raise BookingError(_("Un nouveau tarif prend effet aujourd'hui ou plus tard."), field="effective_on")
    if db.session.scalar(select(Tariff.id).where(Tariff.category == category, Tariff.effective_on == effective_on)):
        raise BookingError(_("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on")
    tariff = Tariff(
        category=category,
        effective_on=effective_on,
        daily_cents=daily_cents,
        weekly_cap_cents=weekly_cap_cents,
        monthly_cap_cents=monthly_cap_cents,
        deposit_cents=deposit_cents,
        created_by_id=actor.id,
    )
    # Another admin saved the same category and date a moment ago.
    same_day = {
        "uq_tariff_category_effective_on": lambda: BookingError(
            _("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on"
        )
    }
    with refusing(same_day):
        db.session.add(tariff)
    record(AuditAction.CREATE, "tariff", tariff.id, actor=actor)
    return tariff
