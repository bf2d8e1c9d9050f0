"""Errors of the comparison service."""

from __future__ import annotations

from contracts.errors import IorError


class DuplicateLineKey(IorError):
    """One side holds two lines with the same (invoice, line, component): which one to compare?"""

    error_type = "duplicate-line-key"

    def __init__(self, side: str, key: str) -> None:
        super().__init__(
            f"{side} has more than one line {key}; correct the extract and push it again"
        )
        self.side = side
        self.key = key
