"""Property: for any reference snapshots and any invoice batch that ingestion accepts,
normalization and customs generation finish (DOMAIN.md §1 "Nothing downstream may fail on a value
ingestion accepted") and account for every line: declared, packaging, held back or an exception.

Records are drawn as SAP could send them - materials without weights, weight histories, rules of
every shape, units that are not the base unit, long decimals - then kept only if their feed model
accepts them, exactly as ingestion does. Magnitudes stay within what a furniture importer ships
(bounds per field are the hardening issue's).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.feeds import FEEDS
from contracts.reference_batch import ReferenceBatch, SnapshotsInMemory
from services.customs_generation.calculation import calculate
from services.customs_generation.reference import ReferenceSnapshot
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.dataset_files import parquet_partitions
from services.normalization.invoices import normalize_invoices
from services.normalization.records import Indexed
from services.normalization.reference_rows import REFERENCE_FEEDS

MATERIALS = ("M1", "M2", "M3", "M4", "PACK")
HTS = ("9403200080", "9404210010", "9401790011")
DAYS = [date(2025, 1, 1) + timedelta(days=90 * n) for n in range(8)]
STAMPED = datetime(2026, 11, 22, 2, tzinfo=UTC)

# One material that is in order from the first day, so that most batches declare lines too;
# the drawn records come after it and may replace or contradict it.
CLEAN_MATERIAL = {
    "material": "M1",
    "description": "sofa",
    "material_type": "FERT",
    "product_category": "SOFA",
    "hts_code": HTS[0],
    "country_of_origin": "CN",
    "base_unit": "EA",
}
CLEAN_WEIGHT = {
    "material": "M1",
    "plant": "US10",
    "weight_unit": "KG",
    "net_weight": "40",
    "gross_weight": "45",
    "steel_weight": "12",
    "aluminum_weight": "0",
    "steel_melt_pour_country": "CN",
    "valid_from": str(DAYS[0]),
}
CLEAN_HTS = {
    "hts_code": HTS[0], "description": "HTS", "general_rate_pct": "0", "unit_of_quantity": "NO",
    "valid_from": str(DAYS[0]),
}  # fmt: skip

days = st.sampled_from(DAYS)
countries = st.sampled_from(("CN", "VN", "MX", "CN", None))
# Up to 18 places, as ingestion accepts; text, as SAP and Excel send them.
decimals = st.decimals(min_value=0, max_value=10_000, places=18, allow_nan=False).map(str)
weights = st.decimals(min_value=0, max_value=500, places=6, allow_nan=False).map(str)


def accepted(feed: str, records: list[dict]) -> list[Indexed]:
    """What ingestion keeps of `records`: each validated alone, the invalid ones rejected."""
    kept = []
    for index, record in enumerate(records):
        try:
            kept.append(Indexed(index, FEEDS[feed].model_validate(record)))
        except ValidationError:
            continue
    return kept


material_records = st.lists(
    st.fixed_dictionaries(
        {
            "material": st.sampled_from(MATERIALS),
            "description": st.just("furniture"),
            "material_type": st.sampled_from(("FERT", "HAWA", "VERP")),
            "product_category": st.sampled_from(("SOFA", "BED")),
            "hts_code": st.sampled_from(HTS),
            "country_of_origin": st.sampled_from(("CN", "VN", "MX")),
            "base_unit": st.sampled_from(("EA", "EA", "KG")),
        }
    ),
    min_size=1,
    max_size=5,
)


@st.composite
def weight_record(draw):
    """Mostly consistent records (gross >= net >= steel + aluminum, origins given), sometimes
    not - then ingestion rejects them, as it would SAP's."""
    net = draw(st.decimals(min_value="0.001", max_value=500, places=6))
    steel = net * draw(st.sampled_from((0, 0, Decimal("0.3"), Decimal("0.7"), 1)))
    aluminum = (net - steel) * draw(st.sampled_from((0, Decimal("0.5"), 1)))
    return {
        "material": draw(st.sampled_from(MATERIALS)),
        "plant": draw(st.sampled_from(("US10", "US20"))),
        "weight_unit": draw(st.sampled_from(("KG", "LB", "G"))),
        "net_weight": str(net),
        "gross_weight": str(net + draw(st.sampled_from((0, 1, -1)))),
        "steel_weight": str(steel),
        "aluminum_weight": str(aluminum),
        "steel_melt_pour_country": draw(countries),
        "aluminum_smelt_country": draw(countries),
        "aluminum_cast_country": draw(countries),
        "valid_from": str(draw(days)),
    }


weight_records = st.lists(weight_record(), max_size=10)
hts_records = st.lists(
    st.fixed_dictionaries(
        {
            "hts_code": st.sampled_from(HTS),
            "description": st.just("HTS"),
            "general_rate_pct": decimals,
            "unit_of_quantity": st.just("NO"),
            "valid_from": st.sampled_from(DAYS[:3]).map(str),
            "valid_to": st.one_of(st.none(), st.none(), days.map(str)),
        }
    ),
    max_size=5,
)
rule_records = st.lists(
    st.fixed_dictionaries(
        {
            "rule_id": st.sampled_from(("R1", "R2", "R3", "R4", "R5", "R6")),
            "program": st.sampled_from(("301", "232", "IEEPA", "MPF", "HMF")),
            "chapter99_code": st.one_of(st.none(), st.just("9903.88.03")),
            "product_category": st.sampled_from(("*", "SOFA")),
            "hts_prefix": st.sampled_from(("*", "94", "9403", "9403200080")),
            "country_of_origin": st.sampled_from(("*", "CN")),
            "component": st.sampled_from(("NON_METAL", "STEEL", "ALUMINUM", "FULL", "ALL")),
            "rate_pct": decimals,
            "min_metal_share_pct": st.one_of(st.none(), st.sampled_from(("0", "15", "99.5"))),
            "requires_program": st.one_of(st.none(), st.just("232")),
            "excluded_by_program": st.one_of(st.none(), st.just("232")),
            "min_usd": st.one_of(st.none(), st.just("30")),
            "max_usd": st.one_of(st.none(), st.just("600")),
            "sequence": st.integers(min_value=0, max_value=99),
            "valid_from": days.map(str),
            "valid_to": st.one_of(st.none(), days.map(str)),
        }
    ),
    max_size=8,
)
invoice_records = st.lists(
    st.fixed_dictionaries(
        {
            "invoice_number": st.sampled_from(("INV-1", "INV-2")),
            "invoice_date": days.map(str),
            "po_number": st.just("PO-1"),
            "line_number": st.integers(min_value=1, max_value=50),
            "material": st.sampled_from(("M1", "M1", "M1", *MATERIALS, "UNKNOWN")),
            "quantity": st.decimals(min_value=0, max_value=5_000, places=3).map(str),
            "unit": st.sampled_from(("EA", "EA", "KG")),
            "unit_price": decimals,
            "currency": st.sampled_from(("USD", "USD", "CNY")),
            "exchange_rate_to_usd": st.one_of(
                st.none(), st.decimals(min_value=0, max_value=10, places=18).map(str)
            ),
            "incoterms": st.just("FOB"),
            "ship_to_name": st.sampled_from(("Acme Furniture", "Unknown Buyer")),
            "supplier_name": st.just("Supplier"),
            "port_of_entry": st.just("2704"),
            "transport_mode": st.sampled_from(("OCEAN", "AIR")),
            "entry_date": days.map(str),
        }
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    materials=material_records,
    weight_history=weight_records,
    hts_codes=hts_records,
    rules=rule_records,
    packaging=st.booleans(),
    invoices=invoice_records,
)
def test_every_accepted_batch_is_normalized_and_calculated_line_for_line(
    materials, weight_history, hts_codes, rules, packaging, invoices
):
    feeds = {
        "ZEMM005": accepted("ZEMM005", [CLEAN_MATERIAL, *materials]),
        "ZFMIOR002": accepted("ZFMIOR002", [CLEAN_WEIGHT, *weight_history]),
        "ZFMIOR003": accepted("ZFMIOR003", [CLEAN_HTS, *hts_codes]),
        "ZEMM007": accepted("ZEMM007", rules),
        "ZEMM006": accepted(
            "ZEMM006",
            [{"material": "PACK", "description": "carton", "packaging_type": "BOX",
              "is_packaging": packaging}],
        ),
        "ZSDR010": accepted(
            "ZSDR010",
            [{"customer_id": "C1", "name": "Acme Furniture", "country": "US", "city": "X",
              "active": True}],
        ),
    }  # fmt: skip
    rows = {feed: REFERENCE_FEEDS[feed].rows(records) for feed, records in feeds.items()}
    batch = ReferenceBatch(SnapshotsInMemory(rows, STAMPED, "PROPERTY"))
    lines = accepted("ZEMM004", invoices)

    run = normalize_invoices(lines, "ZEMM004-P", batch, CustomerMatcher(batch.customers))
    parquet_partitions(run.lines)
    snapshot = ReferenceSnapshot.build(
        materials=batch.materials.values(),
        weights=[record for history in batch.weight_history.values() for record in history],
        hts_codes=[row for rows in batch.hts_codes.values() for row in rows],
        tariff_rules=batch.tariff_rules,
        packaging=batch.packaging.values(),
    )
    result = calculate(run.lines, snapshot, "CALC-20260101-000000-PROP", run.held_back)

    declared = {(c.invoice_number, c.line_number) for c in result.component_lines}
    accounted = (
        declared
        | {(p.invoice_number, p.line_number) for p in result.packaging_lines}
        | {(e.invoice_number, e.line_number) for e in result.exceptions}
    )
    assert accounted >= {(r.invoice_number, r.line_number) for _, r in lines}
    assert all(c.entered_value_usd >= 0 and c.duty_usd >= 0 for c in result.component_lines)
    assert Decimal(0) <= result.totals.mpf_usd
