"""Normalization of 10,000 seeded ZEMM004 lines against 5,000 customers: throughput and memory.

Run from the repository root: `.venv/bin/python -m benchmarks.normalization`.
Goal (issue 3): the whole batch in < 3 s on one core. "Whole" is every pure step the service runs
between reading the accepted records and writing its objects: parsing the JSON lines with the
feed model, building the customer matcher, matching, valuing and checking every line, and encoding
the JSON lines, the Parquet partitions, the PO reference rows and the quality report. The AWS
calls around it (one S3 read, a few puts, one scan per reference table) are not included.
"""

from __future__ import annotations

import json
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.datasets import CustomerRow, ProductMasterRow
from contracts.feeds import Zemm004Record
from contracts.reference_batch import ReferenceBatch
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.dataset_files import parquet_partitions
from services.normalization.invoices import normalize_invoices
from services.normalization.po_reference import po_reference_rows
from services.normalization.records import parse_records
from services.normalization.report import QualityReport, excluded_records
from services.runtime.aws.jsonlines import json_lines
from tests.unit.test_normalization_factories import (
    RowsInMemory,
    customer,
    hts,
    product,
    reference_rows,
    rule,
)

SEED = 20261122
INVOICE_LINES = 10_000
CUSTOMERS = 5_000
MATERIALS = 500
WORDS = (
    "acme", "pacific", "coast", "harbor", "home", "rocky", "mountain", "lone", "star", "sleep",
    "bedding", "furniture", "gallery", "northwoods", "casual", "living", "bayou", "bath", "great",
    "lakes", "hospitality", "supply", "maison", "confort", "desert", "sun", "patio", "oak", "pine",
    "river", "valley", "royal", "premier", "comfort", "dream", "rest", "urban", "modern",
    "classic", "design", "interiors", "outlet", "barn", "centers", "trading", "imports", "direct",
    "goods", "mattress", "depot",
)  # fmt: skip
SUFFIXES = ("Inc.", "LLC", "Co.", "Ltd.", "Corporation", "Corp", "GmbH", "")
HTS_CODES = ("9401614011", "9401790011", "9403200080", "9404210010", "9404909505")


def seeded_customers(rng: random.Random) -> list[CustomerRow]:
    customers = []
    for index in range(CUSTOMERS):
        words = [rng.choice(WORDS).title() for _ in range(rng.randint(2, 4))]
        name = f"{' '.join(words)} {index:04d} {rng.choice(SUFFIXES)}".strip()
        aliases = [f"{''.join(w[0] for w in words)} {index:04d}"] if rng.random() < 0.5 else []
        customers.append(customer(f"{100_000 + index:010d}", name, *aliases))
    return customers


def ship_to_name(rng: random.Random, customers: list[CustomerRow]) -> str:
    """How sales type a customer: mostly as written or in capitals, some typos and aliases."""
    chosen = rng.choice(customers)
    kind = rng.random()
    if kind < 0.55:
        return chosen.name
    if kind < 0.70:
        return chosen.name.upper().replace(".", "").replace(",", "")
    if kind < 0.80 and chosen.aliases:
        return chosen.aliases[0]
    if kind < 0.95:
        at = rng.randrange(len(chosen.name))
        return chosen.name[:at] + chosen.name[at + 1 :]  # one letter dropped
    return f"Unknown Buyer {rng.randint(1, 10_000)}"


def seeded_records(rng: random.Random, customers: list[CustomerRow]) -> bytes:
    """The accepted ZEMM004 records as ingestion stores them (JSON lines with record_index)."""
    first_day = date(2025, 9, 1)
    lines = []
    for index in range(INVOICE_LINES):
        invoice = index // 8
        foreign = rng.random() < 0.2
        material = f"{rng.randrange(MATERIALS + 5):018d}"  # a few materials are not in master
        record = {
            "record_index": index,
            "invoice_number": f"INV-{invoice:06d}",
            "invoice_date": "2025-08-22",
            "po_number": f"45{invoice:08d}",
            "line_number": 10 * (index % 8 + 1),
            "material": material,
            "quantity": str(rng.randint(1, 2_000)),
            "unit": "EA",
            "unit_price": f"{rng.randint(100, 200_000) / 100:.2f}",
            "currency": "CNY" if foreign else "USD",
            "exchange_rate_to_usd": "0.1398" if foreign else None,
            "incoterms": "FOB",
            "ship_to_name": ship_to_name(rng, customers),
            "supplier_name": "Shanghai Furniture Works Co., Ltd.",
            "manufacturer_id": None,
            "port_of_entry": "2704",
            "transport_mode": "OCEAN",
            "entry_date": (first_day + timedelta(days=invoice % 300)).isoformat(),
        }
        lines.append(json.dumps(record))
    return ("\n".join(lines) + "\n").encode()


def seeded_reference(rng: random.Random, customers: list[CustomerRow]) -> RowsInMemory:
    products: list[ProductMasterRow] = [
        product(
            f"{index:018d}",
            hts_code=rng.choice(HTS_CODES),
            net_weight_kg=Decimal(rng.randint(500, 90_000)) / 1000,
            steel_kg=Decimal(0),
        )
        for index in range(MATERIALS)
    ]
    return reference_rows(
        products=products,
        hts_codes=[hts(code) for code in HTS_CODES],
        rules=[
            rule("R301-94", hts_prefix="94"),
            rule("RREC", program="IEEPA-RECIPROCAL", hts_prefix="*", country_of_origin="*"),
        ],
        customers=tuple(customers),
    )


def normalize_batch(body: bytes, source: RowsInMemory) -> dict[str, Any]:
    """Every pure step of one ZEMM004 run, timed stage by stage."""
    stages: dict[str, float] = {}

    def stage(name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        stages[name] = time.perf_counter() - started
        return result

    records = stage("parse records", lambda: parse_records(body, Zemm004Record))
    reference = ReferenceBatch(source)
    matcher = stage("build matcher", lambda: CustomerMatcher(reference.customers))
    run = stage(
        "match, value, check",
        lambda: normalize_invoices(records, "ZEMM004-BENCH", reference, matcher),
    )
    stage("json lines", lambda: json_lines(run.lines))
    stage("parquet partitions", lambda: parquet_partitions(run.lines))
    stage("po reference rows", lambda: po_reference_rows(records, run.excluded, "ZEMM004-BENCH"))
    report = QualityReport(
        feed="ZEMM004",
        extract_id="ZEMM004-BENCH",
        records_uri="s3://ior-processed/extracts/ZEMM004/bench.jsonl",
        generated_at=datetime.now(UTC),
        findings=run.findings,
        excluded_records=excluded_records(run.excluded),
    )
    stage("quality report", report.to_json)
    return {"stages": stages, "run": run, "report": report}


def main() -> None:
    rng = random.Random(SEED)
    customers = seeded_customers(rng)
    body = seeded_records(rng, customers)
    source = seeded_reference(rng, customers)
    normalize_batch(body, source)  # warm-up: imports, pycountry's table, rapidfuzz's first call

    started = time.perf_counter()
    outcome = normalize_batch(body, source)
    seconds = time.perf_counter() - started
    run, report = outcome["run"], outcome["report"]
    distinct = len({json.loads(line)["ship_to_name"] for line in body.splitlines()})
    print(
        f"batch: {INVOICE_LINES:,} invoice lines ({distinct:,} distinct ship-to names), "
        f"{CUSTOMERS:,} customers, {MATERIALS:,} materials"
    )
    print(
        f"  -> {len(run.lines):,} normalized, {len(run.excluded):,} held back; "
        f"{report.error_count:,} errors, {report.warning_count:,} warnings"
    )
    for name, stage_seconds in outcome["stages"].items():
        print(f"  {name:22} {stage_seconds:7.3f} s")
    print(f"normalization: {seconds:.3f} s, {INVOICE_LINES / seconds:,.0f} lines/s (goal < 3 s)")
    tracemalloc.start()
    normalize_batch(body, source)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory: {peak / 2**20:.1f} MiB allocated during one batch (tracemalloc)")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"             {peak_rss:.0f} MiB peak RSS of the whole process")


if __name__ == "__main__":
    main()
