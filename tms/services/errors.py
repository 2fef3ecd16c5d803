"""The one base of every refusal a service can give: a sentence the user can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused or failed operation; ``message`` is one translated sentence, safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
