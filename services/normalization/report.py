"""The quality report of one normalization run: every finding, and the records it kept out."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from contracts.events import Severity
from contracts.quality_rules import Rule
from services.normalization.quality import Finding


@dataclass(frozen=True)
class RuleCount:
    rule: Rule
    severity: Severity
    count: int


@dataclass(frozen=True)
class QualityReport:
    feed: str
    extract_id: str
    records_uri: str
    generated_at: datetime
    findings: tuple[Finding, ...]
    # Records with an error, as accepted ({"record_index": i, **fields}): never lost.
    excluded_records: tuple[Mapping[str, Any], ...] = ()

    @property
    def error_count(self) -> int:
        return sum(1 for finding in self.findings if finding.is_error)

    @property
    def warning_count(self) -> int:
        return len(self.findings) - self.error_count

    def summary(self) -> list[RuleCount]:
        """Findings per rule, errors first."""
        counts = Counter(finding.rule for finding in self.findings)
        return sorted(
            (RuleCount(rule, rule.severity, count) for rule, count in counts.items()),
            key=lambda entry: (entry.severity is not Severity.ERROR, entry.rule),
        )

    def headline(self) -> str:
        """One line for the alert, e.g. "1 error, 3 warnings: material-not-in-master (1), ..."."""
        rules = ", ".join(f"{entry.rule} ({entry.count})" for entry in self.summary())
        return f"{_plural(self.error_count, 'error')}, {_plural(self.warning_count, 'warning')}" + (
            f": {rules}" if rules else ""
        )

    def to_json(self) -> bytes:
        document = {
            "feed": self.feed,
            "extract_id": self.extract_id,
            "records": self.records_uri,
            "generated_at": self.generated_at.isoformat(),
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "summary": [asdict(entry) for entry in self.summary()],
            "findings": [_finding(finding) for finding in self.findings],
            "excluded_records": list(self.excluded_records),
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _finding(finding: Finding) -> dict[str, Any]:
    return {**asdict(finding), "severity": finding.severity}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def excluded_records(indexed: Sequence[tuple[int, Any]]) -> tuple[dict[str, Any], ...]:
    """Records as the report keeps them: index first, then the fields as accepted."""
    return tuple(
        {"record_index": index, **record.model_dump(mode="json")} for index, record in indexed
    )
