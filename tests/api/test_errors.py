import pytest

from mobility.api import vehicles
from tests.api.factories import api_token, bearer


def _assert_json_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()
    error = response.json["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert error["fields"] == {}
    return error


@pytest.mark.parametrize("path", ["/api/v1/inconnu", "/api/v2/vehicles", "/api", "/api/v1/vehicles/12/x"])
def test_unknown_api_urls_get_a_json_404_in_french(client, path):
    error = _assert_json_error(client.get(path), 404)
    assert error["message"] == "Cette ressource n'existe pas ou vous n'y avez pas accès."


def test_a_wrong_method_gets_a_json_405_with_the_allowed_ones(client):
    _, secret = api_token()
    response = client.post("/api/v1/vehicles", headers=bearer(secret))
    _assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_wrong_method_needs_no_csrf_token_to_get_its_json_405(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    _assert_json_error(client.delete("/api/v1/vehicles"), 405)


def test_an_unexpected_error_gets_a_json_500_without_a_stack_trace(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(vehicles, "visible_vehicles", broken)
    _, secret = api_token()
    response = client.get("/api/v1/vehicles", headers=bearer(secret))
    error = _assert_json_error(response, 500)
    assert "Rien n'a été enregistré" in error["message"]
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_pages_outside_the_api_keep_their_html_error_page(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
