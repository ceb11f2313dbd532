"""Admin pages of the tariffs: the tariffs of each category, a new one from a date, and a
tariff to come corrected or withdrawn.

A tariff in force is never edited: bookings copy their price when they are requested, and a
new tariff only applies to requests made from its date. One still to come has been copied by
no booking, so it can be corrected or withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.booking import services
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.forms.admin import TariffCorrectionForm, TariffForm
from mobility.booking.models import Tariff
from mobility.booking.pricing import NoTariffInForce, tariff_in_force
from mobility.booking.views.common import form_status, today
from mobility.core.views import save_or_show
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory


@dataclass
class CategoryTariffs:
    """One category's tariffs as of today: the one in force, those to come, those replaced."""

    category: VehicleCategory
    offered: bool
    in_force: Tariff | None = None
    future: list[Tariff] = field(default_factory=list)
    past: list[Tariff] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.in_force is None and not self.future and not self.past


def tariffs_by_category(today: date) -> list[CategoryTariffs]:
    offered = eligibility_settings().offered_categories
    groups = []
    for category in VehicleCategory:
        rows = services.tariffs_of(category)
        group = CategoryTariffs(category, offered=category in offered)
        try:
            # The same rule as the price of a request made today.
            rule = tariff_in_force([row.as_rule() for row in rows], today, category)
        except NoTariffInForce:
            rule = None
        for row in rows:
            if rule is not None and row.effective_on == rule.effective_on:
                group.in_force = row
            elif row.effective_on > today:
                group.future.append(row)
            else:
                group.past.append(row)
        group.past.reverse()  # the latest replaced first
        groups.append(group)
    return groups


@role_required(Role.ADMIN)
def index():
    day = today()
    return render_template("booking/admin/tariffs.html", groups=tariffs_by_category(day), today=day)


@role_required(Role.ADMIN)
def create():
    form = TariffForm()
    if request.method == "GET":
        form.effective_on.data = today()
        try:
            form.category.data = VehicleCategory(request.args.get("categorie", ""))
        except ValueError:
            pass
    if form.validate_on_submit():
        tariff = save_or_show(
            form,
            lambda: services.add_tariff(
                form.category.data,
                form.effective_on.data,
                form.daily.cents,
                form.weekly_cap.cents,
                form.monthly_cap.cents,
                form.deposit.cents,
                current_user,
            ),
        )
        if tariff:
            flash(
                _(
                    "Le nouveau tarif « %(category)s » prend effet le %(day)s.",
                    category=tariff.category.label,
                    day=tariff.effective_on.strftime("%d/%m/%Y"),
                ),
                "success",
            )
            return redirect(url_for("tariffs.index"))
    return render_template("booking/admin/tariff_form.html", form=form, tariff=None), form_status()


def _tariff_to_come_or_404(tariff_id: int) -> Tariff:
    tariff = db.session.get(Tariff, tariff_id)
    if tariff is None:
        abort(404)
    return tariff


@role_required(Role.ADMIN)
def correct(tariff_id: int):
    tariff = _tariff_to_come_or_404(tariff_id)
    if tariff.effective_on <= today():
        flash(_("Ce tarif est en vigueur : il ne se change plus. Ajoutez un nouveau tarif à une date plus tardive."), "error")
        return redirect(url_for("tariffs.index"), 303)
    form = TariffCorrectionForm()
    if request.method == "GET":
        form.effective_on.data = tariff.effective_on
        form.daily.data = _euros(tariff.daily_cents)
        form.weekly_cap.data = _euros(tariff.weekly_cap_cents)
        form.monthly_cap.data = _euros(tariff.monthly_cap_cents)
        form.deposit.data = _euros(tariff.deposit_cents)
    if form.validate_on_submit():
        saved = save_or_show(
            form,
            lambda: services.update_tariff(
                tariff,
                form.effective_on.data,
                form.daily.cents,
                form.weekly_cap.cents,
                form.monthly_cap.cents,
                form.deposit.cents,
                current_user,
            ),
        )
        if saved:
            flash(
                _(
                    "Le tarif « %(category)s » à venir est corrigé : il prend effet le %(day)s.",
                    category=tariff.category.label,
                    day=tariff.effective_on.strftime("%d/%m/%Y"),
                ),
                "success",
            )
            return redirect(url_for("tariffs.index"))
    return render_template("booking/admin/tariff_form.html", form=form, tariff=tariff), form_status()


@role_required(Role.ADMIN)
def withdraw(tariff_id: int):
    tariff = _tariff_to_come_or_404(tariff_id)
    category, day = tariff.category.label, tariff.effective_on.strftime("%d/%m/%Y")
    try:
        services.withdraw_tariff(tariff, current_user)
    except services.BookingError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("tariffs.index"), 303)
    db.session.commit()
    flash(_("Le tarif « %(category)s » qui devait prendre effet le %(day)s est retiré.", category=category, day=day), "success")
    return redirect(url_for("tariffs.index"), 303)


def _euros(cents: int) -> str:
    """An amount as the form takes it back: "4" or "4,50"."""
    whole, rest = divmod(cents, 100)
    return f"{whole},{rest:02d}" if rest else str(whole)


def register(bp: Blueprint) -> None:
    """Put the tariff pages on bp."""
    bp.add_url_rule("/", view_func=index, methods=["GET"])
    bp.add_url_rule("/nouveau", view_func=create, methods=["GET", "POST"])
    bp.add_url_rule("/<int:tariff_id>/corriger", view_func=correct, methods=["GET", "POST"])
    bp.add_url_rule("/<int:tariff_id>/retirer", view_func=withdraw, methods=["POST"])
