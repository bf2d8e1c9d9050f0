"""Small factories for customs-generation tests: reference rows and invoice lines.

`typical_rules()` is modelled on DOMAIN.md §3 "typical rule data"; the rates are illustrative and
only the tests know them (the code must not care).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from contracts.datasets import (
    HtsCodeRow,
    MaterialRow,
    NormalizedInvoiceLine,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
    WeightRecordRow,
)
from services.customs_generation.reference import ReferenceSnapshot

LB_IN_KG = Decimal("0.45359237")
SOFA_HTS = "9401610000"
PILLOW_HTS = "9404900000"
D = Decimal


def kg(weight: str, unit: str = "KG") -> Decimal:
    """A ZFMIOR002 weight in kg, converted as normalization does (DOMAIN.md §2)."""
    factor = {"KG": Decimal(1), "LB": LB_IN_KG, "G": Decimal("0.001")}[unit]
    return Decimal(weight) * factor


def product(
    material: str = "SOFA-1",
    *,
    net_kg: Decimal | str | None = "40",
    steel_kg: Decimal | str = "0",
    aluminum_kg: Decimal | str = "0",
    hts_code: str = SOFA_HTS,
    country: str = "CN",
    category: str = "SOFA",
    melt_pour: str | None = "CN",
    smelt: str | None = "CN",
    cast: str | None = "CN",
    manufacturer_id: str | None = "CNSOFMAN123GUA",
    description: str = "3-seat sofa, steel frame",
) -> ProductMasterRow:
    net = None if net_kg is None else Decimal(net_kg)
    steel, aluminum = Decimal(steel_kg), Decimal(aluminum_kg)
    return ProductMasterRow(
        material=material,
        description=description,
        material_type="FERT",
        product_category=category,
        hts_code=hts_code,
        country_of_origin=country,
        base_unit="EA",
        manufacturer_id=manufacturer_id,
        net_weight_kg=net,
        steel_kg=steel,
        aluminum_kg=aluminum,
        steel_melt_pour_country=melt_pour if steel else None,
        aluminum_smelt_country=smelt if aluminum else None,
        aluminum_cast_country=cast if aluminum else None,
    )


def hts(
    code: str = SOFA_HTS,
    rate: str = "0",
    valid_from: date = date(2020, 1, 1),
    valid_to: date | None = None,
) -> HtsCodeRow:
    return HtsCodeRow(
        hts_code=code,
        description=f"HTS {code}",
        general_rate_pct=Decimal(rate),
        unit_of_quantity="NO",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def rule(
    rule_id: str,
    program: str,
    code: str | None,
    rate: str,
    *,
    component: str = "ALL",
    category: str = "*",
    hts_prefix: str = "*",
    country: str = "*",
    min_share: str | None = None,
    requires: str | None = None,
    excluded_by: str | None = None,
    min_usd: str | None = None,
    max_usd: str | None = None,
    sequence: int = 10,
    valid_from: date = date(2020, 1, 1),
    valid_to: date | None = None,
) -> TariffRuleRow:
    return TariffRuleRow(
        rule_id=rule_id,
        program=program,
        chapter99_code=code,
        product_category=category,
        hts_prefix=hts_prefix,
        country_of_origin=country,
        component=component,
        rate_pct=Decimal(rate),
        min_metal_share_pct=None if min_share is None else Decimal(min_share),
        requires_program=requires,
        excluded_by_program=excluded_by,
        min_usd=None if min_usd is None else Decimal(min_usd),
        max_usd=None if max_usd is None else Decimal(max_usd),
        sequence=sequence,
        valid_from=valid_from,
        valid_to=valid_to,
    )


METAL_CONTENT_UNTIL = date(2026, 4, 5)
FULL_VALUE_FROM = date(2026, 4, 6)
IEEPA_UNTIL = date(2026, 2, 23)
S122_FROM, S122_UNTIL = date(2026, 2, 24), date(2026, 7, 24)


def typical_rules() -> list[TariffRuleRow]:
    """DOMAIN.md §3 typical rule data, with illustrative rates:

    301 List 3 25 % on 94xx from CN (List 4A 7.5 % for pillows 9404); 232 50 % on the STEEL and
    ALUMINUM components until 2026-04-05, then 25 % on the FULL line above 15 % metal share;
    IEEPA reciprocal 10 % (excluded by 232, 0 % code requiring 232) and fentanyl 20 % on CN until
    2026-02-23; Section 122 10 % from 2026-02-24 to 2026-07-24 (excluded by 232, 0 % code
    requiring 232); MPF 0.3464 % with fiscal-year min/max; HMF 0.125 %.
    """
    return [
        rule("301-L3", "301", "9903.88.03", "25", hts_prefix="94", country="CN", sequence=10),
        rule("301-L4A", "301", "9903.88.15", "7.5", hts_prefix="9404", country="CN", sequence=10),
        rule(
            "232-STEEL",
            "232",
            "9903.81.91",
            "50",
            component="STEEL",
            sequence=20,
            valid_to=METAL_CONTENT_UNTIL,
        ),
        rule(
            "232-ALU",
            "232",
            "9903.85.08",
            "50",
            component="ALUMINUM",
            sequence=20,
            valid_to=METAL_CONTENT_UNTIL,
        ),
        rule(
            "232-DERIV",
            "232",
            "9903.81.98",
            "25",
            component="FULL",
            min_share="15",
            sequence=20,
            valid_from=FULL_VALUE_FROM,
        ),
        rule(
            "IEEPA-FENT",
            "IEEPA-FENTANYL",
            "9903.01.24",
            "20",
            country="CN",
            sequence=30,
            valid_to=IEEPA_UNTIL,
        ),
        rule(
            "IEEPA-RECIP",
            "IEEPA-RECIPROCAL",
            "9903.01.25",
            "10",
            excluded_by="232",
            sequence=40,
            valid_to=IEEPA_UNTIL,
        ),
        rule(
            "IEEPA-RECIP-232",
            "IEEPA-RECIPROCAL",
            "9903.01.33",
            "0",
            requires="232",
            sequence=40,
            valid_to=IEEPA_UNTIL,
        ),
        rule(
            "S122",
            "S122",
            "9903.03.01",
            "10",
            excluded_by="232",
            sequence=50,
            valid_from=S122_FROM,
            valid_to=S122_UNTIL,
        ),
        rule(
            "S122-232",
            "S122",
            "9903.03.06",
            "0",
            requires="232",
            sequence=50,
            valid_from=S122_FROM,
            valid_to=S122_UNTIL,
        ),
        *fee_rules(),
    ]


def fee_rules() -> list[TariffRuleRow]:
    """MPF per fiscal year (October to September) and HMF."""
    return [
        rule(
            "MPF-FY25",
            "MPF",
            None,
            "0.3464",
            min_usd="32.71",
            max_usd="634.62",
            sequence=90,
            valid_from=date(2024, 10, 1),
            valid_to=date(2025, 9, 30),
        ),
        rule(
            "MPF-FY26",
            "MPF",
            None,
            "0.3464",
            min_usd="33.58",
            max_usd="651.50",
            sequence=90,
            valid_from=date(2025, 10, 1),
            valid_to=date(2026, 9, 30),
        ),
        rule("HMF", "HMF", None, "0.125", sequence=91),
    ]


def packaging(material: str = "CARTON-1") -> PackagingRow:
    return PackagingRow(
        material=material, description="Export carton", packaging_type="BOX", is_packaging=True
    )


def split_product(product: ProductMasterRow) -> tuple[MaterialRow, WeightRecordRow | None]:
    """A product as the two snapshots hold it: its ZEMM005 row and its one weight record
    (valid since `weight_valid_from`, or always), or none when it has no net weight."""
    material = MaterialRow.model_validate(product.model_dump())
    if product.net_weight_kg is None:
        return material, None
    weight = WeightRecordRow(
        material=product.material,
        plant=product.weight_plant or "1000",
        valid_from=product.weight_valid_from or date(2000, 1, 1),
        net_weight_kg=product.net_weight_kg,
        gross_weight_kg=product.gross_weight_kg or product.net_weight_kg,
        steel_kg=product.steel_kg,
        aluminum_kg=product.aluminum_kg,
        steel_melt_pour_country=product.steel_melt_pour_country,
        aluminum_smelt_country=product.aluminum_smelt_country,
        aluminum_cast_country=product.aluminum_cast_country,
        record_index=0,
    )
    return material, weight


def product_snapshots(
    products: list[ProductMasterRow],
) -> tuple[list[MaterialRow], list[WeightRecordRow]]:
    """`materials` and `weights` of `ReferenceSnapshot.build` for these products."""
    split = [split_product(product) for product in products]
    return [material for material, _ in split], [w for _, w in split if w is not None]


def snapshot(
    products: list[ProductMasterRow],
    rules: list[TariffRuleRow] | None = None,
    hts_rows: list[HtsCodeRow] | None = None,
    packaging_rows: list[PackagingRow] | None = None,
) -> ReferenceSnapshot:
    materials, weights = product_snapshots(products)
    return ReferenceSnapshot.build(
        materials=materials,
        weights=weights,
        hts_codes=hts_rows if hts_rows is not None else [hts(SOFA_HTS), hts(PILLOW_HTS, "6")],
        tariff_rules=typical_rules() if rules is None else rules,
        packaging=packaging_rows or [],
    )


def invoice_line(
    material: str = "SOFA-1",
    *,
    quantity: str = "1",
    unit_price: str = "1000",
    currency: str = "USD",
    fx: str = "1",
    invoice_number: str = "INV-1",
    line_number: int = 10,
    entry_date: date = date(2025, 6, 2),
    transport_mode: str = "OCEAN",
    customer_id: str | None = "C-100",
    manufacturer_id: str | None = None,
) -> NormalizedInvoiceLine:
    value = (Decimal(quantity) * Decimal(unit_price) * Decimal(fx)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return NormalizedInvoiceLine(
        extract_id="ZEMM004-20250602-0001",
        record_index=line_number,
        invoice_number=invoice_number,
        invoice_date=entry_date,
        po_number="PO-77",
        line_number=line_number,
        material=material,
        quantity=Decimal(quantity),
        unit="EA",
        unit_price=Decimal(unit_price),
        currency=currency,
        exchange_rate_to_usd=Decimal(fx),
        value_usd=value,
        incoterms="FOB",
        ship_to_name="Acme Furniture Inc",
        supplier_name="Foshan Sofa Co",
        manufacturer_id=manufacturer_id,
        port_of_entry="2704",
        transport_mode=transport_mode,
        entry_date=entry_date,
        customer_id=customer_id,
        customer_match_score=None if customer_id is None else Decimal("97.5"),
    )
