import re

from sqlalchemy import select

from mobility.api.spec import SERVER_URL
from mobility.extensions import db
from mobility.territory.models import EmploymentBasin
from tests.api.factories import VehicleFactory, api_token, bearer
from tests.factories import UserFactory

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _api_routes(app) -> dict[str, set[str]]:
    """{"/vehicles": {"get"}, ...}: every route under /api/v1, as OpenAPI writes its path."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(SERVER_URL + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(SERVER_URL):])
        routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def _resolve(document, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        assert part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def _deref(document, node):
    return _resolve(document, node["$ref"]) if "$ref" in node else node


def _walk_refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _walk_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_refs(value)


def test_the_document_is_served_without_a_token_as_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    assert response.json["openapi"].startswith("3.1")


def test_the_document_has_the_required_top_level_parts_and_bearer_security(client):
    document = client.get("/api/v1/openapi.json").json
    assert {"openapi", "info", "paths", "components"} <= set(document)
    assert {"title", "version"} <= set(document["info"])
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearerAuth": []}]


def test_every_route_under_api_v1_is_described_with_exactly_its_methods(app, client):
    document = client.get("/api/v1/openapi.json").json
    routes = _api_routes(app)
    assert routes, "no API route found"
    described = {
        path: {method for method in item if method in HTTP_METHODS}
        for path, item in document["paths"].items()
    }
    assert described == routes


def test_every_operation_describes_its_parameters_success_and_json_errors(app, client):
    document = client.get("/api/v1/openapi.json").json
    operation_ids = set()
    for path, item in document["paths"].items():
        for name in re.findall(r"{([^}]+)}", path):
            declared = [_deref(document, p) for p in item.get("parameters", [])]
            for operation in (item[m] for m in item if m in HTTP_METHODS):
                declared += [_deref(document, p) for p in operation.get("parameters", [])]
            assert any(
                p["in"] == "path" and p["name"] == name and p["required"] for p in declared
            ), (path, name)
        for method in (m for m in item if m in HTTP_METHODS):
            operation = item[method]
            assert operation["operationId"] not in operation_ids
            operation_ids.add(operation["operationId"])
            assert operation["summary"]
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (path, method)
            for code in ("404", "405", "500"):
                assert code in responses, (path, method, code)
            secured = operation.get("security", document["security"]) != []
            if secured:
                assert "401" in responses, (path, method)
            for code, response in responses.items():
                response = _resolve(document, response["$ref"]) if "$ref" in response else response
                assert response["description"]
                if not code.startswith("2"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
            for parameter in operation.get("parameters", []):
                parameter = _resolve(document, parameter["$ref"]) if "$ref" in parameter else parameter
                assert {"name", "in", "schema"} <= set(parameter)
                assert parameter["in"] in {"query", "path", "header", "cookie"}


def test_every_reference_resolves(client):
    document = client.get("/api/v1/openapi.json").json
    refs = list(_walk_refs(document))
    assert refs
    for ref in refs:
        _resolve(document, ref)


def test_the_vehicles_parameters_are_the_ones_the_endpoint_reads(client):
    document = client.get("/api/v1/openapi.json").json
    parameters = [_deref(document, p) for p in document["paths"]["/vehicles"]["get"]["parameters"]]
    assert {p["name"] for p in parameters} == {"basin", "category", "status", "page", "per_page"}
    assert "422" in document["paths"]["/vehicles"]["get"]["responses"]


def test_no_basin_code_is_hard_coded_and_a_bad_basin_lists_the_databases(client):
    codes = sorted(db.session.scalars(select(EmploymentBasin.code)))
    document = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert not any(f'"{code}"' in document for code in codes)
    _, secret = api_token()
    message = client.get("/api/v1/vehicles?basin=paris", headers=bearer(secret)).json["error"]["fields"]["basin"][0]
    assert message == "Bassin inconnu. Valeurs possibles : " + ", ".join(
        row.code for row in EmploymentBasin.all_ordered()
    ) + "."


def test_the_error_schema_matches_what_the_api_sends(client):
    document = client.get("/api/v1/openapi.json").json
    schema = document["components"]["schemas"]["Error"]
    body = client.get("/api/v1/vehicles").json  # 401
    assert set(body) == set(schema["required"])
    assert set(body["error"]) == set(_deref(document, schema["properties"]["error"])["required"])


def test_the_vehicle_schema_lists_every_key_the_api_sends(client, app):
    vehicle = VehicleFactory()
    _, secret = api_token(UserFactory(fleet=True, organisation=vehicle.association))
    sent = client.get("/api/v1/vehicles", headers=bearer(secret)).json["vehicles"][0]
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert set(sent) <= set(schemas["Vehicle"]["properties"])
    assert set(schemas["Vehicle"]["required"]) <= set(sent)
    assert set(sent["site"]) == set(schemas["VehicleSite"]["properties"])
