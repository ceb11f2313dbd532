"""Eligibility rules and their boundaries. No database: beneficiaries are built in memory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mobility.booking.eligibility import (
    NotEligible,
    Purpose,
    birthday,
    check_active_bookings,
    check_eligibility,
    check_minimum_age,
    check_rsa,
    eligible_categories,
    months_before,
    refusals_by_category,
)
from mobility.booking.eligibility_settings import EligibilitySettings, settings_from_config
from mobility.config import ConfigurationError
from mobility.fleet.models import VehicleCategory
from tests.factories import BeneficiaryFactory

CAR = VehicleCategory.CAR
VSP = VehicleCategory.VSP
SCOOTER = VehicleCategory.SCOOTER
EBIKE = VehicleCategory.EBIKE

TODAY = date(2026, 11, 23)
START = date(2026, 11, 30)
END = date(2026, 12, 6)
DEFAULTS = EligibilitySettings()


def person(**overrides):
    """Someone eligible for a car: B licence seen by the référent, RSA checked three weeks ago."""
    values = {
        "birth_date": date(1985, 5, 17),
        "licence_b": True,
        "driving_rights_checked_on": date(2026, 10, 1),
        "rsa_checked_on": date(2026, 11, 2),
        "has_am_licence": False,
    }
    return BeneficiaryFactory.build(**{**values, **overrides})


def young_person(**overrides):
    """Born after 1988, no licence at all."""
    values = {"birth_date": date(1995, 3, 8), "licence_b": False, "driving_rights_checked_on": None}
    return person(**{**values, **overrides})


def check(beneficiary, **overrides):
    request = {
        "category": CAR,
        "starts_on": START,
        "ends_on": END,
        "purpose": Purpose.JOB,
        "purpose_detail": "",
        "active_booking_count": 0,
        "today": TODAY,
        "settings": DEFAULTS,
    }
    return check_eligibility(beneficiary, **{**request, **overrides})


def codes(refusals):
    return [refusal.code for refusal in refusals]


def only(refusals):
    assert len(refusals) == 1, codes(refusals)
    return refusals[0]


# Everything in order ------------------------------------------------------------------------


def test_a_checked_licence_holder_with_a_recent_rsa_check_may_rent_a_car():
    assert check(person()) == []


def test_the_category_and_purpose_may_be_given_as_their_stored_values():
    assert check(person(), category="vsp", purpose="job_interview") == []


# Dates --------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused():
    refusal = only(check(person(), starts_on=START, ends_on=START - timedelta(days=1)))
    assert refusal.code == "dates_reversed"
    assert str(refusal.message) == "La date de fin de la location est avant la date de début."
    assert str(refusal.what_to_do) == (
        "Choisissez une date de fin le même jour que la date de début, ou après."
    )


def test_a_same_day_rental_is_allowed():
    assert check(person(), starts_on=START, ends_on=START) == []


def test_a_rental_starting_today_is_allowed():
    assert check(person(), starts_on=TODAY, ends_on=TODAY) == []


def test_a_rental_starting_yesterday_is_refused():
    refusal = only(check(person(), starts_on=TODAY - timedelta(days=1)))
    assert refusal.code == "start_in_past"
    assert str(refusal.message) == "La date de début de la location (22/11/2026) est déjà passée."
    assert str(refusal.what_to_do) == "Choisissez une date de début à partir d'aujourd'hui."


# Car: B licence -----------------------------------------------------------------------------


def test_a_car_without_a_b_licence_is_refused_with_the_vsp_suggested():
    refusal = only(check(person(licence_b=False)))
    assert refusal.code == "licence_b_missing"
    assert str(refusal.message) == (
        "Pour louer une voiture, il faut le permis B, et aucun permis B n'est enregistré pour vous."
    )
    assert "voiture sans permis" in str(refusal.what_to_do)


def test_a_car_with_a_licence_not_yet_checked_by_the_referent_is_refused():
    refusal = only(check(person(driving_rights_checked_on=None)))
    assert refusal.code == "licence_b_not_checked"
    assert str(refusal.message) == "Votre permis B n'a pas encore été vérifié par votre référent."
    assert str(refusal.what_to_do) == (
        "Montrez votre permis à votre référent lors de votre prochain rendez-vous."
    )


def test_a_licence_expiring_the_day_before_the_end_is_refused_with_its_date():
    refusal = only(check(person(licence_b_expires_on=END - timedelta(days=1))))
    assert refusal.code == "licence_b_expires_during_rental"
    assert str(refusal.message) == (
        "Votre permis B n'est valable que jusqu'au 05/12/2026, avant la fin de la location."
    )
    assert str(refusal.what_to_do).startswith("Choisissez une date de fin au plus tard le 05/12/2026,")


def test_a_licence_expiring_on_the_last_day_of_the_rental_is_enough():
    assert check(person(licence_b_expires_on=END)) == []


def test_a_licence_expiring_after_the_rental_is_enough():
    assert check(person(licence_b_expires_on=END + timedelta(days=1))) == []


def test_a_licence_expiring_on_the_day_of_a_one_day_rental_is_enough():
    assert check(person(licence_b_expires_on=START), ends_on=START) == []


def test_a_licence_expired_before_the_start_is_refused_with_how_to_renew_it():
    refusal = only(check(person(licence_b_expires_on=START - timedelta(days=1))))
    assert refusal.code == "licence_b_expired"
    assert str(refusal.message) == (
        "Votre permis B n'est valable que jusqu'au 29/11/2026, avant le début de la location."
    )
    assert "ANTS" in str(refusal.what_to_do)


def test_a_licence_without_an_expiry_date_is_valid():
    assert check(person(licence_b_expires_on=None), ends_on=date(2027, 2, 27)) == []


# VSP: AM licence or BSR, age ----------------------------------------------------------------


def test_someone_born_on_31_december_1987_drives_a_vsp_without_any_licence():
    beneficiary = young_person(birth_date=date(1987, 12, 31))
    assert check(beneficiary, category=VSP) == []


def test_someone_born_on_1_january_1988_needs_an_am_licence_for_a_vsp():
    refusal = only(check(young_person(birth_date=date(1988, 1, 1)), category=VSP))
    assert refusal.code == "am_licence_missing"
    assert str(refusal.message) == (
        "Les personnes nées à partir du 01/01/1988 ont besoin du permis AM (ou BSR), ou d'un permis B "
        "valable pendant toute la location, pour conduire une voiture sans permis."
    )
    assert str(refusal.what_to_do) == (
        "Si vous avez l'un de ces permis, montrez-le à votre référent. "
        "Sinon, il peut vous orienter vers une formation au permis AM."
    )


def test_an_am_licence_checked_by_the_referent_allows_a_vsp():
    beneficiary = young_person(has_am_licence=True, driving_rights_checked_on=date(2026, 9, 1))
    assert check(beneficiary, category=VSP) == []


def test_an_am_licence_not_yet_checked_is_refused():
    refusal = only(check(young_person(has_am_licence=True), category=VSP))
    assert refusal.code == "am_licence_not_checked"
    assert str(refusal.message) == "Votre permis AM ou BSR n'a pas encore été vérifié par votre référent."


def test_a_checked_b_licence_also_allows_a_vsp():
    assert check(person(birth_date=date(1995, 3, 8)), category=VSP) == []


def test_an_unchecked_b_licence_does_not_yet_allow_a_vsp():
    refusal = only(check(person(birth_date=date(1995, 3, 8), driving_rights_checked_on=None), category=VSP))
    assert refusal.code == "licence_b_not_checked"


def test_a_b_licence_expiring_during_the_rental_does_not_allow_a_vsp():
    beneficiary = person(birth_date=date(1995, 3, 8), licence_b_expires_on=END - timedelta(days=1))
    assert codes(check(beneficiary, category=VSP)) == ["am_licence_missing"]


def test_an_am_licence_does_not_allow_a_car():
    beneficiary = young_person(has_am_licence=True, driving_rights_checked_on=date(2026, 9, 1))
    assert codes(check(beneficiary, category=CAR)) == ["licence_b_missing"]


def _vsp_driver_born(birth_date):
    return young_person(
        birth_date=birth_date, has_am_licence=True, driving_rights_checked_on=date(2026, 9, 1)
    )


def test_a_vsp_driver_who_turned_14_the_day_before_the_start_is_accepted():
    assert check(_vsp_driver_born(date(2012, 11, 29)), category=VSP) == []


def test_a_vsp_driver_who_turns_14_on_the_first_day_is_accepted():
    assert check(_vsp_driver_born(date(2012, 11, 30)), category=VSP) == []


def test_a_vsp_driver_who_turns_14_the_day_after_the_start_is_refused_with_the_first_possible_day():
    refusal = only(check(_vsp_driver_born(date(2012, 12, 1)), category=VSP))
    assert refusal.code == "too_young"
    assert str(refusal.message) == (
        "Il faut avoir au moins 14 ans le premier jour de la location pour conduire une voiture sans permis."
    )
    assert str(refusal.what_to_do) == "Choisissez une date de début à partir du 01/12/2026."


def test_someone_born_on_29_february_turns_14_on_1_march_in_a_common_year():
    beneficiary = _vsp_driver_born(date(2012, 2, 29))
    assert birthday(beneficiary.birth_date, 14) == date(2026, 3, 1)
    refusal = check_minimum_age(beneficiary, VSP, date(2026, 2, 28), DEFAULTS)
    assert str(refusal.what_to_do) == "Choisissez une date de début à partir du 01/03/2026."
    assert check_minimum_age(beneficiary, VSP, date(2026, 3, 1), DEFAULTS) is None


def test_the_minimum_age_does_not_apply_to_a_car():
    assert check_minimum_age(_vsp_driver_born(date(2012, 12, 1)), CAR, START, DEFAULTS) is None


def test_a_scooter_follows_the_vsp_rules_when_it_is_offered():
    settings = EligibilitySettings(max_days={CAR: 90, VSP: 180, SCOOTER: 60})
    refusal = only(check(young_person(), category=SCOOTER, settings=settings))
    assert refusal.code == "am_licence_missing"
    assert str(refusal.message).endswith("pour conduire un scooter.")


def test_an_ebike_needs_no_licence_when_it_is_offered():
    settings = EligibilitySettings(max_days={EBIKE: 30})
    assert check(young_person(), category=EBIKE, settings=settings) == []


def test_a_category_without_a_maximum_duration_is_not_offered():
    refusal = only(check(young_person(), category=EBIKE))
    assert refusal.code == "category_not_offered"
    assert str(refusal.message) == "Ce type de véhicule n'est pas proposé à la location pour le moment."


def test_an_unknown_category_is_not_offered():
    assert codes(check(person(), category="truck")) == ["category_not_offered"]


# RSA ----------------------------------------------------------------------------------------


def test_an_rsa_status_never_checked_is_refused():
    refusal = only(check(person(rsa_checked_on=None)))
    assert refusal.code == "rsa_not_checked"
    assert str(refusal.message) == "Votre droit au RSA n'a pas encore été vérifié par votre référent."


def test_an_rsa_check_exactly_three_months_ago_is_recent_enough():
    assert check(person(rsa_checked_on=date(2026, 8, 23))) == []


def test_an_rsa_check_three_months_and_one_day_ago_is_too_old():
    refusal = only(check(person(rsa_checked_on=date(2026, 8, 22))))
    assert refusal.code == "rsa_check_too_old"
    assert str(refusal.message) == "Votre droit au RSA a été vérifié le 22/08/2026, il y a plus de 3 mois."
    assert str(refusal.what_to_do) == "Demandez à votre référent de vérifier à nouveau votre droit au RSA."


def test_months_are_counted_back_to_the_end_of_a_shorter_month():
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2028, 5, 31), 3) == date(2028, 2, 29)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)
    today = date(2026, 5, 31)
    assert check_rsa(person(rsa_checked_on=date(2026, 2, 28)), today, DEFAULTS) is None
    assert check_rsa(person(rsa_checked_on=date(2026, 2, 27)), today, DEFAULTS).code == "rsa_check_too_old"


def test_the_rsa_check_age_is_a_setting():
    settings = EligibilitySettings(rsa_check_max_months=6)
    assert check(person(rsa_checked_on=date(2026, 5, 23)), settings=settings) == []
    refusal = only(check(person(rsa_checked_on=date(2026, 5, 22)), settings=settings))
    assert str(refusal.message) == "Votre droit au RSA a été vérifié le 22/05/2026, il y a plus de 6 mois."


# Active bookings ----------------------------------------------------------------------------


def test_a_second_active_booking_is_refused_with_extension_suggested():
    refusal = only(check(person(), active_booking_count=1))
    assert refusal.code == "active_booking_exists"
    assert str(refusal.message) == "Vous avez déjà une location en cours ou en attente."
    assert "demandez plutôt une prolongation à votre référent" in str(refusal.what_to_do)


def test_the_number_of_active_bookings_allowed_is_a_setting():
    settings = EligibilitySettings(max_active_bookings=2)
    assert check_active_bookings(1, settings) is None
    refusal = check_active_bookings(2, settings)
    assert str(refusal.message) == "Vous avez déjà 2 locations en cours ou en attente : c'est le maximum."


# Duration -----------------------------------------------------------------------------------


def test_a_car_rental_of_exactly_90_days_is_allowed():
    assert check(person(), ends_on=START + timedelta(days=89)) == []


def test_a_car_rental_of_91_days_is_refused_and_says_it_can_be_extended():
    refusal = only(check(person(), ends_on=START + timedelta(days=90)))
    assert refusal.code == "duration_too_long"
    assert str(refusal.message) == (
        "Pour ce type de véhicule, une location dure au plus 90 jours : vous en demandez 91."
    )
    assert str(refusal.what_to_do) == (
        "Choisissez une date de fin au plus tard le 27/02/2027. Si vous avez besoin du véhicule plus "
        "longtemps, la location pourra être prolongée : demandez-le à votre référent avant la fin."
    )


def test_a_vsp_rental_may_last_180_days_but_not_181():
    assert check(person(), category=VSP, ends_on=START + timedelta(days=179)) == []
    assert codes(check(person(), category=VSP, ends_on=START + timedelta(days=180))) == ["duration_too_long"]


def test_the_maximum_duration_is_a_setting_per_category():
    settings = EligibilitySettings(max_days={CAR: 7, VSP: 180})
    assert check(person(), ends_on=START + timedelta(days=6), settings=settings) == []
    refusal = only(check(person(), ends_on=START + timedelta(days=7), settings=settings))
    assert "au plus 7 jours : vous en demandez 8" in str(refusal.message)


# Purpose ------------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["job_interview", "job", "training", "job_search"])
def test_every_employment_purpose_is_accepted_without_detail(purpose):
    assert check(person(), purpose=purpose, purpose_detail=None) == []


@pytest.mark.parametrize("detail", [None, "", "   \n"])
def test_purpose_other_without_a_description_is_refused(detail):
    refusal = only(check(person(), purpose=Purpose.OTHER, purpose_detail=detail))
    assert refusal.code == "purpose_detail_missing"
    assert str(refusal.message) == (
        "Vous avez choisi « Autre » comme motif sans dire en quoi la location vous aide vers l'emploi."
    )
    assert "France Travail" in str(refusal.what_to_do)


def test_purpose_other_with_a_description_is_accepted():
    assert check(person(), purpose="other", purpose_detail="Visite d'une entreprise d'insertion à Gien") == []


@pytest.mark.parametrize("purpose", [None, "", "holidays"])
def test_a_missing_or_unknown_purpose_is_refused(purpose):
    refusal = only(check(person(), purpose=purpose))
    assert refusal.code == "purpose_missing"
    assert str(refusal.message) == "Le motif de la location n'est pas indiqué."


def test_purposes_have_french_labels():
    assert [purpose.label for purpose in Purpose] == [
        "Entretien d'embauche",
        "Emploi (trajets domicile-travail)",
        "Formation",
        "Recherche d'emploi",
        "Autre démarche vers l'emploi",
    ]


# Several reasons at once --------------------------------------------------------------------


def test_every_reason_is_given_at_once_in_the_order_of_the_form():
    beneficiary = person(licence_b=False, driving_rights_checked_on=None, rsa_checked_on=None)
    refusals = check(
        beneficiary,
        starts_on=TODAY - timedelta(days=2),
        ends_on=TODAY + timedelta(days=100),
        purpose="other",
        purpose_detail=" ",
        active_booking_count=1,
    )
    assert codes(refusals) == [
        "start_in_past",
        "duration_too_long",
        "purpose_detail_missing",
        "licence_b_missing",
        "rsa_not_checked",
        "active_booking_exists",
    ]


def test_reversed_dates_are_reported_once_without_a_duration_or_licence_error():
    beneficiary = person(licence_b_expires_on=START)
    refusals = check(beneficiary, starts_on=START, ends_on=START - timedelta(days=200))
    assert codes(refusals) == ["dates_reversed"]


def test_a_refusal_serialises_to_french_text_for_the_api():
    refusal = only(check(person(driving_rights_checked_on=None)))
    assert refusal.as_dict() == {
        "code": "licence_b_not_checked",
        "message": "Votre permis B n'a pas encore été vérifié par votre référent.",
        "what_to_do": "Montrez votre permis à votre référent lors de votre prochain rendez-vous.",
    }


def test_not_eligible_carries_every_refusal():
    refusals = check(person(rsa_checked_on=None), active_booking_count=1)
    error = NotEligible(refusals)
    assert error.refusals == refusals
    assert str(error) == "rsa_not_checked, active_booking_exists"


# Categories open to a person today ----------------------------------------------------------


def test_a_checked_licence_holder_is_eligible_for_a_car_and_a_vsp_today():
    assert eligible_categories(person(), 0, TODAY, DEFAULTS) == [CAR, VSP]


def test_someone_born_before_1988_without_a_licence_is_eligible_for_a_vsp_only():
    beneficiary = person(birth_date=date(1980, 4, 2), licence_b=False, driving_rights_checked_on=None)
    assert eligible_categories(beneficiary, 0, TODAY, DEFAULTS) == [VSP]
    reasons = refusals_by_category(beneficiary, 0, TODAY, DEFAULTS)
    assert codes(reasons[CAR]) == ["licence_b_missing"]
    assert reasons[VSP] == []


def test_someone_born_in_1990_without_an_am_licence_is_told_why_for_each_category():
    reasons = refusals_by_category(young_person(birth_date=date(1990, 6, 1)), 0, TODAY, DEFAULTS)
    assert list(reasons) == [CAR, VSP]
    assert codes(reasons[CAR]) == ["licence_b_missing"]
    assert codes(reasons[VSP]) == ["am_licence_missing"]
    assert eligible_categories(young_person(birth_date=date(1990, 6, 1)), 0, TODAY, DEFAULTS) == []


def test_a_licence_expired_yesterday_closes_the_car_today():
    beneficiary = person(licence_b_expires_on=TODAY - timedelta(days=1))
    assert codes(refusals_by_category(beneficiary, 0, TODAY, DEFAULTS)[CAR]) == ["licence_b_expired"]
    assert check(person(licence_b_expires_on=TODAY), starts_on=TODAY, ends_on=TODAY) == []


def test_an_old_rsa_check_or_an_active_booking_closes_every_category():
    reasons = refusals_by_category(person(rsa_checked_on=date(2026, 1, 5)), 1, TODAY, DEFAULTS)
    assert {category: codes(refusals) for category, refusals in reasons.items()} == {
        CAR: ["rsa_check_too_old", "active_booking_exists"],
        VSP: ["rsa_check_too_old", "active_booking_exists"],
    }


def test_only_offered_categories_are_listed():
    settings = EligibilitySettings(max_days={VSP: 180, EBIKE: 30})
    assert eligible_categories(young_person(), 0, TODAY, settings) == [EBIKE]


# Settings -----------------------------------------------------------------------------------


def test_settings_default_to_the_issue_values_when_the_config_has_none():
    settings = settings_from_config({})
    assert settings == EligibilitySettings()
    assert settings.rsa_check_max_months == 3
    assert settings.max_active_bookings == 1
    assert dict(settings.max_days) == {CAR: 90, VSP: 180}
    assert settings.vsp_min_age == 14
    assert settings.vsp_no_licence_born_before == date(1988, 1, 1)


def test_settings_are_read_from_eligibility_keys_including_strings_from_the_environment():
    settings = settings_from_config(
        {
            "ELIGIBILITY_RSA_CHECK_MAX_MONTHS": "6",
            "ELIGIBILITY_MAX_ACTIVE_BOOKINGS": "1",
            "ELIGIBILITY_MAX_DAYS_CAR": "30",
            "ELIGIBILITY_MAX_DAYS_VSP": "0",
            "ELIGIBILITY_MAX_DAYS_EBIKE": 60,
            "ELIGIBILITY_VSP_MIN_AGE": "16",
            "ELIGIBILITY_VSP_NO_LICENCE_BORN_BEFORE": "1990-01-01",
            "UNRELATED": "ignored",
        }
    )
    assert settings == EligibilitySettings(
        rsa_check_max_months=6,
        max_active_bookings=1,
        max_days={CAR: 30, EBIKE: 60},
        vsp_min_age=16,
        vsp_no_licence_born_before=date(1990, 1, 1),
    )
    assert settings.offered_categories == [CAR, EBIKE]


def test_settings_accept_a_date_object():
    settings = settings_from_config({"ELIGIBILITY_VSP_NO_LICENCE_BORN_BEFORE": date(1989, 1, 1)})
    assert settings.vsp_no_licence_born_before == date(1989, 1, 1)


@pytest.mark.parametrize(
    "key, value",
    [
        ("ELIGIBILITY_RSA_CHECK_MAX_MONTHS", "three"),
        ("ELIGIBILITY_RSA_CHECK_MAX_MONTHS", "0"),
        ("ELIGIBILITY_MAX_ACTIVE_BOOKINGS", True),
        # The partial unique index holds one booking per person: a higher value would lie.
        ("ELIGIBILITY_MAX_ACTIVE_BOOKINGS", "2"),
        ("ELIGIBILITY_MAX_DAYS_CAR", "-1"),
        ("ELIGIBILITY_VSP_MIN_AGE", "14.5"),
        ("ELIGIBILITY_VSP_NO_LICENCE_BORN_BEFORE", "01/01/1988"),
    ],
)
def test_a_bad_setting_stops_the_service_with_the_key_named(key, value):
    with pytest.raises(ConfigurationError, match=key):
        settings_from_config({key: value})


def test_settings_cannot_be_changed_once_built():
    settings = EligibilitySettings()
    with pytest.raises(TypeError):
        settings.max_days[CAR] = 1000


# Wording for the référent -----------------------------------------------------------------

PERSONAL_SITUATIONS = {
    "licence_b_missing": lambda: check(person(licence_b=False, licence_b_issued_on=None, licence_b_expires_on=None)),
    "licence_b_not_checked": lambda: check(person(driving_rights_checked_on=None)),
    "licence_b_expired": lambda: check(person(licence_b_expires_on=START - timedelta(days=1))),
    "licence_b_expires_during_rental": lambda: check(person(licence_b_expires_on=START)),
    "am_licence_not_checked": lambda: check(young_person(has_am_licence=True), category=VSP),
    "am_licence_missing": lambda: check(young_person(), category=VSP),
    "rsa_not_checked": lambda: check(person(rsa_checked_on=None)),
    "rsa_check_too_old": lambda: check(person(rsa_checked_on=date(2026, 1, 5))),
    "active_booking_exists": lambda: check(person(), active_booking_count=1),
}


@pytest.mark.parametrize("code", sorted(PERSONAL_SITUATIONS))
def test_a_reason_about_the_person_is_told_to_the_referent_in_the_third_person(app, code):
    refusal = only(PERSONAL_SITUATIONS[code]())
    assert refusal.code == code
    for_person = refusal.worded_for(staff=False)
    for_staff = refusal.worded_for(staff=True)
    assert for_person is refusal
    assert for_staff.code == code
    staff_text = f"{for_staff.message} {for_staff.what_to_do}"
    assert "votre" not in staff_text.lower() and "vous" not in staff_text.lower(), staff_text
