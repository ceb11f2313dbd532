"""Retention (RGPD): beneficiary files without activity for RETENTION_YEARS are anonymised.

It lives on the booking floor because a file's activity includes its bookings and because the
free text of its bookings goes too; the rule for one file is Beneficiary.anonymise().

Activity: the file's last contact or change, the person's last login, and their bookings and
waiting-queue entries (created, changed, or still running). RETENTION_NOTICE_DAYS before the
date, the référent gets one message listing the files (by number) that will be anonymised
unless something happens. `flask jobs run retention` reports without changing anything unless
given --wet-run; the scheduler's run is wet.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, BookingTransition, Extension, Handover, WaitingEntry
from mobility.core.time import local
from mobility.extensions import db
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.notify.services import external_url, is_queued, queue_for

log = logging.getLogger(__name__)
BATCH = 500


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _booking_activity(ids: list[int]) -> dict[int, date]:
    """The latest booking or queue activity per file: changed, or the end of the rental."""
    latest: dict[int, date] = {}
    rows = db.session.execute(
        select(Booking.beneficiary_id, func.max(Booking.updated_at), func.max(Booking.ends_at))
        .where(Booking.beneficiary_id.in_(ids))
        .group_by(Booking.beneficiary_id)
    )
    for beneficiary_id, updated, ends in rows:
        latest[beneficiary_id] = max(local(updated).date(), local(ends).date())
    rows = db.session.execute(
        select(WaitingEntry.beneficiary_id, func.max(WaitingEntry.created_at), func.max(WaitingEntry.ends_at))
        .where(WaitingEntry.beneficiary_id.in_(ids))
        .group_by(WaitingEntry.beneficiary_id)
    )
    for beneficiary_id, created, ends in rows:
        latest[beneficiary_id] = max(latest.get(beneficiary_id, date.min), local(created).date(), local(ends).date())
    return latest


def last_activity(beneficiary: Beneficiary, bookings_on: date | None) -> date:
    days = [beneficiary.last_contact_on, local(beneficiary.updated_at).date(), local(beneficiary.created_at).date()]
    if beneficiary.user is not None and beneficiary.user.last_login_at is not None:
        days.append(local(beneficiary.user.last_login_at).date())
    if bookings_on is not None:
        days.append(bookings_on)
    return max(days)


def _scrub_free_text(beneficiary_id: int) -> None:
    """Free text written about the person's rentals may name them or their employer."""
    booking_ids = select(Booking.id).where(Booking.beneficiary_id == beneficiary_id)
    db.session.execute(
        update(Booking).where(Booking.beneficiary_id == beneficiary_id).values(purpose_detail=None)
    )
    db.session.execute(update(BookingTransition).where(BookingTransition.booking_id.in_(booking_ids)).values(reason=None))
    db.session.execute(
        update(Handover).where(Handover.booking_id.in_(booking_ids)).values(damage_notes=None, incident_report=None)
    )
    db.session.execute(
        update(Extension)
        .where(Extension.booking_id.in_(booking_ids), Extension.decision_reason.is_not(None))
        .values(decision_reason="-")
    )
    db.session.execute(
        update(WaitingEntry).where(WaitingEntry.beneficiary_id == beneficiary_id).values(purpose_detail=None)
    )


def _close_account(user: User) -> None:
    user.email = f"anonyme-{user.id}@invalid"
    user.full_name = "Anonyme"
    user.password_hash = None
    user.active = False
    user.revoke_sessions()


def retention(now: datetime, wet: bool = True) -> dict:
    config = current_app.config
    years, notice_days = config["RETENTION_YEARS"], config["RETENTION_NOTICE_DAYS"]
    today = local(now).date()
    # A file can be due (now or within the notice) only if its last contact is that old.
    horizon = _years_before(today + timedelta(days=notice_days), years)
    anonymised = 0
    notices: dict[int, list[tuple[Beneficiary, date]]] = defaultdict(list)
    referents: dict[int, User] = {}
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Beneficiary)
            .where(
                Beneficiary.anonymised_on.is_(None),
                Beneficiary.last_contact_on <= horizon,
                Beneficiary.id > last_id,
            )
            .options(selectinload(Beneficiary.user), selectinload(Beneficiary.referent))
            .order_by(Beneficiary.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        activity = _booking_activity([b.id for b in batch])
        for beneficiary in batch:
            due_on = _years_after(last_activity(beneficiary, activity.get(beneficiary.id)), years)
            if due_on <= today:
                _scrub_free_text(beneficiary.id)
                if beneficiary.user is not None:
                    _close_account(beneficiary.user)
                beneficiary.anonymise(today)
                record(AuditAction.ANONYMISE, "beneficiary", beneficiary.id, fields=("identity", "contact"))
                anonymised += 1
            elif due_on <= today + timedelta(days=notice_days) and beneficiary.retention_notice_for != due_on:
                referent = beneficiary.referent
                if referent is not None and referent.active:
                    notices[referent.id].append((beneficiary, due_on))
                    referents[referent.id] = referent
                # Not an activity: updated_at keeps its value, or the notice would push the date.
                db.session.execute(
                    update(Beneficiary)
                    .where(Beneficiary.id == beneficiary.id)
                    .values(retention_notice_for=due_on, updated_at=Beneficiary.updated_at)
                    .execution_options(synchronize_session=False)
                )
        db.session.flush()
    told = 0
    for referent_id, files in notices.items():
        key = f"retention-notice:{referent_id}:{today.isoformat()}"
        if is_queued(key):
            continue
        referent = referents[referent_id]
        queue_for(
            Contact(email=referent.email, language=referent.locale, choice=ContactChoice.EMAIL),
            template="retention_notice",
            dedup_key=key,
            files=[
                {"number": b.id, "due_on": due_on, "link": external_url("beneficiaries.show", beneficiary_id=b.id)}
                for b, due_on in files
            ],
            count=len(files),
        )
        told += 1
    noticed = sum(len(files) for files in notices.values())
    return {
        "rows": anonymised + noticed,
        "detail": f"anonymised={anonymised} announced={noticed} referents_told={told}" + ("" if wet else " (dry run)"),
    }
