"""Errors that services raise and views turn into messages a user can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; `field` names the form field to link the message to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PreconditionFailed(ServiceError):
    """A lifecycle step whose preconditions are not met (e.g. returns still outstanding)."""


class ConflictError(ServiceError):
    """Someone else saved the same record since this user loaded it (optimistic concurrency)."""


class NotAllowed(ServiceError):
    """The actor may not do this; views answer 404 so nothing is revealed."""
