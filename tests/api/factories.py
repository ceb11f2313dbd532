"""Helpers for the API tests: tokens, and the fleet factories of tests/fleet/factories.py."""

from __future__ import annotations

from mobility.api import services as tokens
from mobility.extensions import db
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

__all__ = ["SiteFactory", "UnavailabilityFactory", "VehicleFactory", "api_token", "bearer"]


def api_token(user=None, name: str = "Tableau de bord du plan") -> tuple:
    """(token row, secret) for a user (an admin by default), committed."""
    user = user or UserFactory(admin=True)
    token, secret = tokens.issue_token(user, name)
    db.session.commit()
    return token, secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
