"""No page is the result of a POST: every form route of the app, walked from the url_map,
answers a successful submission with a redirect (Post/Redirect/Get) and a refused one with a
4xx page (which history.js takes out of the history), never a 200 page and never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.routing import Rule

from mobility.booking.models import BookingStatus
from mobility.extensions import db
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)
# Values for the URL's variables: ids of the rows the request_awaiting_approval below creates first.
URL_VALUES = {"token": "not-a-token", "insee_code": "45234", "kind": "certificate", "action": "sign"}

def _build(rule: Rule, values: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        for converter in ("int:", ""):
            path = path.replace(f"<{converter}{name}>", str(values[name]))
    return path


def post_rules(app) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "static"
        ),
        key=lambda rule: rule.rule,
    )


@pytest.fixture
def request_awaiting_approval(app, frozen):
    add_demo_tariffs()
    site = SiteFactory(orleans=True)
    vehicle = VehicleFactory(site=site)
    fleet = UserFactory(fleet=True, organisation=site.association)
    referent = UserFactory()
    person = eligible_beneficiary(TODAY, referent=referent)
    person.user = UserFactory(beneficiary=True, organisation=person.organisation)
    BookingFactory(beneficiary=person, vehicle=vehicle, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    db.session.commit()
    return {
        "admin": UserFactory(admin=True),
        "referent": referent,
        "fleet": fleet,
        "beneficiary": person.user,
    }


def test_every_form_route_is_walked(app):
    # The walk below covers what the url_map holds: a new form route is walked without a word.
    assert len(post_rules(app)) >= 50


@pytest.mark.parametrize("role", ["admin", "referent", "fleet", "beneficiary"])
def test_no_post_answers_a_page_of_200_or_an_error(client, auth, request_awaiting_approval, role):
    answered = {}
    for rule in post_rules(client.application):
        auth.login(request_awaiting_approval[role])
        response = client.post(_build(rule, {n: URL_VALUES.get(n, 1) for n in rule.arguments}), data={})
        answered[rule.rule] = response.status_code
    pages = {rule: status for rule, status in answered.items() if status == 200 or status >= 500}
    assert not pages, f"POST answered with a page (200) or an error as {role}: {pages}"
    assert all(300 <= status < 500 for status in answered.values())
