import re

import pytest

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def csrf_client(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(csrf_client):
    user = UserFactory()
    response = csrf_client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code in (400, 422)
    assert csrf_client.get("/accueil").status_code == 302


def test_logout_without_csrf_token_is_refused(csrf_client):
    user = UserFactory()
    page = csrf_client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_client.post(
        "/connexion", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    ).status_code == 302
    response = csrf_client.post("/deconnexion")
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert csrf_client.get("/accueil").status_code == 200
