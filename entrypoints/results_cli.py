"""`ior results CALC-ID --out DIR`: a calculation's outputs, downloaded from a running endpoint.

What `ior process` copies at the end of a run, for a pipeline that runs elsewhere (LocalStack,
AWS): the broker workbook, the customs-lines dataset, the audit record, the latest comparison
(JSON and Excel), and the quality and rejection reports of the calculation's input files. The
calculation's audit record says where each of them is; nothing is guessed from the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from contracts.result_locations import COMPARISON_REPORT, COMPARISON_WORKBOOK, COMPARISONS_PREFIX
from entrypoints.errors import CalculationNotFound
from entrypoints.reports import audit_lookup
from services.runtime.aws.blobs import s3_uri, split_uri
from services.runtime.context import RuntimeContext

QUALITY_PREFIX = "quality/"
QUARANTINE_PREFIX = "quarantine/"


def download_results(context: RuntimeContext, calc_id: str, out: Path) -> list[Path]:
    """Write the outputs of `calc_id` into `out`; returns the files written."""
    records = audit_lookup(context, calc_id=calc_id)
    if not records:
        raise CalculationNotFound(calc_id)
    record: dict[str, Any] = records[0]["record"]
    written: list[Path] = []

    def copy(uri: str, name: str) -> None:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(context.blobs.get(*split_uri(uri)))
        written.append(target)

    out.mkdir(parents=True, exist_ok=True)
    copy(record["lines_uri"], "customs_lines.jsonl")
    copy(record["workbook_uri"], f"{calc_id}.xlsx")
    audit_file = out / "audit" / f"{calc_id}.json"
    audit_file.parent.mkdir(parents=True, exist_ok=True)
    audit_file.write_text(json.dumps(records, indent=2, default=str), encoding="utf-8")
    written.append(audit_file)
    processed_bucket = split_uri(record["lines_uri"])[0]
    report = _latest(
        context, processed_bucket, f"{COMPARISONS_PREFIX}{calc_id}/", COMPARISON_REPORT
    )
    if report is not None:
        copy(s3_uri(processed_bucket, report), COMPARISON_REPORT)
        workbook = report.removesuffix(COMPARISON_REPORT) + COMPARISON_WORKBOOK
        copy(s3_uri(processed_bucket, workbook), COMPARISON_WORKBOOK)
    for source in record["inputs"]:
        for key in _keys(context, processed_bucket, f"{QUALITY_PREFIX}{source['feed']}/"):
            if PurePosixPath(key).name.startswith(f"{source['extract_id']}-"):
                copy(s3_uri(processed_bucket, key), f"quality/{PurePosixPath(key).name}")
        raw_bucket = split_uri(source["uri"])[0]
        rejected_name = f"-{PurePosixPath(source['file_name']).stem}.report.json"
        for key in _keys(context, raw_bucket, f"{QUARANTINE_PREFIX}{source['feed']}/"):
            if key.endswith(rejected_name):
                copy(s3_uri(raw_bucket, key), f"rejections/{PurePosixPath(key).name}")
    return written


def _latest(context: RuntimeContext, bucket: str, prefix: str, name: str) -> str | None:
    """The key of the most recently written `name` under `prefix` (one folder per run)."""
    found = [
        (modified, key)
        for key, modified in _objects(context, bucket, prefix)
        if key.endswith(f"/{name}")
    ]
    return max(found)[1] if found else None


def _keys(context: RuntimeContext, bucket: str, prefix: str) -> Iterator[str]:
    return (key for key, _ in _objects(context, bucket, prefix))


def _objects(context: RuntimeContext, bucket: str, prefix: str) -> Iterator[tuple[str, datetime]]:
    paginator = context.clients.s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"], item["LastModified"]
