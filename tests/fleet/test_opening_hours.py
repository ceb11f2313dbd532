"""Structured opening hours: the rule (weekly ranges, public holidays, closing periods), the
database's constraints, the staff's page (own site only) and the reading of old free text."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from mobility.extensions import db
from mobility.fleet.opening_hours import SiteClosure, SiteOpeningHours, schedule_of
from tests.fleet.factories import SiteFactory
from tests.fleet.helpers import field_error, text_of

DEMO_HOURS = {
    "morning_opens": time(8, 30),
    "morning_closes": time(12, 0),
    "afternoon_opens": time(13, 30),
    "afternoon_closes": time(17, 30),
}


def _paris(year, month, day, hour, minute=0) -> datetime:
    from mobility.core.time import at

    return at(date(year, month, day), time(hour, minute))


def with_demo_hours(site):
    for weekday in range(5):
        db.session.add(SiteOpeningHours(site_id=site.id, weekday=weekday, **DEMO_HOURS))
    db.session.commit()
    return site


@pytest.fixture(autouse=True)
def _paris_dates(app, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, tzinfo=UTC))


def test_a_site_without_hours_is_always_open(app):
    site = SiteFactory()
    schedule = schedule_of(site.id)
    assert not schedule.configured
    assert schedule.is_open_at(_paris(2026, 12, 13, 7))  # a Sunday, 7:00
    assert schedule.is_open_at(_paris(2026, 12, 25, 12, 30))  # Christmas, lunch time


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (_paris(2026, 12, 7, 8, 30), True),  # Monday, opening time included
        (_paris(2026, 12, 7, 12, 0), False),  # closing time excluded
        (_paris(2026, 12, 7, 12, 45), False),  # lunch
        (_paris(2026, 12, 7, 17, 0), True),
        (_paris(2026, 12, 7, 17, 30), False),
        (_paris(2026, 12, 7, 7, 0), False),
        (_paris(2026, 12, 13, 10, 0), False),  # Sunday
        (_paris(2026, 12, 12, 10, 0), False),  # Saturday
        (_paris(2026, 12, 25, 10, 0), False),  # Friday 25 December, Christmas
        (_paris(2027, 3, 29, 10, 0), False),  # Easter Monday 2027
        (_paris(2027, 3, 30, 10, 0), True),  # the Tuesday after
    ],
)
def test_a_site_with_hours_is_open_in_its_ranges_except_sundays_and_public_holidays(app, moment, is_open):
    site = with_demo_hours(SiteFactory())
    assert schedule_of(site.id).is_open_at(moment) is is_open


def test_a_closing_period_closes_every_day_of_it_both_included(app):
    site = with_demo_hours(SiteFactory())
    db.session.add(SiteClosure(site_id=site.id, starts_on=date(2026, 12, 28), ends_on=date(2026, 12, 31), reason="Congés"))
    db.session.commit()
    schedule = schedule_of(site.id)
    assert not schedule.is_open_at(_paris(2026, 12, 28, 9))
    assert not schedule.is_open_at(_paris(2026, 12, 31, 16))
    assert schedule.is_open_at(_paris(2027, 1, 4, 9))
    assert schedule.closed_reason(date(2026, 12, 29)) == "fermeture : Congés"
    assert schedule.closed_reason(date(2026, 12, 25)) == "jour férié : Noël"
    assert schedule.closed_reason(date(2026, 12, 13)) == "pas d'ouverture le dimanche"


def test_the_week_is_described_grouping_equal_days(app):
    site = with_demo_hours(SiteFactory())
    db.session.add(SiteOpeningHours(site_id=site.id, weekday=5, morning_opens=time(9), morning_closes=time(12)))
    db.session.commit()
    assert schedule_of(site.id).describe() == (
        "lundi au vendredi 08:30–12:00 et 13:30–17:30 ; samedi 09:00–12:00 (fermé les jours fériés)"
    )


@pytest.mark.parametrize(
    "values",
    [
        {"morning_opens": time(12), "morning_closes": time(8, 30)},  # ends before it starts
        {"morning_opens": time(8, 30), "morning_closes": None},  # incomplete
        {**DEMO_HOURS, "afternoon_opens": time(11)},  # overlaps the morning
        {},  # a row that opens at no time
        {**DEMO_HOURS, "weekday": 7},
    ],
    ids=["reversed", "incomplete", "overlapping", "empty", "weekday"],
)
def test_the_database_refuses_impossible_hours(app, values):
    site = SiteFactory()
    row = {"weekday": 0, **values}
    db.session.add(SiteOpeningHours(site_id=site.id, **row))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_row_per_site_and_weekday_and_closures_end_after_they_start(app):
    site = with_demo_hours(SiteFactory())
    db.session.add(SiteOpeningHours(site_id=site.id, weekday=0, **DEMO_HOURS))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(SiteClosure(site_id=site.id, starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 4), reason="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# The staff's page ------------------------------------------------------------------------------


def _hours_data(**overrides) -> dict:
    data = {}
    for weekday in range(7):
        for part, value in DEMO_HOURS.items():
            data[f"hours-day{weekday}_{part}"] = value.strftime("%H:%M") if weekday < 5 else ""
    data.update(overrides)
    return data


def test_staff_set_the_hours_of_their_site(client, frozen_today, logged_in, site):
    response = client.post(f"/flotte/sites/{site.id}/horaires", data=_hours_data(**{"hours-day5_morning_opens": "9h", "hours-day5_morning_closes": "12:00"}))
    assert response.status_code == 303
    schedule = schedule_of(site.id)
    assert schedule.week[0] == [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]
    assert schedule.week[5] == [(time(9), time(12))]
    assert 6 not in schedule.week
    page = text_of(client.get(f"/flotte/sites/{site.id}/horaires"))
    assert "lundi au vendredi 08:30–12:00 et 13:30–17:30 ; samedi 09:00–12:00" in page
    assert "vendredi 25 décembre" in page  # the next public holidays are listed


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"hours-day0_morning_closes": "08:00"}, "hours-day0_morning_closes", "L'heure de fermeture doit être après l'heure d'ouverture."),
        ({"hours-day1_afternoon_closes": ""}, "hours-day1_afternoon_closes", "Donnez l'heure d'ouverture et l'heure de fermeture, ou aucune des deux."),
        ({"hours-day2_afternoon_opens": "11:00"}, "hours-day2_afternoon_opens", "L'après-midi doit commencer après la fermeture du matin (les plages ne se chevauchent pas)."),
        ({"hours-day3_morning_opens": "huit"}, "hours-day3_morning_opens", "Écrivez une heure comme 08:30."),
    ],
)
def test_impossible_hours_are_refused_with_a_french_message_and_nothing_saved(
    client, frozen_today, logged_in, site, overrides, field_id, message
):
    response = client.post(f"/flotte/sites/{site.id}/horaires", data=_hours_data(**overrides))
    assert response.status_code == 422
    assert field_error(response, field_id).endswith(message)
    assert not schedule_of(site.id).configured


def test_staff_add_and_remove_a_closing_period(client, frozen_today, logged_in, site):
    response = client.post(
        f"/flotte/sites/{site.id}/fermetures",
        data={"closure-starts_on": "2026-12-28", "closure-ends_on": "2026-12-31", "closure-reason": "Congés de l'équipe"},
    )
    assert response.status_code == 303
    closure = db.session.scalar(db.select(SiteClosure))
    assert (closure.starts_on, closure.ends_on, closure.reason) == (date(2026, 12, 28), date(2026, 12, 31), "Congés de l'équipe")
    assert "du lundi 28 décembre au jeudi 31 décembre : Congés de l'équipe" in text_of(client.get(f"/flotte/sites/{site.id}/horaires"))
    response = client.post(
        f"/flotte/sites/{site.id}/fermetures",
        data={"closure-starts_on": "2026-12-28", "closure-ends_on": "2026-12-20", "closure-reason": "x"},
    )
    assert response.status_code == 422
    assert field_error(response, "closure-ends_on").endswith("Le dernier jour doit être le premier jour ou après.")
    response = client.post(f"/flotte/sites/{site.id}/fermetures/{closure.id}/supprimer")
    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count(SiteClosure.id))) == 0


def test_another_associations_site_hours_answer_404(client, frozen_today, logged_in, foreign_site):
    assert client.get(f"/flotte/sites/{foreign_site.id}/horaires").status_code == 404
    assert client.post(f"/flotte/sites/{foreign_site.id}/horaires", data=_hours_data()).status_code == 404
    response = client.post(
        f"/flotte/sites/{foreign_site.id}/fermetures",
        data={"closure-starts_on": "2026-12-28", "closure-ends_on": "2026-12-31", "closure-reason": "x"},
    )
    assert response.status_code == 404
    closure = SiteClosure(site_id=foreign_site.id, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2), reason="x")
    db.session.add(closure)
    db.session.commit()
    assert client.post(f"/flotte/sites/{foreign_site.id}/fermetures/{closure.id}/supprimer").status_code == 404


def test_the_hours_page_reads_in_english_too(client, frozen_today, logged_in, site):
    with_demo_hours(site)
    client.set_cookie("lang", "en")
    from mobility.fleet.opening_hours import hours_text
    from flask_babel import force_locale

    with force_locale("en"):
        assert hours_text(site).startswith("Monday to Friday 08:30–12:00 and 13:30–17:30 (closed on public holidays)")


# The data migration's reading of old free text ----------------------------------------------------


def _migration():
    path = next(Path("migrations/versions").glob("*_d30000000002_site_opening_hours.py"))
    spec = importlib.util.spec_from_file_location("hours_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h 30",
            ([0, 1, 2, 3, 4], [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]),
        ),
        ("Du lundi au vendredi, 9 h – 17 h", ([0, 1, 2, 3, 4], [(time(9), time(17))])),
        ("mardi et jeudi 14:00-18:00", ([1, 3], [(time(14), time(18))])),
        ("Sur rendez-vous", None),
        ("lundi 18 h – 9 h", None),
    ],
)
def test_old_free_text_hours_are_read_when_they_can_be(text, expected):
    assert _migration().parse_free_text(text) == expected


def test_dates_say_their_weekday_in_both_languages(app, frozen_today):
    from flask_babel import force_locale

    from mobility.core.templating import weekday_date, weekday_datetime

    with app.test_request_context(), force_locale("fr"):
        assert weekday_date(date(2026, 12, 7)) == "lundi 7 décembre"
        assert weekday_datetime(datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == "lundi 7 décembre à 09:00"
    with app.test_request_context(), force_locale("en"):
        assert weekday_date(date(2026, 12, 7)) == "Monday 7 December"
        assert weekday_date(date(2027, 1, 4)) == "Monday 4 January 2027"  # another year says it
