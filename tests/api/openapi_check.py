"""Every API answer checked against the OpenAPI description the app generates: types, not only keys.

The schemas are made strict for the check (no key beyond those described), so that an answer
that sends an undescribed key, a wrong type or misses a required key fails the test that got it.
"""

from __future__ import annotations

import copy
import re

from jsonschema import Draft202012Validator, FormatChecker

from mobility.api.spec import SERVER_URL


def _strict(node):
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(value) for value in node]
    return node


class OpenApiCheck:
    def __init__(self, document: dict):
        self.document = document
        self.components = _strict(copy.deepcopy(document.get("components", {})))
        self.routes = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", r"[^/]+", re.escape(path)) + "$"), path)
            for path in document["paths"]
        ]
        self.checked = 0

    def _resolve(self, node):
        while "$ref" in node:
            parts = node["$ref"][2:].split("/")
            node = self.document
            for part in parts:
                node = node[part]
        return node

    def operation(self, method: str, url_path: str) -> dict | None:
        if not url_path.startswith(SERVER_URL + "/"):
            return None
        relative = url_path[len(SERVER_URL):]
        for pattern, path in self.routes:
            if pattern.match(relative):
                return self.document["paths"][path].get(method.lower())
        return None

    def check(self, method: str, url_path: str, response) -> None:
        """Raise AssertionError when the answer is not what the description says."""
        operation = self.operation(method, url_path)
        if operation is None:
            return  # a URL the API does not have: the 404 envelope is checked by tests/api/test_errors
        if url_path == SERVER_URL + "/openapi.json" and response.status_code == 200:
            return
        responses = operation["responses"]
        described = responses.get(str(response.status_code))
        assert described is not None, (
            f"{method} {url_path} answered {response.status_code}, which its description does not list"
        )
        described = self._resolve(described)
        content = described["content"]
        if all(media.get("schema", {}).get("format") == "binary" for media in content.values()):
            # A file download (the exports): its type is checked, its bytes by the test that got it.
            assert response.mimetype in content, f"{method} {url_path}: {response.mimetype} is not described"
            self.checked += 1
            return
        schema = content["application/json"]["schema"]
        assert response.mimetype == "application/json", response.mimetype
        validator = Draft202012Validator(
            {**_strict(copy.deepcopy(schema)), "components": self.components}, format_checker=FormatChecker()
        )
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
        assert not errors, f"{method} {url_path} {response.status_code}: " + "; ".join(
            f"{list(error.path)}: {error.message}" for error in errors[:5]
        )
        self.checked += 1
