"""The plan's JSON API (/api/v1): bearer tokens, JSON errors, the OpenAPI description."""
