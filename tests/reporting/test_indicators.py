"""Every figure of the hand-computed plan (tests/reporting/conftest.py), for each breakdown:
read from the bookings, and again with the ended months (December to May) read from the
monthly summaries, the same figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import time_machine

from mobility.booking.eligibility import Purpose
from mobility.booking.models import OutcomeCheckpoint
from mobility.core.errors import Invalid
from mobility.fleet.models import VehicleCategory
from mobility.reporting import indicators
from mobility.reporting.dimensions import Breakdown, Filters, PrescriberKind
from mobility.reporting.labels import organisations
from mobility.reporting.summarise import refresh
from tests.reporting.conftest import HALF_YEAR, NOW, _build_plan

B = Breakdown


@pytest.fixture(params=["read live", "months summarised"])
def plan(request, app):
    with time_machine.travel(NOW, tick=False):
        built = _build_plan()
        if request.param == "months summarised":
            assert refresh(NOW).months == [202512, 202601, 202602, 202603, 202604, 202605]
        return built

REQUEST_COLUMNS = ("received", "approved", "rejected", "expired", "cancelled")


def requests_by(by):
    table = indicators.requests(HALF_YEAR, by)
    return {row.key: tuple(row.values[c] for c in REQUEST_COLUMNS) for row in table.rows}


def rentals_by(by, columns=("rentals", "days")):
    table = indicators.rentals(HALF_YEAR, by)
    return {row.key: tuple(row.values[c] for c in columns) for row in table.rows}


def test_requests_made_in_the_period_by_what_became_of_them(plan):
    total = indicators.requests(HALF_YEAR).total.values
    # B0 was made in 2025; B1 at 00:30 on 1 January in Paris (still 2025 in UTC) counts.
    assert total == {"received": 10, "approved": 6, "rejected": 2, "expired": 1, "cancelled": 2, "people": 4}


def test_requests_by_month_quarter_and_year_show_empty_periods_too(plan):
    assert requests_by(B.MONTH) == {
        202601: (2, 1, 1, 0, 0),
        202602: (1, 1, 0, 0, 0),
        202603: (3, 2, 0, 1, 0),
        202604: (1, 1, 0, 0, 1),
        202605: (1, 0, 0, 0, 1),
        202606: (2, 1, 1, 0, 0),
    }
    assert requests_by(B.QUARTER) == {20261: (6, 4, 1, 1, 0), 20262: (4, 2, 1, 0, 2)}
    assert requests_by(B.YEAR) == {2026: (10, 6, 2, 1, 2)}
    labels = [row.label for row in indicators.requests(HALF_YEAR, B.MONTH).rows]
    assert labels[0] == "janvier 2026" and labels[-1] == "juin 2026"


def test_a_period_of_one_month_or_part_of_one_has_a_single_period_row(plan):
    march = Filters(date(2026, 3, 1), date(2026, 3, 31))
    table = indicators.requests(march, B.MONTH)
    assert [(row.key, row.values["received"]) for row in table.rows] == [(202603, 3)]
    assert table.total.values["received"] == 3
    mid_june = Filters(date(2026, 6, 10), date(2026, 6, 30))
    assert [row.key for row in indicators.requests(mid_june, B.YEAR).rows] == [2026]


def test_requests_by_basin_category_and_association(plan):
    assert requests_by(B.BASIN) == {plan.orleans: (7, 3, 2, 1, 2), plan.montargis: (3, 3, 0, 0, 0)}
    assert requests_by(B.CATEGORY) == {VehicleCategory.CAR: (7, 4, 2, 1, 0), VehicleCategory.VSP: (3, 2, 0, 0, 2)}
    assert requests_by(B.ASSOCIATION) == {plan.a1.id: (7, 3, 2, 1, 2), plan.a2.id: (3, 3, 0, 0, 0)}


def test_requests_by_age_band_on_the_day_of_the_request(plan):
    # P4, born 20 March 2000, asked on 18 March 2026 (25) and on 2 May 2026 (26).
    assert requests_by(B.AGE_BAND) == {"<26": (4, 3, 1, 0, 0), "26-49": (4, 1, 1, 1, 1), "50+": (2, 2, 0, 0, 1)}
    assert [row.key for row in indicators.requests(HALF_YEAR, B.AGE_BAND).rows] == ["<26", "26-49", "50+"]


def test_requests_by_prescriber_kind_and_organisation(plan):
    assert requests_by(B.PRESCRIBER_KIND) == {
        "mission_locale": (3, 2, 1, 0, 0),
        "departement": (3, 1, 1, 1, 0),
        "france_travail": (2, 2, 0, 0, 1),
        "other": (2, 1, 0, 0, 1),
    }
    assert requests_by(B.PRESCRIBER) == {
        plan.ml.id: (3, 2, 1, 0, 0),
        plan.dep.id: (3, 1, 1, 1, 0),
        plan.ft.id: (2, 2, 0, 0, 1),
        plan.ccas.id: (2, 1, 0, 0, 1),
    }
    labels = {row.key: row.label for row in indicators.requests(HALF_YEAR, B.PRESCRIBER_KIND).rows}
    assert labels["mission_locale"] == "Mission locale" and labels["france_travail"] == "France Travail"


def test_an_organisation_missing_from_a_stale_cache_is_read_again_not_refused(plan):
    # Another worker created the organisation after this one filled its cache.
    requests_by(B.PRESCRIBER_KIND)
    del organisations()[plan.ft.id]
    assert requests_by(B.PRESCRIBER_KIND)["france_travail"] == (2, 2, 0, 0, 1)
    assert indicators.requests(HALF_YEAR, B.PRESCRIBER).value(plan.ft.id, "received") == 2
    assert plan.ft.name in {row.label for row in indicators.requests(HALF_YEAR, B.PRESCRIBER).rows}


def test_requests_by_purpose(plan):
    assert requests_by(B.PURPOSE) == {
        Purpose.JOB: (5, 2, 2, 1, 0),
        Purpose.TRAINING: (2, 2, 0, 0, 1),
        Purpose.JOB_INTERVIEW: (1, 1, 0, 0, 0),
        Purpose.JOB_SEARCH: (2, 1, 0, 0, 1),
    }


def test_rejections_are_counted_by_reason(plan):
    assert indicators.rejection_reasons(HALF_YEAR) == [("Permis non vérifié", 2)]


def test_rentals_days_people_and_prices(plan):
    total = indicators.rentals(HALF_YEAR).total.values
    assert total["rentals"] == 4 and total["people"] == 4 and total["days"] == 17
    assert total["price_cents"] == 6100 and total["paid_cents"] == 3000
    assert total["price_per_day_cents"] == pytest.approx(358.82) and total["paid_per_day_cents"] == pytest.approx(176.47)


def test_rentals_by_each_breakdown(plan):
    assert rentals_by(B.MONTH) == {
        202601: (1, 5), 202602: (1, 7), 202603: (2, 5), 202604: (0, 0), 202605: (0, 0), 202606: (0, 0)
    }
    assert rentals_by(B.QUARTER) == {20261: (4, 17), 20262: (0, 0)}
    assert rentals_by(B.CATEGORY, ("rentals", "days", "price_cents", "paid_cents")) == {
        VehicleCategory.CAR: (3, 10, 4000, 2000),
        VehicleCategory.VSP: (1, 7, 2100, 1000),
    }
    assert rentals_by(B.BASIN) == {plan.orleans: (2, 12), plan.montargis: (2, 5)}
    # P4 was 26 on the first day of her rental (20 March 2026, her birthday).
    assert rentals_by(B.AGE_BAND) == {"<26": (1, 5), "26-49": (2, 8), "50+": (1, 4)}
    assert rentals_by(B.PRESCRIBER_KIND) == {
        "mission_locale": (1, 5), "departement": (1, 7), "france_travail": (1, 4), "other": (1, 1)
    }
    assert rentals_by(B.PRESCRIBER) == {plan.ml.id: (1, 5), plan.dep.id: (1, 7), plan.ft.id: (1, 4), plan.ccas.id: (1, 1)}
    assert rentals_by(B.ASSOCIATION) == {plan.a1.id: (2, 12), plan.a2.id: (2, 5)}
    assert rentals_by(B.PURPOSE) == {
        Purpose.JOB: (1, 5), Purpose.TRAINING: (1, 7), Purpose.JOB_INTERVIEW: (1, 4), Purpose.JOB_SEARCH: (1, 1)
    }


def fleet_by(by):
    table = indicators.fleet_use(HALF_YEAR, by)
    return {row.key: (row.values["booked_days"], row.values["bookable_days"]) for row in table.rows}


def test_fleet_use_rate_counts_days_clipped_to_the_period_net_of_unavailability(plan):
    total = indicators.fleet_use(HALF_YEAR).total.values
    # V1: 2 days of B0 (1–2 January) + 5; V2: 7, 3 days unavailable; V3: 4 + 1 + 5, 2 days unavailable.
    assert (total["booked_days"], total["bookable_days"], total["vehicles"]) == (24, 538, 3)
    assert total["use_rate"] == pytest.approx(24 / 538, abs=1e-4)


def test_fleet_use_per_association_site_category_and_month(plan):
    assert fleet_by(B.ASSOCIATION) == {plan.a1.id: (14, 359), plan.a2.id: (10, 179)}
    assert fleet_by(B.SITE) == {plan.s1.id: (14, 359), plan.s2.id: (10, 179)}
    assert fleet_by(B.CATEGORY) == {VehicleCategory.CAR: (17, 360), VehicleCategory.VSP: (7, 178)}
    assert fleet_by(B.MONTH) == {
        202601: (7, 93), 202602: (3, 84), 202603: (7, 93), 202604: (2, 90), 202605: (0, 90), 202606: (5, 88)
    }


def test_waiting_entries_and_how_many_got_a_vehicle(plan):
    total = indicators.waiting(HALF_YEAR).total.values
    assert total == {"entries": 3, "got_vehicle": 1, "still_waiting": 1}
    by_basin = {row.key: row.values["entries"] for row in indicators.waiting(HALF_YEAR, B.BASIN).rows}
    assert by_basin == {plan.orleans: 2, plan.montargis: 1}
    by_month = {row.key: row.values["got_vehicle"] for row in indicators.waiting(HALF_YEAR, B.MONTH).rows}
    assert by_month == {202601: 0, 202602: 1, 202603: 0, 202604: 0, 202605: 0, 202606: 0}


def test_outcomes_at_each_checkpoint_and_the_rate_of_positive_ones(plan):
    at_end = indicators.outcomes(HALF_YEAR, OutcomeCheckpoint.AT_END).total.values
    # B0's outcome belongs to a 2025 rental; B3's is unknown, so left out of the rate.
    assert (at_end["recorded"], at_end["known"], at_end["positive"]) == (4, 3, 2)
    assert at_end["durable_job"] == 1 and at_end["other_job"] == 1 and at_end["none"] == 1
    assert at_end["positive_rate"] == pytest.approx(0.6667)
    after_3 = indicators.outcomes(HALF_YEAR, OutcomeCheckpoint.AFTER_3_MONTHS).total.values
    assert (after_3["recorded"], after_3["positive"], after_3["positive_rate"]) == (2, 2, 1.0)
    after_6 = indicators.outcomes(HALF_YEAR, OutcomeCheckpoint.AFTER_6_MONTHS).total.values
    assert after_6["recorded"] == 0 and after_6["positive_rate"] is None


def test_outcomes_by_prescriber_kind(plan):
    table = indicators.outcomes(HALF_YEAR, OutcomeCheckpoint.AT_END, B.PRESCRIBER_KIND)
    rates = {row.key: row.values["positive_rate"] for row in table.rows}
    assert rates == {"mission_locale": 1.0, "departement": 0.0, "france_travail": None, "other": 1.0}


def test_filters_narrow_every_family(plan):
    orleans = replace(HALF_YEAR, basin_id=plan.orleans)
    assert indicators.requests(orleans).total.values["received"] == 7
    assert indicators.rentals(orleans).total.values["days"] == 12
    assert indicators.fleet_use(orleans).total.values["booked_days"] == 14
    young = replace(HALF_YEAR, prescriber_kind=PrescriberKind.MISSION_LOCALE)
    assert indicators.requests(young).total.values["received"] == 3
    vsp = replace(HALF_YEAR, category=VehicleCategory.VSP)
    assert indicators.rentals(vsp).total.values["rentals"] == 1


def test_an_association_scope_sees_its_fleet_and_rentals_only(plan):
    scope = replace(HALF_YEAR, association_id=plan.a2.id)
    assert indicators.rentals(scope).total.values["rentals"] == 2
    assert fleet_by_scope(scope) == (10, 179)
    assert indicators.waiting(scope).total.values["entries"] == 0


def fleet_by_scope(filters):
    values = indicators.fleet_use(filters).total.values
    return values["booked_days"], values["bookable_days"]


def test_a_prescriber_scope_sees_its_people_only(plan):
    scope = replace(HALF_YEAR, prescriber_id=plan.dep.id)
    assert indicators.requests(scope).total.values == {
        "received": 3, "approved": 1, "rejected": 1, "expired": 1, "cancelled": 0, "people": 1
    }
    assert indicators.outcomes(scope, OutcomeCheckpoint.AT_END).total.values["none"] == 1


def test_a_period_ending_before_it_starts_is_refused_in_french():
    with pytest.raises(Invalid) as refused:
        Filters(date(2026, 3, 1), date(2026, 2, 1))
    assert "avant son début" in refused.value.message


def test_a_breakdown_that_does_not_apply_is_refused(plan):
    with pytest.raises(Invalid):
        indicators.waiting(HALF_YEAR, B.ASSOCIATION)


def test_outcomes_of_all_checkpoints_in_one_query_match_each_checkpoint(plan):
    together = indicators.outcomes_by_checkpoint(HALF_YEAR)
    for checkpoint in OutcomeCheckpoint:
        assert together[checkpoint] == indicators.outcomes(HALF_YEAR, checkpoint).total.values
