"""Every event model, registered by (type, major version).

A consumer parses `data` through `parse_event`, which tells a type no contract defines from a major
version this build does not know, so each goes to the DLQ with its own reason.
"""

from __future__ import annotations

from contracts.envelope import Envelope, EventData
from contracts.errors import MalformedEvent, UnknownEventType, UnsupportedEventVersion
from contracts.events.comparison import AlertRaisedV1, ComparisonCompletedV1, Severity
from contracts.events.customs import CustomsLinesGeneratedV1, CustomsTotalsV1
from contracts.events.ingestion import ExtractAcceptedV1, ExtractRejectedV1, RejectedRecordV1
from contracts.events.normalization import (
    DeclaredLinesNormalizedV1,
    InvoicesNormalizedV1,
    QualityReportedV1,
    ReferenceUpdatedV1,
)
from contracts.events.portal import ComparisonRequestedV1
from contracts.events.refs import ObjectRef

EVENT_MODELS: tuple[type[EventData], ...] = (
    ExtractAcceptedV1,
    ExtractRejectedV1,
    ReferenceUpdatedV1,
    InvoicesNormalizedV1,
    DeclaredLinesNormalizedV1,
    QualityReportedV1,
    CustomsLinesGeneratedV1,
    ComparisonCompletedV1,
    AlertRaisedV1,
    ComparisonRequestedV1,
)

_BY_KEY: dict[tuple[str, int], type[EventData]] = {(m.TYPE, m.VERSION): m for m in EVENT_MODELS}


def supported_versions(event_type: str) -> tuple[int, ...]:
    return tuple(sorted(version for kind, version in _BY_KEY if kind == event_type))


def model_for(event_type: str, version: int) -> type[EventData]:
    model = _BY_KEY.get((event_type, version))
    if model is not None:
        return model
    versions = supported_versions(event_type)
    if not versions:
        raise UnknownEventType(event_type)
    raise UnsupportedEventVersion(event_type, version, versions)


def parse_event(envelope: Envelope) -> EventData:
    """The envelope's data as its model; raises a precise `IorError` when that is impossible."""
    model = model_for(envelope.type, envelope.version)
    try:
        return model.model_validate(envelope.data)
    except ValueError as exc:
        raise MalformedEvent(f"{envelope.type} v{envelope.version} data: {exc}") from exc


__all__ = [
    "EVENT_MODELS",
    "AlertRaisedV1",
    "ComparisonCompletedV1",
    "ComparisonRequestedV1",
    "CustomsLinesGeneratedV1",
    "CustomsTotalsV1",
    "DeclaredLinesNormalizedV1",
    "ExtractAcceptedV1",
    "ExtractRejectedV1",
    "InvoicesNormalizedV1",
    "ObjectRef",
    "QualityReportedV1",
    "ReferenceUpdatedV1",
    "RejectedRecordV1",
    "Severity",
    "model_for",
    "parse_event",
    "supported_versions",
]
