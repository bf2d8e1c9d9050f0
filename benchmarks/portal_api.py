"""The portal API's main queries through the ASGI app over a large read model: p50/p95/p99
latency and requests per second.

Run from the repository root:
`.venv/bin/python -m benchmarks.portal_api [--lines 100000] [--calcs 5000] [--requests 200]
[--endpoint URL]`. Without `--endpoint` it runs on the embedded emulator (moto, whose Query
reads the whole table: figures there say little about DynamoDB); with
`--endpoint http://localhost:4566` (and `AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000`) on
LocalStack with DynamoDB Local. Goal (issue 18): p95 < 50 ms for a page of customs lines by date.

The read model is loaded the way the consumer builds it (the projection of one
`customs-lines.generated` per calculation, applied by the store); requests go through the
FastAPI app in-process (httpx), signed in with a bearer token of an in-process issuer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from contracts.datasets import CustomsLineV1
from contracts.envelope import new_envelope
from contracts.events import CustomsLinesGeneratedV1, CustomsTotalsV1, ObjectRef
from services.portal import projection
from services.portal.store import ReadModelStore
from services.runtime.aws.parallel import side_by_side
from services.runtime.context import RuntimeContext
from services.runtime.operations import provision
from services.runtime.operations.emulator import embedded_emulator
from services.runtime.settings import Settings
from tests.oidc_issuer import InTestIssuer
from tests.portal_app import bearer, portal_client

SEED = 20261122
FIRST_ENTRY_DATE = date(2026, 10, 1)
ENTRY_DAYS = 60
COMPONENTS = ("NON_METAL", "STEEL", "ALUMINUM", "FULL")
SHA = "0" * 64


def calc_id(number: int) -> str:
    return f"CALC-20261122-{number // 60:04d}{number % 60:02d}-B{number % 1000:03d}"


def calculation_changes(number: int, lines_per_calc: int, rng: random.Random):  # type: ignore[no-untyped-def]
    calc = calc_id(number)
    invoice = f"INV-{number:06d}"
    entry = FIRST_ENTRY_DATE + timedelta(days=number % ENTRY_DAYS)
    zero = Decimal(0)
    lines = [
        CustomsLineV1(
            calc_id=calc,
            invoice_number=invoice,
            po_number=f"PO-{number // 2:06d}",
            line_number=10 * (index // len(COMPONENTS) + 1),
            component=COMPONENTS[index % len(COMPONENTS)],
            material=f"M{rng.randrange(500):05d}",
            description="chair",
            hts_code=f"9401.{rng.randrange(10, 99)}.0011",
            country_of_origin="VN",
            manufacturer_id=None,
            melt_pour_country=None,
            smelt_country=None,
            cast_country=None,
            quantity=Decimal(1),
            unit="EA",
            net_weight_kg=Decimal("12.500"),
            entered_value_usd=Decimal("100.00"),
            chapter99_codes=(),
            duty_layers=(),
            duty_usd=zero,
            mpf_usd=zero,
            hmf_usd=zero,
            customer_id=None,
            customer_match_score=None,
            entry_date=entry,
            port_of_entry="1001",
        )
        for index in range(lines_per_calc)
    ]
    ref = ObjectRef(
        uri=f"s3://ior-processed/customs-lines/{calc}/lines.jsonl", sha256=SHA, row_count=len(lines)
    )
    data = CustomsLinesGeneratedV1(
        calc_id=calc, lines=ref, workbook=ref, calculation=ref, invoice_numbers=(invoice,),
        po_numbers=(lines[0].po_number,), line_count=len(lines), exception_count=0,
        packaging_count=0,
        totals=CustomsTotalsV1(entered_value_usd=100, duty_usd=0, mpf_usd=0, hmf_usd=0),
    )  # fmt: skip
    envelope = new_envelope(
        data, source="ior.customs_generation", subject=calc, correlationid=calc, cause=calc,
        time=datetime(2026, 11, 22, tzinfo=UTC),
    )  # fmt: skip
    return projection.calculation(envelope, data, lines)


def load(context: RuntimeContext, lines: int, calcs: int) -> float:
    store = ReadModelStore(context.clients.dynamodb)
    rng = random.Random(SEED)
    started = time.perf_counter()
    batch = [calculation_changes(n, lines // calcs, rng) for n in range(calcs)]
    side_by_side(store.apply, batch)
    return time.perf_counter() - started


def measure(call: Callable[[int], object], requests: int) -> dict[str, float]:
    latencies = []
    started = time.perf_counter()
    for index in range(requests):
        before = time.perf_counter()
        call(index)
        latencies.append((time.perf_counter() - before) * 1000)
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "per_second": requests / elapsed}


@contextmanager
def endpoint_context(endpoint: str | None) -> Iterator[RuntimeContext]:
    if endpoint:
        context = RuntimeContext.from_settings(Settings.from_env().with_endpoint(endpoint))
        provision.apply(context.clients)
        yield context
        return
    with embedded_emulator() as embedded:
        context = RuntimeContext.from_settings(Settings.from_env().on_emulator(embedded))
        provision.apply(context.clients)
        yield context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--calcs", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--endpoint", help="LocalStack (default: the embedded emulator)")
    args = parser.parse_args()
    with endpoint_context(args.endpoint) as context:
        seconds = load(context, args.lines, args.calcs)
        size = f"{args.lines} customs lines over {args.calcs} calculations"
        print(f"read model: {size} loaded in {seconds:.1f} s")
        issuer = InTestIssuer()
        with portal_client(context, issuer) as client:
            client.headers.update(bearer(issuer, "viewer"))

            def get(path: str, **params: object) -> None:
                response = client.get(path, params=params)
                assert response.status_code == 200, response.text

            def day(i: int) -> str:
                return (FIRST_ENTRY_DATE + timedelta(days=i % ENTRY_DAYS)).isoformat()

            queries: dict[str, Callable[[int], object]] = {
                "customs lines by entry date (page of 100)": lambda i: get(
                    "/api/customs-lines", entry_from=day(i), entry_to=day(i), limit=100
                ),
                "customs lines by invoice": lambda i: get(
                    "/api/customs-lines", invoice=f"INV-{i % args.calcs:06d}"
                ),
                "customs lines by PO": lambda i: get(
                    "/api/customs-lines", po=f"PO-{(i % args.calcs) // 2:06d}"
                ),
                "calculations (page of 50)": lambda i: get("/api/calculations", limit=50),
                "one calculation": lambda i: get(f"/api/calculations/{calc_id(i % args.calcs)}"),
            }
            print(f"{'query':45} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
            for name, call in queries.items():
                figures = measure(call, args.requests)
                print(
                    f"{name:45} {figures['p50']:8.1f} {figures['p95']:8.1f} "
                    f"{figures['p99']:8.1f} {figures['per_second']:8.1f}"
                )


if __name__ == "__main__":
    main()
