"""The customs-lines Parquet file has the dataset's declared schema whatever its batch holds: a
small batch whose optional columns are all None and a large, varied batch give the same schema
(inferred from the values, they differed in the types of their optional and decimal columns)."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contracts.arrow_schemas import CUSTOMS_LINES_V1, DECIMAL, arrow_type
from contracts.datasets import CustomsLineV1, DutyLayer, NormalizedInvoiceLine
from services.customs_generation.calculation import calculate
from services.customs_generation.lines_parquet import customs_lines_parquet
from tests.unit.customs_factories import PILLOW_HTS, hts, invoice_line, product, snapshot

CALC_ID = "CALC-20260101-120000-AB12"
PRODUCTS = [
    product("SOFA-STEEL", net_kg="40", steel_kg="10"),
    product("SOFA-STEEL-ALU", net_kg="40", steel_kg="10", aluminum_kg="6", melt_pour=None),
    product("PILLOW", net_kg="1.2", hts_code=PILLOW_HTS, category="PILLOW", manufacturer_id=None),
]
REFERENCE = snapshot(PRODUCTS, hts_rows=[hts(), hts(PILLOW_HTS, "6")])
ENTRY_DATES = [date(2025, 6, 2), date(2026, 3, 2), date(2026, 8, 3)]


def lines_of(invoice_lines: list[NormalizedInvoiceLine]) -> tuple[CustomsLineV1, ...]:
    return calculate(invoice_lines, REFERENCE, CALC_ID).component_lines


def small_batch() -> tuple[CustomsLineV1, ...]:
    """One pillow line of an unmatched customer: every optional column is None."""
    lines = lines_of([invoice_line("PILLOW", customer_id=None)])
    assert lines and all(line.customer_id is None and line.smelt_country is None for line in lines)
    return lines


def large_batch(invoice_lines: int = 1_000) -> tuple[CustomsLineV1, ...]:
    materials = itertools.cycle(product.material for product in PRODUCTS)
    scores = itertools.cycle([Decimal("0.93"), Decimal("0.912345678"), None])
    batch = [
        invoice_line(
            next(materials),
            quantity=str(1 + number % 7),
            unit_price=f"{100 + number}.{number % 100:02d}",
            invoice_number=f"INV-{number // 10}",
            line_number=10 * (number % 10 + 1),
            entry_date=ENTRY_DATES[number % len(ENTRY_DATES)],
            manufacturer_id=f"MID{number}",
        ).model_copy(update={"customer_match_score": next(scores)})
        for number in range(invoice_lines)
    ]
    return lines_of(batch)


def written_schema(lines: tuple[CustomsLineV1, ...]) -> pa.Schema:
    return pq.read_schema(io.BytesIO(customs_lines_parquet(lines)))


def test_small_and_large_batches_are_written_in_the_one_declared_schema():
    small, large = written_schema(small_batch()), written_schema(large_batch())
    assert small.equals(CUSTOMS_LINES_V1)
    assert large.equals(CUSTOMS_LINES_V1)


def test_declared_schema_types_optional_and_nested_fields_as_the_model_does():
    schema = CUSTOMS_LINES_V1
    assert schema.names == list(CustomsLineV1.model_fields)
    assert schema.field("smelt_country").type == pa.string()
    assert schema.field("smelt_country").nullable
    assert schema.field("customer_match_score").type == DECIMAL == pa.decimal128(38, 18)
    assert schema.field("chapter99_codes").type == pa.list_(pa.string())
    assert schema.field("duty_layers").type == pa.list_(
        pa.struct(
            [
                pa.field(name, arrow_type(field.annotation))
                for name, field in DutyLayer.model_fields.items()
            ]
        )
    )
    assert schema.field("entry_date").type == pa.date32()


def test_every_value_reads_back_exactly():
    lines = large_batch(300)
    table = pq.read_table(io.BytesIO(customs_lines_parquet(lines)))
    assert [CustomsLineV1.model_validate(row) for row in table.to_pylist()] == list(lines)


def test_a_field_type_without_an_arrow_mapping_is_named():
    with pytest.raises(TypeError, match="dict"):
        arrow_type(dict[str, Decimal])
