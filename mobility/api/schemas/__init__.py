"""Marshmallow schemas of /api/v1: they validate input, serialise answers and write the OpenAPI."""
