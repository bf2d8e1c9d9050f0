"""A realistic synthetic SAP batch (seeded): all eight feeds as `ior process DIR` takes them.

Run from the repository root: `.venv/bin/python -m benchmarks.generate --lines 10000 --out DIR`.
`--lines N` invoice lines (default 10,000) over ~N/20 invoices; the reference feeds are the same
size whatever N: 2,000 materials with mixed metal content and 40 packaging materials (ZEMM005,
ZFMIOR002 in KG/LB/G, ZEMM006), the HTS numbers (ZFMIOR003), the sample's tariff rules plus a few
countries (ZEMM007) and 5,000 customers with aliases (ZSDR010). ZSDR002 is what customs generation
computes from these very files, with ~1 % of the lines changed. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.synthetic.declared import correct_lines, declared_records
from benchmarks.synthetic.invoices import invoice_records
from benchmarks.synthetic.reference import reference_data

SEED = 20261122
EXTRACTED_ON = date(2026, 11, 22)
MATERIALS = 2_000
CUSTOMERS = 5_000
# SAP's push order (DOMAIN.md §1): the weekly reference feeds, then the daily ones.
FEED_ORDER = ("ZEMM005", "ZFMIOR002", "ZFMIOR003", "ZEMM007", "ZEMM006", "ZSDR010")


@dataclass(frozen=True)
class GeneratedBatch:
    folder: Path
    records: dict[str, int]  # feed -> record count
    invoices: int
    component_lines: int
    exceptions: int
    packaging_lines: int


def generate_batch(out: Path, lines: int, seed: int = SEED) -> GeneratedBatch:
    """Write the eight extract files of one batch into `out` (created if need be)."""
    rng = random.Random(seed)
    reference = reference_data(rng, MATERIALS, CUSTOMERS)
    invoices = invoice_records(rng, reference, lines, EXTRACTED_ON)
    extracts = {feed: extract_bytes(feed, records) for feed, records in reference.records.items()}
    extracts["ZEMM004"] = extract_bytes("ZEMM004", invoices)
    result = correct_lines(extracts)
    extracts["ZSDR002"] = extract_bytes("ZSDR002", declared_records(rng, result))
    out.mkdir(parents=True, exist_ok=True)
    for feed, body in extracts.items():
        (out / f"{extract_id(feed)}.json").write_bytes(body)
    return GeneratedBatch(
        folder=out,
        records={feed: len(json.loads(body)["records"]) for feed, body in extracts.items()},
        invoices=len({record["invoice_number"] for record in invoices}),
        component_lines=len(result.component_lines),
        exceptions=len(result.exceptions),
        packaging_lines=len(result.packaging_lines),
    )


def extract_id(feed: str) -> str:
    return f"{feed}-{EXTRACTED_ON:%Y%m%d}-0001"


def extract_bytes(feed: str, records: Sequence[Mapping[str, Any]]) -> bytes:
    """One SAP push; decimals are written as JSON numbers, as SAP writes them."""
    document = {
        "feed": feed,
        "extract_id": extract_id(feed),
        "extracted_at": f"{EXTRACTED_ON.isoformat()}T02:00:00Z",
        "sap_system": "PRD",
        "record_count": len(records),
        "records": list(records),
    }
    return json.dumps(document, default=float, separators=(",", ":")).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000, help="ZEMM004 invoice lines")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument("--seed", type=int, default=SEED)
    arguments = parser.parse_args()
    started = time.perf_counter()
    batch = generate_batch(arguments.out, arguments.lines, arguments.seed)
    seconds = time.perf_counter() - started
    print(f"wrote {len(batch.records)} extracts to {batch.folder} in {seconds:.1f} s")
    for feed, count in batch.records.items():
        print(f"  {feed:10} {count:>7,} records")
    print(
        f"  {batch.invoices:,} invoices -> {batch.component_lines:,} component lines, "
        f"{batch.exceptions:,} exceptions, {batch.packaging_lines:,} packaging lines"
    )


if __name__ == "__main__":
    main()
