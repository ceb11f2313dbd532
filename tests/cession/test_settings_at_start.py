"""The cession settings that must be checked against the current texts (the VSP phase-in, the
free-cession ceiling, the seller's SIRET) are read at start: a bad value stops create_app and
names the variable."""

from __future__ import annotations

import pytest

from mobility.cession.rules import CessionSettings
from mobility.config import ConfigurationError
from mobility.core.settings import settings_of


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CESSION_VSP_PHASE_IN", "2017-01-01:2016-12-31", "due date must come after"),
        ("CESSION_VSP_PHASE_IN", "2017-01-01:2024-12-31,2017-01-01:2025-12-31", "same first-registration date twice"),
        ("CESSION_VSP_PHASE_IN", "2017-13-01:2024-12-31", "must be pairs"),
        ("CESSION_FREE_VALUE_CEILING_EUROS", "30000000", "between 0 and 100000"),
        ("CESSION_FREE_VALUE_CEILING_EUROS", "-1", "between 0 and 100000"),
        ("CESSION_FREE_VALUE_CEILING_EUROS", "300,50", "whole number"),
        ("CESSION_SELLER_SIRET", "22450001600016", "Luhn key"),
    ],
)
def test_a_bad_cession_setting_stops_the_start_and_names_the_variable(make_app, variable, value, message):
    with pytest.raises(ConfigurationError, match=variable) as refused:
        make_app(**{variable: value})
    assert message in str(refused.value)


def test_good_cession_settings_start_and_are_used(make_app):
    app = make_app(CESSION_VSP_PHASE_IN="2018-01-01:2026-06-30", CESSION_FREE_VALUE_CEILING_EUROS="500",
                   CESSION_SELLER_SIRET="224 500 016 00015")
    with app.app_context():
        settings = settings_of(CessionSettings)
    assert settings.vsp_phase_in[0][1].isoformat() == "2026-06-30"
    assert settings.free_value_ceiling_cents == 500_00
    assert settings.seller_siret == "22450001600015"
