"""Small factories for the normalization tests (this module holds no tests itself).

Records are built through their feed models, as ingestion would accept them; a test that needs a
record the feed contract would reject (to show the quality checks catch it too) takes a valid one
and changes it with `model_copy(update=...)`, which does not validate.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contracts.datasets import (
    CustomerRow,
    HtsCodeRow,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
)
from contracts.feeds import Zemm004Record, Zemm005Record, Zfmior002Record
from contracts.reference_batch import FeedSync, ReferenceBatch
from contracts.topology import (
    SNAPSHOT_TABLES,
    TABLE_CUSTOMERS,
    TABLE_HTS_CODES,
    TABLE_MATERIAL_WEIGHTS,
    TABLE_PACKAGING,
    TABLE_PRODUCT_MASTER,
    TABLE_TARIFF_RULES,
)
from services.normalization.records import Indexed
from tests.unit.customs_factories import product_snapshots

BASE = "000000000010004711"
D = Decimal


# M1 of the sample batch: what ZEMM005 says of it, which its master row repeats.
MATERIAL_FIELDS = {
    "description": "adjustable base Queen, steel",
    "material_type": "FERT",
    "product_category": "ADJUSTABLE_BASE",
    "hts_code": "9403200080",
    "country_of_origin": "CN",
    "base_unit": "EA",
    "manufacturer_id": "CNSHAFUR123SHA",
}


def material(material: str = BASE, **overrides: Any) -> Zemm005Record:
    return Zemm005Record.model_validate({"material": material, **MATERIAL_FIELDS, **overrides})


def weight(material: str = BASE, **overrides: Any) -> Zfmior002Record:
    return Zfmior002Record.model_validate(
        {
            "material": material,
            "plant": "US10",
            "weight_unit": "KG",
            "net_weight": "52.0",
            "gross_weight": "61.5",
            "steel_weight": "36.4",
            "aluminum_weight": "0",
            "steel_melt_pour_country": "CN",
            "valid_from": "2025-06-01",
            **overrides,
        }
    )


def invoice(**overrides: Any) -> Zemm004Record:
    return Zemm004Record.model_validate(
        {
            "invoice_number": "SFW-2508-0147",
            "invoice_date": "2025-08-22",
            "po_number": "4500018231",
            "line_number": 10,
            "material": BASE,
            "quantity": "120",
            "unit": "EA",
            "unit_price": "185.00",
            "currency": "USD",
            "incoterms": "FOB",
            "ship_to_name": "Sleep Number Corporation",
            "supplier_name": "Shanghai Furniture Works Co., Ltd.",
            "port_of_entry": "2704",
            "transport_mode": "OCEAN",
            "entry_date": "2025-09-18",
            **overrides,
        }
    )


def product(material: str = BASE, **overrides: Any) -> ProductMasterRow:
    fields = {
        "material": material,
        **MATERIAL_FIELDS,
        "net_weight_kg": D("52.0"),
        "steel_kg": D("36.4"),
        "steel_melt_pour_country": "CN",
        **overrides,
    }
    return ProductMasterRow.model_validate(fields)


def hts(
    code: str = "9403200080",
    valid_from: str = "2022-01-01",
    valid_to: str | None = None,
    rate: str = "0",
) -> HtsCodeRow:
    return HtsCodeRow(
        hts_code=code,
        description="Other metal furniture",
        general_rate_pct=D(rate),
        unit_of_quantity="NO",
        valid_from=date.fromisoformat(valid_from),
        valid_to=None if valid_to is None else date.fromisoformat(valid_to),
    )


def rule(rule_id: str = "R301-9403", **overrides: Any) -> TariffRuleRow:
    fields = {
        "rule_id": rule_id,
        "program": "301",
        "chapter99_code": "9903.88.03",
        "product_category": "*",
        "hts_prefix": "9403",
        "country_of_origin": "CN",
        "component": "ALL",
        "rate_pct": D(25),
        "sequence": 10,
        "valid_from": date(2018, 9, 24),
        **overrides,
    }
    return TariffRuleRow.model_validate(fields)


def customer(
    customer_id: str, name: str, *aliases: str, active: bool = True, country: str = "US"
) -> CustomerRow:
    return CustomerRow(
        customer_id=customer_id,
        name=name,
        aliases=aliases,
        country=country,
        city="Anywhere",
        active=active,
    )


SAMPLE_CUSTOMERS = (
    customer("0000100001", "Sleep Number Corporation", "SleepNumber", "Sleep Number Corp"),
    customer("0000100002", "Acme Furniture, Inc.", "Acme Furn."),
    customer("0000100003", "Harbor Home Outfitters LLC", "Harbor Home"),
    customer("0000100004", "Rocky Mountain Bedding Co.", "RM Bedding"),
    customer("0000100010", "Bedding Barn Outlet LLC", active=False),
)


class RowsInMemory:
    """A `SnapshotSource` over rows held in memory: one snapshot per table, `S-{feed}`; counts
    the reads of each table."""

    def __init__(self, tables: dict[str, list[Any]]) -> None:
        self.tables = tables
        self.scans: Counter[str] = Counter()

    def last_sync(self, feed: str) -> FeedSync | None:
        table = SNAPSHOT_TABLES[feed]
        if table not in self.tables:
            return None
        return FeedSync(
            feed=feed,
            table=table,
            extract_id=f"S-{feed}",
            extracted_at=datetime(2026, 11, 22, 2, tzinfo=UTC),
            synced_at=datetime(2026, 11, 22, 3, tzinfo=UTC),
            row_count=len(self.tables[table]),
            records_uri=f"s3://ior-processed/extracts/{feed}.jsonl",
            records_sha256="0" * 64,
        )

    def snapshot_rows(self, table: str, snapshot: str, model: Any) -> list[Any]:
        self.scans[table] += 1
        return list(self.tables.get(table, []))


def reference_rows(
    products: list[ProductMasterRow] | None = None,
    hts_codes: list[HtsCodeRow] | None = None,
    rules: list[TariffRuleRow] | None = None,
    customers: tuple[CustomerRow, ...] = SAMPLE_CUSTOMERS,
    packaging: list[PackagingRow] | None = None,
) -> RowsInMemory:
    """Reference tables in which the default invoice line is clean."""
    materials, weights = product_snapshots([product()] if products is None else products)
    return RowsInMemory(
        {
            TABLE_PRODUCT_MASTER: materials,
            TABLE_MATERIAL_WEIGHTS: weights,
            TABLE_HTS_CODES: [hts()] if hts_codes is None else hts_codes,
            TABLE_TARIFF_RULES: [rule()] if rules is None else rules,
            TABLE_CUSTOMERS: list(customers),
            TABLE_PACKAGING: packaging or [],
        }
    )


def reference(**tables: Any) -> ReferenceBatch:
    return ReferenceBatch(reference_rows(**tables))


def indexed(*records: Any) -> list[Indexed[Any]]:
    return [Indexed(index, record) for index, record in enumerate(records)]
