import pytest

from mobility.api import services as tokens
from mobility.extensions import db
from tests.api.factories import api_token, bearer
from tests.factories import UserFactory


def test_admins_see_every_token_with_its_owner_and_prefix_but_never_the_secret(client, auth, time_machine):
    time_machine.move_to("2026-11-23 10:00:00+01:00", tick=False)
    auth.login(UserFactory(admin=True))
    fleet = UserFactory(fleet=True, full_name="Agnès Flotte")
    token, secret = api_token(fleet, "Export mensuel")
    client.get("/api/v1/vehicles", headers=bearer(secret))
    page = client.get("/admin/jetons").get_data(as_text=True)
    assert "Export mensuel" in page
    assert "Agnès Flotte" in page
    assert fleet.organisation.name in page
    assert token.prefix in page
    assert secret not in page
    assert "23 novembre 2026 à 10:00" in page  # created and last used


@pytest.mark.parametrize("role", ["referent", "fleet", "beneficiary"])
def test_the_token_page_is_not_found_for_anyone_but_admins(client, auth, role):
    user = UserFactory(**({role: True} if role != "referent" else {}))
    auth.login(user)
    assert client.get("/admin/jetons").status_code == 404
    token, _ = api_token()
    assert client.post(f"/admin/jetons/{token.id}/revoquer").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_admin_revokes_a_token_and_it_stops_working(client, admin_logged_in):
    token, secret = api_token(UserFactory(fleet=True))
    response = client.post(f"/admin/jetons/{token.id}/revoquer", follow_redirects=True)
    assert response.status_code == 200
    assert "est révoqué" in response.get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert tokens.authenticate(secret) is None
    assert client.get("/api/v1/vehicles", headers=bearer(secret)).status_code == 401


def test_revoking_an_unknown_token_is_a_404(client, admin_logged_in):
    assert client.post("/admin/jetons/999/revoquer").status_code == 404


def test_revoking_needs_a_post(client, admin_logged_in):
    token, _ = api_token()
    assert client.get(f"/admin/jetons/{token.id}/revoquer").status_code == 405


def test_revoking_is_protected_against_cross_site_requests(app, client, admin_logged_in):
    token, _ = api_token()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/admin/jetons/{token.id}/revoquer")
    assert response.status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None
