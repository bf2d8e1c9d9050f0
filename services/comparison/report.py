"""The comparison report as JSON (DOMAIN.md §4). Pure.

The document holds no wall-clock time: the same calculation compared with the same SAP extracts
yields the same bytes, so a run repeated by a concurrent trigger rewrites an identical object and
the SHA-256 its event announced stays true.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.events.refs import ObjectRef
from services.comparison.config import ComparisonConfig
from services.comparison.results import ComparisonResult, LineKey, OneSidedLine


@dataclass(frozen=True)
class SapSource:
    """The ZSDR002 dataset one invoice was compared against."""

    invoice_number: str
    extract_id: str
    lines: ObjectRef


def summary(result: ComparisonResult) -> dict[str, Any]:
    return {
        "result": str(result.outcome),
        "compared": len(result.lines),
        "passed": result.passed,
        "failed": result.failed,
        "ours_only": len(result.ours_only),
        "theirs_only": len(result.theirs_only),
        "held_back": len(result.held_back),
        "awaiting_sap_invoices": len(result.awaiting_sap),
        "awaiting_sap_lines": result.awaiting_lines,
    }


def report_document(
    result: ComparisonResult,
    *,
    customs_lines: ObjectRef,
    sap_sources: Sequence[SapSource],
    config: ComparisonConfig,
) -> dict[str, Any]:
    return {
        "calc_id": result.calc_id,
        "summary": summary(result),
        "tolerances": _tolerances(config),
        "customs_lines": {"uri": customs_lines.uri, "sha256": customs_lines.sha256},
        "sap_declarations": [
            {
                "invoice_number": source.invoice_number,
                "extract_id": source.extract_id,
                "uri": source.lines.uri,
                "sha256": source.lines.sha256,
            }
            for source in sap_sources
        ],
        "lines": [
            {
                **_key(line.key),
                "status": str(line.outcome),
                "discrepancies": [
                    {
                        "field": found.field,
                        "ours": found.ours,
                        "theirs": found.theirs,
                        "delta": None if found.delta is None else str(found.delta),
                    }
                    for found in line.discrepancies
                ],
            }
            for line in result.lines
        ],
        "ours_only": [_one_sided(line) for line in result.ours_only],
        "theirs_only": [_one_sided(line) for line in result.theirs_only],
        "held_back": [
            {**_one_sided(line), "held_back_because": line.reason} for line in result.held_back
        ],
        "awaiting_sap": list(result.awaiting_sap),
    }


def to_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _tolerances(config: ComparisonConfig) -> dict[str, dict[str, str]]:
    return {
        name: {"kind": str(tolerance.kind), "amount": str(tolerance.amount)}
        for name, tolerance in config.tolerances.items()
    }


def _key(key: LineKey) -> dict[str, Any]:
    return {
        "invoice_number": key.invoice_number,
        "line_number": key.line_number,
        "component": str(key.component),
    }


def _one_sided(line: OneSidedLine) -> dict[str, Any]:
    return {**_key(line.key), "values": dict(line.values)}
