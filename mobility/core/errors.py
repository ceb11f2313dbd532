"""One family of domain errors, mapped once to form messages (pages) and status codes (API).

A service raises them with a message written for the person who will read it, in French
first, and the name of the form field it concerns, if any.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal of the domain: the message is for people, the field for the form."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    status = 404


class Conflict(DomainError):
    """The state of things refuses it now (already taken, an illegal move)."""

    status = 409


class Refused(DomainError):
    """The caller may not do this (a rule of the scheme, not of input shape)."""

    status = 422


class Invalid(DomainError):
    """The input is not acceptable as given."""

    status = 422


def status_of(error: DomainError) -> int:
    return error.status
