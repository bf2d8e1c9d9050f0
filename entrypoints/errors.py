"""Errors of the commands; all are `IorError`s, so `ior` prints each as one line."""

from __future__ import annotations

from contracts.errors import IorError


class UsageError(IorError):
    """The command line asks for something impossible (exit code 2)."""


class CalculationNotFound(IorError):
    """No audit record for the CALC-ID asked for."""

    def __init__(self, calc_id: str) -> None:
        super().__init__(f"no calculation {calc_id} at this endpoint; `ior status` shows the last")


class PurgeNotConfirmed(IorError):
    """A purge was not confirmed: no `--yes` and no terminal to ask on, or the answer was no."""

    error_type = "purge-not-confirmed"
