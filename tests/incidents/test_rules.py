"""The claim's deadline in working days: weekends and French public holidays do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from mobility.core.errors import DomainError
from mobility.extensions import db
from mobility.incidents import services
from mobility.incidents.models import IncidentKind, IncidentPolicy
from mobility.incidents.rules import add_working_days, claim_deadline, is_working_day, working_days_between
from mobility.incidents.services import ClaimDetails, IncidentReport


def test_five_working_days_from_a_wednesday_skip_the_weekend():
    assert claim_deadline(date(2026, 12, 9)) == date(2026, 12, 16)


def test_christmas_and_new_year_do_not_count():
    # Tuesday 22 December: 23, 24, (25 holiday), 28, 29, 30.
    assert claim_deadline(date(2026, 12, 22)) == date(2026, 12, 30)
    assert claim_deadline(date(2026, 12, 29)) == date(2027, 1, 6)  # 30, 31, (1 Jan), 4, 5, 6


def test_easter_monday_and_may_holidays_do_not_count():
    # Thursday 2 April 2026: 3, (6 Easter Monday), 7, 8, 9, 10.
    assert claim_deadline(date(2026, 4, 2)) == date(2026, 4, 10)
    # Thursday 30 April: (1 May Friday), 4, 5, 6, 7, (8 May Friday), 11.
    assert claim_deadline(date(2026, 4, 30)) == date(2026, 5, 11)
    assert not is_working_day(date(2026, 5, 14))  # Ascension
    assert not is_working_day(date(2026, 7, 14))


def test_a_longer_contract_delay_counts_the_same_way():
    assert add_working_days(date(2026, 12, 9), 10) == date(2026, 12, 23)
    assert working_days_between(date(2026, 12, 9), date(2026, 12, 16)) == 5
    assert working_days_between(date(2026, 12, 16), date(2026, 12, 9)) == -5


def test_the_claims_deadline_follows_the_association_setting(rental_in_progress):
    db.session.add(IncidentPolicy(association_id=rental_in_progress["association"].id, claim_working_days=10))
    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.THEFT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Parking de la gare", "Volée."),
        [], rental_in_progress["staff"],
    )
    claim = services.record_claim(incident, ClaimDetails(None, None, None, None, None, None), rental_in_progress["staff"],
                                  date(2026, 12, 9))
    db.session.commit()
    assert claim.deadline_on == date(2026, 12, 22)


def _incident(rental_in_progress, moment=datetime(2026, 12, 8, 14, 0, tzinfo=UTC)):
    return services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.ACCIDENT, moment, "Rue de Bourgogne, Orléans", "Rétroviseur arraché."),
        [], rental_in_progress["staff"],
    )


def test_a_declaration_before_the_incident_is_refused_in_french(rental_in_progress):
    incident = _incident(rental_in_progress)
    with pytest.raises(DomainError) as refused:
        services.record_claim(incident, ClaimDetails("A-1", date(2026, 12, 7), None, None, None, None),
                              rental_in_progress["staff"], date(2026, 12, 9))
    assert refused.value.message == "La déclaration ne peut pas précéder l'incident (le 08/12/2026)."
    assert refused.value.field == "declared_on"


def test_the_deductible_follows_the_association_rule_and_is_never_charged(rental_in_progress):
    from mobility.booking.models import Payment
    from mobility.incidents.models import DeductibleBearer

    db.session.add(IncidentPolicy(association_id=rental_in_progress["association"].id,
                                  deductible_borne_by=DeductibleBearer.BENEFICIARY))
    incident = _incident(rental_in_progress)
    claim = services.record_claim(incident, ClaimDetails("A-1", date(2026, 12, 9), None, 45000, 30000, None),
                                  rental_in_progress["staff"], date(2026, 12, 9))
    db.session.commit()
    assert claim.deductible_borne_by == DeductibleBearer.BENEFICIARY
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0


def test_late_and_near_deadline_claims_are_listed_for_the_digest(rental_in_progress):
    near = _incident(rental_in_progress)  # Tuesday 8 December: deadline Tuesday 15
    db.session.commit()
    with time_machine.travel(datetime(2026, 12, 10, 10, 0, tzinfo=UTC), tick=False):
        assert services.claims_due(rental_in_progress["association"].id, date(2026, 12, 10)) == []  # 3 working days left
    with time_machine.travel(datetime(2026, 12, 11, 10, 0, tzinfo=UTC), tick=False):
        # Friday: Monday and Tuesday left, the weekend does not count.
        [due] = services.claims_due(rental_in_progress["association"].id, date(2026, 12, 11))
        assert due.incident.id == near.id and due.deadline_on == date(2026, 12, 15) and not due.late
    with time_machine.travel(datetime(2026, 12, 16, 10, 0, tzinfo=UTC), tick=False):
        [due] = services.claims_due(rental_in_progress["association"].id, date(2026, 12, 16))
        assert due.late
        services.record_claim(near, ClaimDetails("A-1", date(2026, 12, 16), None, None, None, None),
                              rental_in_progress["staff"], date(2026, 12, 16))
        assert services.claims_due(rental_in_progress["association"].id, date(2026, 12, 16)) == []


def test_the_staff_digest_lists_the_claims_to_declare(rental_in_progress, mailbox):
    from mobility.notify.models import OutboxMessage
    from mobility.scheduler import JOBS

    deadlines_digest = JOBS["deadlines-digest"].func

    _incident(rental_in_progress)
    db.session.commit()
    with time_machine.travel(datetime(2026, 12, 14, 6, 0, tzinfo=UTC), tick=False):
        deadlines_digest(datetime(2026, 12, 14, 6, 0, tzinfo=UTC))
        db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == "gestion@example.org"))
    assert "Sinistres à déclarer à l'assureur" in message.body_text
    assert "S-000001" in message.body_text and "à déclarer avant le 15/12/2026" in message.body_text


def test_retention_scrubs_the_incidents_of_an_anonymised_file(rental_in_progress, app):
    from mobility.incidents.jobs import scrub_anonymised
    from mobility.incidents.models import ConditionPhoto, Incident
    from mobility.incidents.photos import clean_photo, photo_path
    from tests.incidents.conftest import jpeg_with_gps_and_camera

    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.ACCIDENT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Chez un employeur", "Détails."),
        [clean_photo(jpeg_with_gps_and_camera())], rental_in_progress["staff"],
    )
    db.session.commit()
    path = photo_path(incident.photos[0])
    assert path.is_file()
    assert scrub_anonymised(datetime(2026, 12, 9, tzinfo=UTC))["rows"] == 0  # the file is not anonymised
    rental_in_progress["person"].anonymised_on = date(2026, 12, 9)
    db.session.commit()
    assert scrub_anonymised(datetime(2026, 12, 9, tzinfo=UTC))["rows"] == 1
    db.session.commit()
    kept = db.session.get(Incident, incident.id)
    assert (kept.description, kept.place, kept.kind) == ("-", "-", IncidentKind.ACCIDENT)
    assert db.session.scalar(db.select(db.func.count(ConditionPhoto.id))) == 0 and not path.exists()
    assert scrub_anonymised(datetime(2026, 12, 10, tzinfo=UTC))["rows"] == 0
