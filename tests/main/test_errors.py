"""Error pages people may reach by typing or tampering with an address."""

from __future__ import annotations

from tests.factories import UserFactory


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, auth):
    auth.login(UserFactory())
    assert client.get("/locations/99999999999999999999999").status_code == 404
    assert client.get("/beneficiaires/99999999999999999999999").status_code == 404
