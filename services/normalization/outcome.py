"""What a feed's loader hands back to the handler: its events and what it found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.envelope import EventData
from services.normalization.quality import Finding


@dataclass(frozen=True)
class LoadOutcome:
    events: tuple[EventData, ...]
    findings: tuple[Finding, ...] = ()
    excluded_records: tuple[Mapping[str, Any], ...] = ()
