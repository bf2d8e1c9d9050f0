"""Pure validation of an extract: the header decides whether the file is readable at all, then
each record is checked alone against its feed model, so one bad record never sinks the others;
last, the valid records of a daily feed that share a line key are rejected together."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from contracts.feeds import FEEDS, ExtractHeader, FeedRecord
from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import SourceLocation

_MAX_VALUE_CHARS = 200
UPLOAD_SYSTEM = "UPLOAD"


@dataclass(frozen=True)
class Finding:
    """One broken rule: which record (None for the file), which field, the value, the rule."""

    record_index: int | None
    field: str
    value: str | None
    rule: str


@dataclass(frozen=True)
class ValidatedExtract:
    header: ExtractHeader
    accepted: tuple[tuple[int, FeedRecord], ...]
    findings: tuple[Finding, ...]

    @property
    def rejected_count(self) -> int:
        return len({finding.record_index for finding in self.findings})


def header_of_push(
    location: SourceLocation, document: dict[str, Any], max_records: int
) -> ExtractHeader:
    """The header of an SAP JSON push; `ExtractUnreadable` when the file cannot be an extract."""
    records = document.get("records", [])
    if len(records) > max_records:
        raise ExtractUnreadable(
            f"file holds {len(records)} records, more than the limit of {max_records}; split it",
            field="records",
        )
    header = _validate_header(document)
    if header.feed != location.feed:
        raise ExtractUnreadable(
            f"file says feed {header.feed} but was pushed under sap/{location.feed}/",
            field="feed",
            value=header.feed,
        )
    return header


def header_of_upload(
    location: SourceLocation, records: list[dict[str, Any]], extract_id: str, at: datetime
) -> ExtractHeader:
    """An upload has no envelope: ior gives it one, named after the file and its checksum."""
    _check_columns(location.feed, records)
    return _validate_header(
        {
            "feed": location.feed,
            "extract_id": extract_id,
            "extracted_at": at,
            "sap_system": UPLOAD_SYSTEM,
            "record_count": len(records),
            "records": records,
        }
    )


def validate_records(header: ExtractHeader) -> ValidatedExtract:
    model = FEEDS[header.feed]
    valid: list[tuple[int, FeedRecord]] = []
    findings: list[Finding] = []
    for index, raw in enumerate(header.records):
        record_findings = _extra_cell_findings(index, raw)
        try:
            record = model.model_validate(raw)
        except ValidationError as exc:
            record_findings += _findings(index, exc)
        if record_findings:
            findings += record_findings
        else:
            valid.append((index, record))
    duplicates = _duplicate_key_findings(model.LINE_KEY, valid)
    ambiguous = {finding.record_index for finding in duplicates}
    accepted = tuple((index, record) for index, record in valid if index not in ambiguous)
    return ValidatedExtract(header, accepted, tuple(findings + duplicates))


def _duplicate_key_findings(
    key_fields: tuple[str, ...], valid: Sequence[tuple[int, FeedRecord]]
) -> list[Finding]:
    """A finding for each valid record whose line key another one holds too: which of them SAP
    meant cannot be told, so none is taken. Keys are compared as validated (`10` and `"10"` are
    one line number), and a record already rejected alone takes no part."""
    if not key_fields:  # a weekly snapshot feed: its records have no line key
        return []
    indexes_by_key: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, record in valid:
        indexes_by_key[tuple(getattr(record, name) for name in key_fields)].append(index)
    findings = []
    for key, indexes in indexes_by_key.items():
        if len(indexes) == 1:
            continue
        # e.g. "invoice 90001234 line 10 component STEEL"
        line = " ".join(
            f"{name.removesuffix('_number')} {value}"
            for name, value in zip(key_fields, key, strict=True)
        )
        for index in indexes:
            others = [str(other) for other in indexes if other != index]
            records = "record" if len(others) == 1 else "records"
            findings.append(
                Finding(
                    record_index=index,
                    field="/".join(key_fields),
                    value="/".join(str(value) for value in key),
                    rule=f"duplicate line key: {line} also in {records} {', '.join(others)}",
                )
            )
    return findings


def _validate_header(document: dict[str, Any]) -> ExtractHeader:
    try:
        return ExtractHeader.model_validate(document)
    except ValidationError as exc:
        found = _findings(None, exc)
        raise ExtractUnreadable(
            "; ".join(f"{f.field}: {f.rule}" for f in found),
            field=found[0].field,
            value=found[0].value,
        ) from exc


def _check_columns(feed: str, records: Sequence[dict[str, Any]]) -> None:
    if feed not in FEEDS:
        raise ExtractUnreadable(
            f"unknown feed {feed!r}; expected one of {', '.join(sorted(FEEDS))}",
            field="feed",
            value=feed,
        )
    if not records:
        return
    model = FEEDS[feed]
    columns = set(records[0]) - {"_extra_cells"}
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    missing = sorted(required - columns)
    unknown = sorted(columns - set(model.model_fields))
    if missing or unknown:
        problems = [f"missing columns {', '.join(missing)}"] if missing else []
        problems += [f"unknown columns {', '.join(unknown)}"] if unknown else []
        raise ExtractUnreadable(
            f"header row does not match {feed}: {'; '.join(problems)}",
            field="header",
            value=",".join(sorted(columns)),
        )


def _extra_cell_findings(index: int, raw: object) -> list[Finding]:
    if isinstance(raw, dict) and raw.get("_extra_cells"):
        return [
            Finding(index, "row", _show(raw["_extra_cells"]), "row has more cells than the header")
        ]
    return []


def _findings(index: int | None, exc: ValidationError) -> list[Finding]:
    return [
        Finding(
            record_index=index,
            field=".".join(str(part) for part in error["loc"]) or "record",
            value=_show(error.get("input")),
            rule=error["msg"].removeprefix("Value error, "),
        )
        for error in exc.errors(include_url=False)
    ]


def rejected_records(validated: ValidatedExtract) -> list[dict[str, Any]]:
    """Each rejected record as received (values as text, cut short) with its findings, so that
    what is not accepted can still be named downstream (a broker must see every invoice line
    that is not declared, DOMAIN.md §2)."""
    by_record: dict[int, list[Finding]] = {}
    for finding in validated.findings:
        if finding.record_index is not None:
            by_record.setdefault(finding.record_index, []).append(finding)
    documents = []
    for index, findings in sorted(by_record.items()):
        raw = validated.header.records[index]
        fields = {str(k): _show(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        documents.append(
            {
                "record_index": index,
                "fields": fields,
                "findings": [
                    {"field": f.field, "value": f.value, "rule": f.rule} for f in findings
                ],
            }
        )
    return documents


def _show(value: object) -> str | None:
    """The offending value as text, cut short: a 10 MB field must not travel in an event. A lone
    surrogate (JSON can write `\\ud800`) is shown escaped, or no report could be encoded."""
    if value is None:
        return None
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > _MAX_VALUE_CHARS:
        return f"{text[:_MAX_VALUE_CHARS]}… ({len(text)} characters)"
    return text
