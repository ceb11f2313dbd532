"""Fixtures the beneficiary-file tests share."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def referent_logged_in(auth, frozen):
    """A référent logged in on the frozen Monday morning."""
    user = UserFactory()
    auth.login(user)
    return user
