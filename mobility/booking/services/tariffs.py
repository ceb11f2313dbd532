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
    _check_tariff(category, effective_on, daily_cents, weekly_cap_cents, monthly_cap_cents, today)
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
    with refusing({**same_day, **CAPS_GUARD}):
        db.session.add(tariff)
    record(AuditAction.CREATE, "tariff", tariff.id, actor=actor)
    return tariff


def caps_out_of_order(daily_cents: int, weekly_cap_cents: int, monthly_cap_cents: int) -> tuple[str, str] | None:
    """The field and message when a week would cost less than a day or a month less than a week."""
    if weekly_cap_cents < daily_cents:
        return "weekly_cap", _("Le plafond par semaine ne peut pas être inférieur au prix d'un jour.")
    if monthly_cap_cents < weekly_cap_cents:
        return "monthly_cap", _("Le plafond par mois ne peut pas être inférieur au plafond par semaine.")
    return None


CAPS_GUARD = {
    "ck_tariff_caps_ordered": lambda: BookingError(
        _("Le plafond par semaine ne peut pas être inférieur au prix d'un jour."), field="weekly_cap"
    ),
}


def _check_tariff(
    category: VehicleCategory,
    effective_on: date,
    daily_cents: int,
    weekly_cap_cents: int,
    monthly_cap_cents: int,
    today: date,
    editing: Tariff | None = None,
) -> None:
    if effective_on < today:
        raise BookingError(_("Un nouveau tarif prend effet aujourd'hui ou plus tard."), field="effective_on")
    same_day = select(Tariff.id).where(Tariff.category == category, Tariff.effective_on == effective_on)
    if editing is not None:
        same_day = same_day.where(Tariff.id != editing.id)
    if db.session.scalar(same_day):
        raise BookingError(_("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on")
    if refusal := caps_out_of_order(daily_cents, weekly_cap_cents, monthly_cap_cents):
        field, message = refusal
        raise BookingError(message, field=field)


def _not_yet_in_force(tariff: Tariff, today: date) -> None:
    """Only a tariff still to come may change: one in force is replaced by a later one instead."""
    if tariff.effective_on <= today:
        raise BookingError(
            _(
                "Ce tarif est en vigueur depuis le %(day)s : il ne se change plus. Ajoutez un nouveau tarif "
                "qui prendra effet à une date plus tardive.",
                day=tariff.effective_on.strftime("%d/%m/%Y"),
            ),
            field="effective_on",
        )


def update_tariff(
    tariff: Tariff,
    effective_on: date,
    daily_cents: int,
    weekly_cap_cents: int,
    monthly_cap_cents: int,
    deposit_cents: int,
    actor: User,
    today: date | None = None,
) -> Tariff:
    """Correct a tariff that has not taken effect. No booking copied it: requests take the
    tariff in force on the day they are made, and bookings keep the price they copied."""
    today = today or local(utcnow()).date()
    _not_yet_in_force(tariff, today)
    _check_tariff(tariff.category, effective_on, daily_cents, weekly_cap_cents, monthly_cap_cents, today, editing=tariff)
    values = {
        "effective_on": effective_on,
        "daily_cents": daily_cents,
        "weekly_cap_cents": weekly_cap_cents,
        "monthly_cap_cents": monthly_cap_cents,
        "deposit_cents": deposit_cents,
    }
    changed = sorted(name for name, value in values.items() if getattr(tariff, name) != value)
    same_day = {
        "uq_tariff_category_effective_on": lambda: BookingError(
            _("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on"
        )
    }
    with refusing({**same_day, **CAPS_GUARD}):
        for name, value in values.items():
            setattr(tariff, name, value)
    if changed:
        record(AuditAction.UPDATE, "tariff", tariff.id, actor=actor, fields=changed)
    return tariff


def withdraw_tariff(tariff: Tariff, actor: User, today: date | None = None) -> None:
    """Withdraw a tariff that has not taken effect (nothing refers to it yet)."""
    today = today or local(utcnow()).date()
    _not_yet_in_force(tariff, today)
    record(AuditAction.DELETE, "tariff", tariff.id, actor=actor)
    db.session.delete(tariff)
    db.session.flush()
