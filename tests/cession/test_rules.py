"""The paperwork rules: every deadline on frozen dates, month ends, 29 February, the hour change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mobility.cession import rules
from mobility.cession.models import PaperworkKind as K
from mobility.cession.rules import CessionFacts, CessionSettings, Status
from mobility.config import ConfigurationError
from mobility.core.time import today
from mobility.fleet.models import VehicleCategory

SETTINGS = CessionSettings()
CAR = VehicleCategory.CAR
VSP = VehicleCategory.VSP


@pytest.fixture(autouse=True)
def _app(app):
    """Messages are translated strings: they need the application."""


def car(ceded_on, first=date(2015, 6, 1)):
    return CessionFacts(CAR, first, ceded_on)


def test_siv_declaration_is_due_15_days_after_the_cession_and_late_the_day_after():
    facts = car(date(2026, 3, 20))
    on_time = rules.siv_declaration(facts, None, date(2026, 4, 4), SETTINGS)
    assert on_time.status is Status.PENDING and on_time.deadline == date(2026, 4, 4) and on_time.days_left == 0
    late = rules.siv_declaration(facts, None, date(2026, 4, 6), SETTINGS)
    assert late.status is Status.LATE and late.days_late == 2
    assert "En retard de 2 jour(s)" in late.reason and "04/04/2026" in late.reason and "R322-4" in late.reason


def test_siv_declaration_done_after_its_deadline_says_how_late_it_was():
    item = rules.siv_declaration(car(date(2026, 3, 20)), date(2026, 4, 10), date(2026, 5, 1), SETTINGS)
    assert item.status is Status.DONE_LATE and item.days_late == 6


def test_siv_delay_crosses_the_end_of_february_in_a_leap_year():
    assert rules.siv_declaration(car(date(2028, 2, 20)), None, date(2028, 2, 20), SETTINGS).deadline == date(2028, 3, 6)
    assert rules.siv_declaration(car(date(2027, 2, 20)), None, date(2027, 2, 20), SETTINGS).deadline == date(2027, 3, 7)


@pytest.mark.parametrize(
    ("ceded_on", "deadline"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # month end, common year
        (date(2028, 1, 31), date(2028, 2, 29)),  # month end, leap year
        (date(2028, 2, 29), date(2028, 3, 29)),  # from a leap day
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year
        (date(2026, 8, 31), date(2026, 9, 30)),
    ],
)
def test_registration_is_due_one_calendar_month_after_the_cession(ceded_on, deadline):
    item = rules.registration(car(ceded_on), None, ceded_on, SETTINGS)
    assert item.deadline == deadline and item.status is Status.PENDING and "R322-5" in item.reason


def test_non_pledge_certificate_may_be_15_days_old_on_the_cession_date_not_16():
    facts = car(date(2026, 3, 16))
    assert rules.non_pledge(facts, date(2026, 3, 1), date(2026, 3, 16), SETTINGS).status is Status.DONE
    too_old = rules.non_pledge(facts, date(2026, 2, 28), date(2026, 3, 16), SETTINGS)
    assert too_old.status is Status.INVALID
    assert "16 jours" in too_old.reason and "15 jours au plus" in too_old.reason


def test_non_pledge_age_counts_29_february():
    facts = car(date(2028, 3, 15))
    assert rules.non_pledge(facts, date(2028, 2, 29), date(2028, 3, 15), SETTINGS).status is Status.DONE
    assert rules.non_pledge(facts, date(2028, 2, 28), date(2028, 3, 15), SETTINGS).status is Status.INVALID


def test_non_pledge_missing_after_the_cession_is_late():
    item = rules.non_pledge(car(date(2026, 3, 16)), None, date(2026, 3, 20), SETTINGS)
    assert item.status is Status.LATE and item.days_late == 4


def test_certificate_of_sale_and_crossed_out_certificate_are_due_on_the_cession_day():
    facts = car(date(2026, 10, 1))
    assert rules.certificate_of_sale(facts, None, date(2026, 10, 1), SETTINGS).status is Status.PENDING
    assert rules.certificate_of_sale(facts, None, date(2026, 10, 2), SETTINGS).days_late == 1
    assert rules.crossed_out_certificate(facts, date(2026, 10, 1), date(2026, 11, 1), SETTINGS).status is Status.DONE


def test_a_car_under_4_years_on_the_registration_date_needs_no_inspection_and_says_why():
    facts = car(date(2026, 3, 1), first=date(2022, 6, 1))
    item = rules.technical_inspection(facts, None, date(2026, 3, 10), date(2026, 3, 10), SETTINGS)
    assert item.status is Status.NOT_NEEDED
    assert "moins de 4 ans" in item.reason and "R323-22" in item.reason


def test_a_car_turning_4_before_its_registration_needs_an_inspection():
    facts = car(date(2026, 5, 20), first=date(2022, 6, 1))
    # Not registered yet: read on the registration deadline, 20 June 2026 — over 4 years.
    item = rules.technical_inspection(facts, None, None, date(2026, 5, 25), SETTINGS)
    assert item.status is Status.PENDING and item.deadline == date(2026, 6, 20)


def test_a_car_first_registered_on_29_february_turns_4_on_29_february():
    facts = car(date(2028, 2, 1), first=date(2024, 2, 29))
    assert rules.technical_inspection(facts, None, date(2028, 2, 28), date(2028, 2, 28), SETTINGS).status is Status.NOT_NEEDED
    assert rules.technical_inspection(facts, None, date(2028, 2, 29), date(2028, 2, 29), SETTINGS).status is Status.PENDING


def test_a_vsp_first_registered_on_29_february_has_its_5th_anniversary_on_28_february():
    assert rules.vsp_first_inspection_due(date(2024, 2, 29), SETTINGS) == date(2029, 2, 28)


def test_inspection_report_must_be_under_6_months_old_on_the_registration_request():
    facts = car(date(2026, 8, 31))
    registered = date(2026, 8, 31)
    ok = rules.technical_inspection(facts, date(2026, 2, 28), registered, registered, SETTINGS)
    assert ok.status is Status.DONE
    old = rules.technical_inspection(facts, date(2026, 2, 27), registered, registered, SETTINGS)
    assert old.status is Status.INVALID and "moins de 6 mois" in old.reason


def test_vsp_first_inspection_follows_the_phase_in_then_the_5th_anniversary():
    assert rules.vsp_first_inspection_due(date(2016, 5, 1), SETTINGS) == date(2024, 12, 31)
    assert rules.vsp_first_inspection_due(date(2019, 5, 1), SETTINGS) == date(2025, 12, 31)
    assert rules.vsp_first_inspection_due(date(2021, 5, 1), SETTINGS) == date(2026, 12, 31)
    assert rules.vsp_first_inspection_due(date(2023, 5, 1), SETTINGS) == date(2028, 5, 1)


def test_a_recent_vsp_needs_no_inspection_and_an_old_one_does():
    recent = CessionFacts(VSP, date(2023, 5, 1), date(2026, 10, 1))
    item = rules.technical_inspection(recent, None, None, date(2026, 10, 1), SETTINGS)
    assert item.status is Status.NOT_NEEDED and "01/05/2028" in item.reason and "R323-37" in item.reason
    old = CessionFacts(VSP, date(2018, 5, 1), date(2026, 10, 1))
    assert rules.technical_inspection(old, None, None, date(2026, 10, 1), SETTINGS).status is Status.PENDING


def test_the_vsp_phase_in_is_a_setting():
    settings = rules.settings_from_config({"CESSION_VSP_PHASE_IN": "2022-01-01:2027-06-30"})
    assert rules.vsp_first_inspection_due(date(2021, 5, 1), settings) == date(2027, 6, 30)


def test_every_delay_is_a_setting_and_a_bad_one_names_the_variable():
    settings = rules.settings_from_config({"CESSION_SIV_DECLARATION_DAYS": "10", "CESSION_FREE_VALUE_CEILING_EUROS": "0"})
    assert settings.siv_declaration_days == 10 and settings.free_value_ceiling_cents == 0
    with pytest.raises(ConfigurationError, match="CESSION_REGISTRATION_MONTHS"):
        rules.settings_from_config({"CESSION_REGISTRATION_MONTHS": "un"})
    with pytest.raises(ConfigurationError, match="CESSION_VSP_PHASE_IN"):
        rules.settings_from_config({"CESSION_VSP_PHASE_IN": "2017"})


def test_an_ebike_has_no_registration_paperwork_and_says_why():
    facts = CessionFacts(VehicleCategory.EBIKE, date(2022, 1, 1), date(2026, 10, 1))
    statuses = rules.paperwork_status(facts, {}, date(2026, 12, 1), SETTINGS)
    not_needed = [item.kind for item in statuses if item.status is Status.NOT_NEEDED]
    assert K.REGISTRATION in not_needed and K.SIV_DECLARATION in not_needed
    assert all(item.reason for item in statuses)


def test_late_items_are_only_those_late_or_to_redo():
    facts = car(date(2026, 10, 1))
    statuses = rules.paperwork_status(
        facts, {K.CERTIFICATE_OF_SALE: date(2026, 10, 1), K.NON_PLEDGE: date(2026, 9, 1)}, date(2026, 10, 20), SETTINGS
    )
    late = {item.kind: item.status for item in rules.late_items(statuses)}
    assert late == {K.SIV_DECLARATION: Status.LATE, K.CROSSED_OUT_CERTIFICATE: Status.LATE, K.NON_PLEDGE: Status.INVALID}


def test_the_day_of_a_deadline_is_the_french_day_across_the_spring_hour_change(time_machine):
    # 28 March 2027, 23:30 UTC is already 29 March 01:30 in Paris (summer time since 02:00 on the 28th).
    time_machine.move_to(datetime(2027, 3, 28, 23, 30, tzinfo=UTC))
    facts = car(date(2027, 3, 14))  # due 29 March
    assert today() == date(2027, 3, 29)
    assert rules.siv_declaration(facts, None, today(), SETTINGS).status is Status.PENDING
    time_machine.move_to(datetime(2027, 3, 29, 22, 0, tzinfo=UTC))  # 30 March, 00:00 in Paris
    assert rules.siv_declaration(facts, None, today(), SETTINGS).days_late == 1


def test_the_day_of_a_deadline_is_the_french_day_across_the_autumn_hour_change(time_machine):
    time_machine.move_to(datetime(2026, 10, 25, 22, 59, tzinfo=UTC))  # 25 October 23:59 in Paris (winter time)
    assert today() == date(2026, 10, 25)
    facts = car(date(2026, 10, 10))  # due 25 October
    assert rules.siv_declaration(facts, None, today(), SETTINGS).status is Status.PENDING
    time_machine.move_to(datetime(2026, 10, 25, 23, 0, tzinfo=UTC))
    assert rules.siv_declaration(facts, None, today(), SETTINGS).status is Status.LATE
