"""The daily ZEMM004 invoice lines of the synthetic batch.

About one invoice per 20 lines (5 to 35 lines each), from suppliers whose country matches the
goods' origin; ~2.5 % packaging lines, ~0.2 % materials not in the master (quality errors). Most
entries fall in the two months before the extract; three in ten are late postings on a dozen
days of the 18 months before, so the batch crosses every tariff regime of DOMAIN.md §3. Each
invoice has one ship-to name, typed as sales type it: exact, in capitals without punctuation, an
alias, with a typo, or unknown.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.synthetic.catalogue import (
    FX_TO_USD,
    INCOTERMS,
    PORTS,
    SUPPLIERS,
    UNKNOWN_BUYER_WORDS,
    Supplier,
)
from benchmarks.synthetic.reference import Customer, Material, ReferenceData

Record = dict[str, Any]
LINES_PER_INVOICE = (5, 35)
RECENT_DAYS = 60
LATE_POSTING_DAYS = tuple(RECENT_DAYS + 40 * step for step in range(12))  # days before the extract
CENT = Decimal("0.01")


def invoice_records(
    rng: random.Random, reference: ReferenceData, lines: int, extracted_on: date
) -> list[Record]:
    goods_by_country: dict[str, list[Material]] = {}
    for material in reference.materials:
        goods_by_country.setdefault(material.country, []).append(material)
    records: list[Record] = []
    invoice = 0
    while len(records) < lines:
        invoice += 1
        size = min(rng.randint(*LINES_PER_INVOICE), lines - len(records))
        supplier = rng.choice(SUPPLIERS)
        header = _invoice_header(rng, supplier, invoice, reference.customers, extracted_on)
        goods = goods_by_country[supplier.country]
        records += [
            _line(rng, header, supplier, 10 * (number + 1), goods, reference.packaging)
            for number in range(size)
        ]
    return records


def _invoice_header(
    rng: random.Random,
    supplier: Supplier,
    invoice: int,
    customers: Sequence[Customer],
    extracted_on: date,
) -> Record:
    recent = rng.random() < 0.7
    days_back = rng.randrange(2, RECENT_DAYS) if recent else rng.choice(LATE_POSTING_DAYS)
    entry_date = extracted_on - timedelta(days=days_back)
    mode = (
        rng.choice(("TRUCK", "TRUCK", "RAIL"))
        if supplier.country == "MX"
        else rng.choices(("OCEAN", "AIR"), weights=(85, 15))[0]
    )
    currency = supplier.currency if rng.random() < supplier.foreign_currency_odds else "USD"
    return {
        "invoice_number": f"{supplier.code}-{entry_date:%y%m}-{invoice:05d}",
        "invoice_date": (entry_date - timedelta(days=rng.randint(14, 45))).isoformat(),
        "po_number": f"45{invoice:08d}",
        "currency": currency,
        "exchange_rate_to_usd": Decimal(FX_TO_USD[currency]) if currency != "USD" else None,
        "incoterms": rng.choice(INCOTERMS),
        "ship_to_name": ship_to_name(rng, rng.choice(customers)),
        "supplier_name": supplier.name,
        "port_of_entry": rng.choice(PORTS[mode]),
        "transport_mode": mode,
        "entry_date": entry_date.isoformat(),
    }


def _line(
    rng: random.Random,
    header: Record,
    supplier: Supplier,
    line_number: int,
    goods: Sequence[Material],
    packaging: Sequence[str],
) -> Record:
    draw = rng.random()
    if draw < 0.025:
        material, quantity, usd_price = rng.choice(packaging), rng.randint(1, 400), 4.0
    elif draw < 0.027:
        material, quantity, usd_price = f"{99_000_000 + rng.randrange(999):018d}", 10, 50.0
    else:
        good = rng.choice(goods)
        material = good.number
        quantity = rng.randint(*good.kind.quantity)
        usd_price = rng.uniform(*good.kind.usd_price)
    fx = header["exchange_rate_to_usd"] or Decimal(1)
    return {
        **header,
        "line_number": line_number,
        "material": material,
        "quantity": Decimal(quantity),
        "unit": "EA",
        "unit_price": (Decimal(str(usd_price)) / fx).quantize(CENT),
        "manufacturer_id": f"{supplier.country}OVR{rng.randint(100, 999)}MID"
        if rng.random() < 0.03
        else None,
    }


def ship_to_name(rng: random.Random, customer: Customer) -> str:
    """The customer's name as sales typed it on the invoice."""
    kind = rng.random()
    if kind < 0.55:
        return customer.name
    if kind < 0.65:
        return customer.name.upper().replace(".", "").replace(",", "")
    if kind < 0.75 and customer.aliases:
        return rng.choice(customer.aliases)
    if kind < 0.95:
        return _typo(rng, customer.name)
    return " ".join(rng.sample(UNKNOWN_BUYER_WORDS, 2)) + f" Holdings {rng.randint(1, 99)}"


def _typo(rng: random.Random, name: str) -> str:
    """One or two slips: a letter dropped, doubled, swapped with the next or mistyped."""
    for _ in range(rng.choice((1, 1, 2))):
        at = rng.randrange(len(name) - 1)
        slip = rng.randrange(4)
        if slip == 0:
            name = name[:at] + name[at + 1 :]
        elif slip == 1:
            name = name[:at] + name[at] + name[at:]
        elif slip == 2:
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        else:
            name = name[:at] + rng.choice(string.ascii_lowercase) + name[at + 1 :]
    return name
