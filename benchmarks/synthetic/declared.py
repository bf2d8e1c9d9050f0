"""ZSDR002 for the synthetic batch: the customs lines ior should declare, ~1 % of them changed.

The correct lines come from the services' own pure cores, fed exactly what the pipeline would feed
them: the extracts parsed as ingestion parses them, the reference snapshots built from them, the
invoices normalized, then `calculate`. About 1 % of the lines are then changed the way SAP gets them
wrong (a stale duty rate, another HTS number, a weight or value off, a line left out, a line of
its own); another ~1 % differ within tolerance and still pass.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from benchmarks.synthetic.catalogue import HTS_NUMBERS
from contracts.datasets import CustomsLineV1
from contracts.feeds import FEEDS
from contracts.reference_batch import ReferenceBatch, SnapshotsInMemory
from services.customs_generation.calculation import calculate
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.results import CalculationResult
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.invoices import normalize_invoices
from services.normalization.records import Indexed
from services.normalization.reference_rows import REFERENCE_FEEDS

Record = dict[str, Any]
DISCREPANCY_SHARE = 0.01
WITHIN_TOLERANCE_SHARE = 0.01
CENT = Decimal("0.01")
LINE_LEFT_OUT = "line left out"
LINE_OF_ITS_OWN = "line of its own"
# How SAP's mistakes are spread over the changed lines (relative weights).
MISTAKES = {
    "stale duty rate": 40,
    "other HTS number": 20,
    "weight off": 15,
    "value off": 10,
    LINE_LEFT_OUT: 10,
    LINE_OF_ITS_OWN: 5,
}


def correct_lines(extracts: Mapping[str, bytes]) -> CalculationResult:
    """What customs generation computes from these extracts (feed -> the file's bytes)."""
    records = {feed: _parsed(feed, body) for feed, body in extracts.items()}
    extracted_at = max(
        datetime.fromisoformat(json.loads(body)["extracted_at"]).astimezone(UTC)
        for body in extracts.values()
    )
    rows = {feed: feed_rows.rows(records[feed]) for feed, feed_rows in REFERENCE_FEEDS.items()}
    batch = ReferenceBatch(SnapshotsInMemory(rows, extracted_at, "SYNTHETIC"))
    run = normalize_invoices(
        records["ZEMM004"], "ZEMM004-SYNTHETIC", batch, CustomerMatcher(batch.customers)
    )
    snapshot = ReferenceSnapshot.build(
        materials=batch.materials.values(),
        weights=[record for history in batch.weight_history.values() for record in history],
        hts_codes=[row for rows in batch.hts_codes.values() for row in rows],
        tariff_rules=batch.tariff_rules,
        packaging=batch.packaging.values(),
    )
    return calculate(run.lines, snapshot, "CALC-SYNTHETIC", run.held_back)


def _parsed(feed: str, body: bytes) -> list[Indexed[Any]]:
    """The records as ingestion accepts them (JSON decimals, validated by the feed's model)."""
    document = json.loads(body, parse_float=Decimal)
    model = FEEDS[feed]
    return [Indexed(index, model.model_validate(r)) for index, r in enumerate(document["records"])]


def declared_records(rng: random.Random, result: CalculationResult) -> list[Record]:
    """ZSDR002: one record per correct component line, ~1 % changed as SAP gets it wrong."""
    declared = [_declared(line) for line in result.component_lines]
    changed = rng.sample(range(len(declared)), round(len(declared) * DISCREPANCY_SHARE))
    dropped: set[int] = set()
    extra: list[Record] = []
    for index in changed:
        mistake = rng.choices(list(MISTAKES), weights=list(MISTAKES.values()))[0]
        if mistake == LINE_LEFT_OUT:
            dropped.add(index)
        elif mistake == LINE_OF_ITS_OWN:
            extra.append({**declared[index], "line_number": declared[index]["line_number"] + 5})
        else:
            _CHANGES[mistake](rng, declared[index])
    unchanged = sorted(set(range(len(declared))) - set(changed))
    for index in rng.sample(unchanged, round(len(declared) * WITHIN_TOLERANCE_SHARE)):
        _weight_within_tolerance(rng, declared[index])
    return [r for index, r in enumerate(declared) if index not in dropped] + extra


def _declared(line: CustomsLineV1) -> Record:
    return {
        "invoice_number": line.invoice_number,
        "line_number": line.line_number,
        "component": str(line.component),
        "material": line.material,
        "hts_code": line.hts_code,
        "country_of_origin": line.country_of_origin,
        "quantity": line.quantity,
        "net_weight_kg": line.net_weight_kg,
        "entered_value_usd": line.entered_value_usd,
        "duty_usd": line.duty_usd,
    }


def _stale_duty(rng: random.Random, record: Record) -> None:
    record["duty_usd"] = (record["duty_usd"] * Decimal(str(rng.uniform(0.85, 0.99)))).quantize(
        CENT
    ) or Decimal("1.00")


def _other_hts(rng: random.Random, record: Record) -> None:
    record["hts_code"] = rng.choice([n.code for n in HTS_NUMBERS if n.code != record["hts_code"]])


def _weight_off(rng: random.Random, record: Record) -> None:
    factor = Decimal(str(rng.choice((0.95, 0.97, 1.02, 1.04))))
    record["net_weight_kg"] = (record["net_weight_kg"] * factor).quantize(Decimal("0.001"))


def _value_off(rng: random.Random, record: Record) -> None:
    record["entered_value_usd"] += Decimal(rng.randint(1, 5000)) / 100


def _weight_within_tolerance(rng: random.Random, record: Record) -> None:
    factor = Decimal(str(rng.choice((0.997, 0.998, 1.002, 1.003))))
    record["net_weight_kg"] = (record["net_weight_kg"] * factor).quantize(Decimal("0.001"))


_CHANGES: dict[str, Callable[[random.Random, Record], None]] = {
    "stale duty rate": _stale_duty,
    "other HTS number": _other_hts,
    "weight off": _weight_off,
    "value off": _value_off,
}
