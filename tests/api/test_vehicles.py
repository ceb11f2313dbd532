import pytest

from mobility.fleet.models import VehicleCategory, VehicleStatus
from tests.api.factories import SiteFactory, VehicleFactory, api_token, bearer
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def two_associations(app):
    """Association A in Montargis (a car, a VSP in maintenance), association B in Orléans (a car)."""
    a = OrganisationFactory(association=True, name="Association A")
    b = OrganisationFactory(association=True, name="Association B")
    site_a = SiteFactory(association=a, name="Garage A", commune_insee="45208")
    site_b = SiteFactory(association=b, name="Garage B", commune_insee="45234")
    return {
        "a": a,
        "b": b,
        "car_a": VehicleFactory(site=site_a, plate="AB-123-CD", vin="VF1AAAAAAAAAAAAAA"),
        "vsp_a": VehicleFactory(site=site_a, vsp=True, in_maintenance=True, plate="AB-124-CD"),
        "car_b": VehicleFactory(site=site_b, plate="EF-456-GH", vin="VF1BBBBBBBBBBBBBB"),
    }


def _get(client, user, query=""):
    _, secret = api_token(user)
    return client.get(f"/api/v1/vehicles{query}", headers=bearer(secret))


def test_fleet_staff_see_their_own_vehicles_with_plate_and_vin_and_nothing_of_another_association(
    client, two_associations
):
    staff_a = UserFactory(fleet=True, organisation=two_associations["a"])
    response = _get(client, staff_a)
    assert response.status_code == 200
    body = response.json
    assert body["count"] == 2
    plates = {vehicle["plate"] for vehicle in body["vehicles"]}
    assert plates == {"AB-123-CD", "AB-124-CD"}
    car = next(v for v in body["vehicles"] if v["plate"] == "AB-123-CD")
    assert car["vin"] == "VF1AAAAAAAAAAAAAA"
    assert car["association"] == {"id": two_associations["a"].id, "name": "Association A"}
    assert car["site"]["basin"] == "montargis"
    assert car["insurance_expires_on"] == "2027-06-30"
    assert "EF-456-GH" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["referent", "admin"])
def test_referents_and_admins_see_every_vehicle_but_no_plate_nor_vin(client, two_associations, role):
    user = UserFactory(admin=True) if role == "admin" else UserFactory()
    response = _get(client, user)
    assert response.status_code == 200
    assert response.json["count"] == 3
    text = response.get_data(as_text=True)
    for vehicle in two_associations.values():
        if hasattr(vehicle, "plate"):
            assert vehicle.plate not in text
            assert (vehicle.vin or "VIN") not in text
    assert all("plate" not in v and "vin" not in v for v in response.json["vehicles"])


def test_filters_by_basin_category_and_status_combine(client, two_associations):
    admin = UserFactory(admin=True)
    assert _get(client, admin, "?basin=orleans").json["count"] == 1
    assert _get(client, admin, "?basin=montargis&category=vsp").json["count"] == 1
    assert _get(client, admin, "?basin=montargis&category=vsp&status=active").json["count"] == 0
    maintenance = _get(client, admin, "?status=maintenance").json
    assert [v["category"] for v in maintenance["vehicles"]] == ["vsp"]
    assert _get(client, admin, "?basin=gien").json == {
        "count": 0, "page": 1, "per_page": 100, "has_next": False, "vehicles": []
    }


def test_fleet_staff_filtering_on_another_associations_basin_get_nothing_of_it(client, two_associations):
    staff_a = UserFactory(fleet=True, organisation=two_associations["a"])
    assert _get(client, staff_a, "?basin=orleans").json == {
        "count": 0, "page": 1, "per_page": 100, "has_next": False, "vehicles": []
    }


def test_bad_filter_values_get_a_422_naming_each_field_in_french(client, two_associations):
    response = _get(client, UserFactory(admin=True), "?basin=paris&category=camion&status=cassé")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["status"] == 422
    assert error["message"] == "Certains paramètres sont invalides."
    assert set(error["fields"]) == {"basin", "category", "status"}
    assert "orleans" in error["fields"]["basin"][0]
    assert "Valeurs possibles : car, vsp, scooter, ebike." in error["fields"]["category"][0]


def test_empty_filters_mean_no_filter(client, two_associations):
    assert _get(client, UserFactory(admin=True), "?basin=&category=&status=").json["count"] == 3


def test_every_category_and_status_value_is_accepted(client, app):
    admin = UserFactory(admin=True)
    for category in VehicleCategory:
        assert _get(client, admin, f"?category={category.value}").status_code == 200
    for status in VehicleStatus:
        assert _get(client, admin, f"?status={status.value}").status_code == 200


def test_api_answers_are_never_cached(client, two_associations):
    response = _get(client, UserFactory(admin=True))
    assert response.headers["Cache-Control"] == "no-store"


def test_the_vehicle_list_comes_a_page_at_a_time_with_the_total(client, two_associations):
    admin = UserFactory(admin=True)
    first = _get(client, admin, "?per_page=2").json
    assert (first["count"], first["page"], first["per_page"], first["has_next"]) == (3, 1, 2, True)
    second = _get(client, admin, "?per_page=2&page=2").json
    assert (second["page"], second["has_next"], len(second["vehicles"])) == (2, False, 1)
    listed = {vehicle["id"] for vehicle in first["vehicles"] + second["vehicles"]}
    assert len(listed) == 3


@pytest.mark.parametrize("query", ["?page=0", "?per_page=201", "?per_page=abc", "?page="])
def test_a_vehicle_page_out_of_bounds_is_refused_in_french(client, two_associations, query):
    response = _get(client, UserFactory(admin=True), query)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) <= {"page", "per_page"}
