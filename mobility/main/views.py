from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from mobility.auth.models import Organisation, Role, User
from mobility.auth.services import basins_of
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import own_file
from mobility.booking.person import current_booking, open_waiting_entry
from mobility.booking.models import BookingStatus
from mobility.booking.queries import (
    HOME_ITEMS,
    awaiting_decision_counts,
    fleet_agenda,
    outcomes_due,
    requests_waiting,
)
from mobility.cession.services import late_paperwork
from mobility.core.paging import fetch_page
from mobility.fines.services import fines_due_for_home
from mobility.core.time import local, utcnow
from mobility.core.time import today as today_in_france
from mobility.extensions import db, limiter
from mobility.fleet.services import overview as fleet_overview
from mobility.scheduler import heartbeat_is_fresh, last_heartbeat

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.route("/accueil")
@login_required
def home():
    role = current_user.role
    if role is Role.BENEFICIARY:
        beneficiary = own_file(current_user)
        return render_template(
            "main/home_beneficiary.html",
            beneficiary=beneficiary,
            current=current_booking(beneficiary) if beneficiary else None,
            waiting=open_waiting_entry(beneficiary) if beneficiary else None,
        )
    if role is Role.REFERENT:
        # Every count of the page in one statement: they are read on each visit to the home page.
        count, mine, requests, extensions = db.session.execute(
            select(
                select(func.count()).select_from(Beneficiary)
                .where(Beneficiary.organisation_id == current_user.organisation_id)
                .scalar_subquery(),
                select(func.count()).select_from(Beneficiary)
                .where(Beneficiary.referent_id == current_user.id)
                .scalar_subquery(),
                *awaiting_decision_counts(current_user),
            )
        ).one()
        today = local(utcnow()).date()
        return render_template(
            "main/home_referent.html",
            organisation_count=count,
            my_count=mine,
            awaiting={"requests": requests, "extensions": extensions},
            # The first few of each, oldest first, on indexed queries; the lists link to the rest.
            first_requests=fetch_page(requests_waiting(current_user), page=1, per_page=HOME_ITEMS),
            first_outcomes=fetch_page(
                outcomes_due(current_user, today, with_outcomes=False), page=1, per_page=HOME_ITEMS
            ),
        )
    if role is Role.FLEET:
        return render_template(
            "main/home_fleet.html",
            agenda=fleet_agenda(current_user),
            overview=fleet_overview(current_user),
            statuses=BookingStatus,
            late_cessions=late_paperwork(current_user),
            due_fines=fines_due_for_home(current_user, today_in_france()),
            basins=basins_of(current_user.organisation_id),
        )
    organisations, staff, beneficiaries = db.session.execute(
        select(
            select(func.count()).select_from(Organisation).scalar_subquery(),
            select(func.count()).select_from(User).where(User.role != Role.BENEFICIARY).scalar_subquery(),
            select(func.count()).select_from(Beneficiary).scalar_subquery(),
        )
    ).one()
    figures = {"organisations": organisations, "staff": staff, "beneficiaries": beneficiaries}
    return render_template(
        "main/home_admin.html", figures=figures, late_cessions=late_paperwork(current_user)
    )


@bp.route("/confidentialite")
def privacy():
    return render_template("main/privacy.html")


@bp.route("/accessibilite")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    beat_at = last_heartbeat()
    fresh = heartbeat_is_fresh()
    body = {
        "status": "ok",
        "database": "ok",
        "scheduler": {"last_heartbeat": beat_at.isoformat() if beat_at else None, "fresh": fresh},
    }
    # In production a silent scheduler means no reminders and no e-mail: not healthy.
    if not fresh and current_app.config["APP_ENV"] == "production":
        body["status"] = "error"
        return jsonify(body), 503
    return jsonify(body)
