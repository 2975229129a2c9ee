"""Domain errors raised by the services; the API, pages and CLI translate them for their users."""

from __future__ import annotations


class EvidenceError(Exception):
    """Base class; `field` names the input field at fault where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(EvidenceError):
    pass


class Unresolved(EvidenceError):
    """Several fields still need a value (a resolution with disagreements left open): each one is named."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(f"{len(fields)} field(s) still need a value", field=next(iter(fields), None))
        self.fields = fields


class Conflict(EvidenceError):
    """The write would break a uniqueness or reference rule (duplicate DOI, a source that still has claims)."""


class NotAllowed(EvidenceError):
    """The actor's role (or part in a review) does not allow this step of the workflow."""


class StaleVersion(EvidenceError):
    """The row changed since the writer read it (optimistic concurrency)."""

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.current_version = current_version
