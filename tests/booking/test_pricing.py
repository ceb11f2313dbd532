from __future__ import annotations

from datetime import date

import pytest

from mobility.booking.pricing import (
    DEMO_TARIFFS,
    NoTariffInForce,
    Tariff,
    price_for,
    quote,
    rental_days,
    tariff_in_force,
)
from mobility.fleet.models import VehicleCategory

CAR = VehicleCategory.CAR
VSP = VehicleCategory.VSP


def tariff(daily=400, weekly=2500, monthly=7000, deposit=15000, effective_on=date(2026, 1, 1), category=CAR):
    return Tariff(
        category=category,
        effective_on=effective_on,
        daily_cents=daily,
        weekly_cap_cents=weekly,
        monthly_cap_cents=monthly,
        deposit_cents=deposit,
    )


DEMO_CAR = tariff_in_force(DEMO_TARIFFS, date(2026, 11, 23), CAR)
DEMO_VSP = tariff_in_force(DEMO_TARIFFS, date(2026, 11, 23), VSP)


# Rental days ---------------------------------------------------------------------------------


def test_a_same_day_rental_counts_one_day():
    assert rental_days(date(2026, 12, 1), date(2026, 12, 1)) == 1


def test_rental_days_count_pickup_and_return_days_inclusive():
    assert rental_days(date(2026, 12, 1), date(2026, 12, 2)) == 2
    assert rental_days(date(2026, 12, 1), date(2026, 12, 7)) == 7
    # Across the end of February in a common year.
    assert rental_days(date(2027, 2, 27), date(2027, 3, 1)) == 3


def test_a_return_before_the_pickup_is_an_error():
    with pytest.raises(ValueError, match="before pickup"):
        rental_days(date(2026, 12, 2), date(2026, 12, 1))


# Caps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, cents",
    [
        (1, 400),
        (6, 2400),  # 6 days at 4 € are still below the weekly cap
        (7, 2500),  # a whole week at the weekly cap
        (8, 2900),  # a week, then one day at the daily rate
        (13, 4900),
        (14, 5000),
        (29, 7000),  # 4 weeks and a day would be 104 €: a partial month never costs more than a month
        (30, 7000),  # a whole month at the monthly cap
        (31, 7400),  # a month, then one day
        (37, 9500),  # a month, then a whole week
        (60, 14000),
    ],
)
def test_price_applies_monthly_then_weekly_caps_then_daily_rate(days, cents):
    assert price_for(tariff(), days) == cents


@pytest.mark.parametrize(
    "days, cents",
    [(1, 400), (5, 2000), (6, 2000), (7, 2000), (8, 2400), (29, 6000), (30, 6000), (31, 6400), (37, 8000)],
)
def test_demo_car_tariff_is_4_euros_a_day_20_a_week_60_a_month(days, cents):
    assert price_for(DEMO_CAR, days) == cents


@pytest.mark.parametrize(
    "days, cents",
    [(1, 300), (6, 1500), (7, 1500), (8, 1800), (29, 4500), (30, 4500), (31, 4800), (37, 6000)],
)
def test_demo_vsp_tariff_is_3_euros_a_day_15_a_week_45_a_month(days, cents):
    assert price_for(DEMO_VSP, days) == cents


def test_demo_deposits_are_150_euros_for_a_car_and_100_for_a_vsp():
    assert DEMO_CAR.deposit_cents == 15000
    assert DEMO_VSP.deposit_cents == 10000


def test_a_partial_week_is_never_dearer_than_the_weekly_cap():
    # 6 days at 5 € = 30 € > the 25 € weekly cap.
    assert price_for(tariff(daily=500, weekly=2500), 6) == 2500
    assert price_for(tariff(daily=500, weekly=2500), 13) == 5000


def test_price_is_never_more_than_the_uncapped_price():
    # Caps set above the daily cost never apply.
    generous = tariff(daily=400, weekly=5000, monthly=20000)
    assert price_for(generous, 7) == 2800
    assert price_for(generous, 30) == 12000
    assert price_for(generous, 37) == 14800


def test_a_monthly_cap_dearer_than_weeks_is_not_applied():
    # 30 days by weeks cost 4 × 20 € + 2 × 4 € = 88 €, less than the 100 € "cap".
    odd = tariff(daily=400, weekly=2000, monthly=10000)
    assert price_for(odd, 30) == 8800
    # 35 days: 5 whole weeks (100 €) beat a month and 5 days (88 € + 20 €).
    assert price_for(odd, 35) == 10000


@pytest.mark.parametrize(
    "subject",
    [
        tariff(),
        DEMO_CAR,
        DEMO_VSP,
        tariff(daily=400, weekly=2000, monthly=10000),
        tariff(daily=700, weekly=1000, monthly=9000),
        tariff(daily=0, weekly=0, monthly=0),
    ],
)
def test_a_longer_rental_never_costs_less_and_never_more_than_every_day_at_the_daily_rate(subject):
    prices = [price_for(subject, days) for days in range(1, 400)]
    assert prices == sorted(prices)
    assert all(price <= days * subject.daily_cents for days, price in enumerate(prices, start=1))


@pytest.mark.parametrize("days", [0, -1, 1.5, True])
def test_a_rental_of_less_than_one_whole_day_has_no_price(days):
    with pytest.raises(ValueError, match="at least 1 day"):
        price_for(tariff(), days)


@pytest.mark.parametrize("field", ["daily", "weekly", "monthly", "deposit"])
@pytest.mark.parametrize("value", [-1, 4.5, "400", None])
def test_a_tariff_amount_must_be_whole_cents(field, value):
    with pytest.raises(ValueError, match="whole number of cents"):
        tariff(**{field: value})


def test_a_tariff_needs_a_vehicle_category():
    with pytest.raises(TypeError, match="VehicleCategory"):
        tariff(category="car")


def test_quote_gives_days_price_and_deposit_for_the_dates():
    result = quote(DEMO_CAR, date(2026, 12, 1), date(2026, 12, 8))
    assert (result.days, result.price_cents, result.deposit_cents) == (8, 2400, 15000)
    assert result.tariff is DEMO_CAR


# Tariff in force -----------------------------------------------------------------------------

OLD = tariff(daily=400, effective_on=date(2026, 1, 1))
NEW = tariff(daily=450, effective_on=date(2027, 1, 1))
OLD_VSP = tariff(daily=300, effective_on=date(2026, 1, 1), category=VSP)


def test_the_tariff_in_force_the_day_before_a_new_one_is_the_old_one():
    assert tariff_in_force([NEW, OLD], date(2026, 12, 31)) is OLD


def test_a_new_tariff_applies_from_its_effective_date():
    assert tariff_in_force([NEW, OLD], date(2027, 1, 1)) is NEW
    assert tariff_in_force([OLD, NEW], date(2027, 6, 1)) is NEW


def test_no_tariff_before_the_first_effective_date_is_a_clear_error():
    expected = "no car tariff in force on 2025-12-31: the earliest takes effect on 2026-01-01"
    with pytest.raises(NoTariffInForce, match=expected):
        tariff_in_force([NEW, OLD], date(2025, 12, 31))


def test_no_tariff_at_all_for_the_category_is_a_clear_error():
    with pytest.raises(NoTariffInForce, match="no tariff for category vsp"):
        tariff_in_force([OLD, NEW], date(2027, 1, 1), VSP)


def test_the_category_picks_its_own_tariffs_among_others():
    assert tariff_in_force([OLD, NEW, OLD_VSP], date(2027, 1, 1), VSP) is OLD_VSP
    assert tariff_in_force([OLD, NEW, OLD_VSP], date(2027, 1, 1), CAR) is NEW


def test_tariffs_of_several_categories_without_a_category_are_an_error():
    with pytest.raises(ValueError, match="several categories"):
        tariff_in_force([OLD, OLD_VSP], date(2027, 1, 1))


def test_two_tariffs_from_the_same_day_are_an_error_not_a_guess():
    twin = tariff(daily=500, effective_on=NEW.effective_on)
    with pytest.raises(ValueError, match="2 car tariffs take effect on 2027-01-01"):
        tariff_in_force([OLD, NEW, twin], date(2027, 2, 1))
