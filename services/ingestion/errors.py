"""Why an extract file is rejected whole."""

from __future__ import annotations

from contracts.errors import IorError


class ExtractUnreadable(IorError):
    """The file cannot be read as an extract: it is quarantined whole, with this reason.

    `field` names what was wrong (`file`, `key`, `feed`, `record_count`, a header column, ...);
    `rule` is the rule it broke, phrased so the sender knows what to fix.
    """

    error_type = "extract-unreadable"

    def __init__(self, rule: str, *, field: str = "file", value: str | None = None) -> None:
        super().__init__(rule)
        self.rule = rule
        self.field = field
        self.value = value
