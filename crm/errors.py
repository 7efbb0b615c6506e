"""What a use case says when it refuses. Handlers turn these into words."""

from __future__ import annotations

from typing import Any


class CrmError(Exception):
    """A refusal with a machine-readable ``code`` and the values to explain it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotAllowed(CrmError):
    """The actor may not do this, or may not see the record (the two look the same)."""

    def __init__(self, code: str = "not_allowed", **params: Any) -> None:
        super().__init__(code, **params)


class NotFound(CrmError):
    def __init__(self, code: str = "not_found", **params: Any) -> None:
        super().__init__(code, **params)


class InvalidInput(CrmError):
    pass


class Conflict(CrmError):
    """The record changed under the user: already done, already used, gone."""
