"""Golden customs lines, each expected figure worked out by hand (DOMAIN.md §3) in a comment.

Rule data is `typical_rules()` (DOMAIN.md §3 "typical rule data", illustrative rates): 301 25 %,
232 50 % on STEEL/ALUMINUM components until 2026-04-05 then 25 % on FULL above 15 % metal share,
IEEPA fentanyl 20 % and reciprocal 10 % (0 % code under 232) until 2026-02-23, S122 10 % (0 %
code under 232) 2026-02-24..2026-07-24, MPF 0.3464 % (FY25 min 32.71 max 634.62, FY26 min 33.58
max 651.50), HMF 0.125 %.
"""

import gc
from datetime import date
from decimal import Decimal

import pytest

from contracts.datasets import Component, CustomsLineV1, DutyLayer
from services.customs_generation.calculation import calculate
from services.customs_generation.results import CalculationResult, ExceptionReason
from tests.unit.customs_factories import (
    PILLOW_HTS,
    SOFA_HTS,
    D,
    fee_rules,
    hts,
    invoice_line,
    kg,
    packaging,
    product,
    snapshot,
)

CALC_ID = "CALC-20260101-120000-AB12"
LEG_HTS = "9403908041"
LAMP_HTS = "9405110000"
IN_2025 = date(2025, 6, 2)
IN_S122_WINDOW = date(2026, 3, 2)
FULL_VALUE_REGIME = date(2026, 5, 4)
AFTER_S122 = date(2026, 8, 3)

PRODUCTS = [
    product("SOFA-STEEL", net_kg="40", steel_kg="10"),
    product("SOFA-LIGHT", net_kg="40", steel_kg="4"),
    product("SOFA-AT-15", net_kg="40", steel_kg="6"),
    product("SOFA-STEEL-ALU", net_kg="40", steel_kg="10", aluminum_kg="6"),
    product(
        "LEG-ALU", net_kg="2.5", aluminum_kg="2.5", hts_code=LEG_HTS, category="FURNITURE_PART"
    ),
    product("PILLOW", net_kg="1.2", hts_code=PILLOW_HTS, category="PILLOW"),
    product("CHAIR-LB", net_kg=kg("22", "LB"), steel_kg=kg("5.5", "LB")),
    product(
        "LAMP-G",
        net_kg=kg("3400", "G"),
        aluminum_kg=kg("850", "G"),
        hts_code=LAMP_HTS,
        category="LAMP",
    ),
    product("SOFA-NO-MELT", net_kg="40", steel_kg="10", melt_pour=None),
    product("SOFA-BAD-HTS", net_kg="40", hts_code="9401999999"),
    product("HALF-HALF", net_kg="2", steel_kg="1", aluminum_kg="1"),
    product("OVERWEIGHT", net_kg="1", steel_kg="0.8", aluminum_kg="0.8"),
]
HTS_ROWS = [hts(SOFA_HTS), hts(PILLOW_HTS, "6"), hts(LEG_HTS), hts(LAMP_HTS, "3.9")]
REFERENCE = snapshot(PRODUCTS, hts_rows=HTS_ROWS, packaging_rows=[packaging("CARTON")])


def run(*lines) -> CalculationResult:
    return calculate(lines, REFERENCE, CALC_ID)


def layers(line: CustomsLineV1) -> list[tuple[str, str, str, str]]:
    return [(x.program, x.code, str(x.rate_pct), str(x.duty_usd)) for x in line.duty_layers]


def by_component(result: CalculationResult) -> dict[Component, CustomsLineV1]:
    return {line.component: line for line in result.component_lines}


def value_weight_duty(result: CalculationResult) -> dict[Component, tuple[str, str, str]]:
    """Each component's value, weight and duty as written (so the scale is checked too)."""
    return {
        line.component: (str(line.entered_value_usd), str(line.net_weight_kg), str(line.duty_usd))
        for line in result.component_lines
    }


# --- 2025 metal-content regime: split by weight share -------------------------------------------


def test_steel_only_line_is_split_into_non_metal_and_steel():
    # V = 2 x 1000.00 = 2000.00; net 40 kg, steel 10 kg; W = 2 x 40 = 80 kg
    # V_steel = round2(2000 x 10 / 40) = 500.00, V_alu = 0, V_non = 2000 - 500 - 0 = 1500.00
    # W_steel = round3(2 x 10) = 20.000, W_alu = 0 (no line), W_non = 80 - 20 = 60.000
    # NON_METAL: MFN 0 %, 301 25 % = 375.00, fentanyl 20 % = 300.00, reciprocal 10 % = 150.00
    # STEEL: MFN 0 %, 301 = 125.00, 232 50 % = 250.00, fentanyl = 100.00, 9903.01.33 0 % = 0.00
    # MPF = round2(2000 x 0.3464 %) = 6.93 < min 32.71 -> 32.71;
    #   NON round2(32.71 x 1500 / 2000) = 24.53, STEEL round2(32.71 x 500 / 2000) = 8.18
    # HMF = round2(2000 x 0.125 %) = 2.50; NON 1.875 -> 1.88, STEEL 0.625 -> 0.63,
    #   sum 2.51, remainder -0.01 to the largest line (NON) -> 1.87
    result = run(invoice_line("SOFA-STEEL", quantity="2", unit_price="1000", entry_date=IN_2025))

    non_metal, steel = result.component_lines
    assert non_metal == CustomsLineV1(
        calc_id=CALC_ID,
        invoice_number="INV-1",
        po_number="PO-77",
        line_number=10,
        component=Component.NON_METAL,
        material="SOFA-STEEL",
        description="3-seat sofa, steel frame",
        hts_code=SOFA_HTS,
        country_of_origin="CN",
        manufacturer_id="CNSOFMAN123GUA",
        melt_pour_country=None,
        smelt_country=None,
        cast_country=None,
        quantity=D("2"),
        unit="EA",
        net_weight_kg=D("60.000"),
        entered_value_usd=D("1500.00"),
        chapter99_codes=("9903.88.03", "9903.01.24", "9903.01.25"),
        duty_layers=(
            DutyLayer(program="MFN", code=SOFA_HTS, rate_pct=D("0"), duty_usd=D("0.00")),
            DutyLayer(program="301", code="9903.88.03", rate_pct=D("25"), duty_usd=D("375.00")),
            DutyLayer(
                program="IEEPA-FENTANYL", code="9903.01.24", rate_pct=D("20"), duty_usd=D("300.00")
            ),
            DutyLayer(
                program="IEEPA-RECIPROCAL",
                code="9903.01.25",
                rate_pct=D("10"),
                duty_usd=D("150.00"),
            ),
        ),
        duty_usd=D("825.00"),
        mpf_usd=D("24.53"),
        hmf_usd=D("1.87"),
        customer_id="C-100",
        customer_match_score=D("97.5"),
        entry_date=IN_2025,
        port_of_entry="2704",
    )
    assert steel.component is Component.STEEL
    assert (steel.entered_value_usd, steel.net_weight_kg) == (D("500.00"), D("20.000"))
    assert steel.melt_pour_country == "CN"
    assert (steel.smelt_country, steel.cast_country) == (None, None)
    assert layers(steel) == [
        ("MFN", SOFA_HTS, "0", "0.00"),
        ("301", "9903.88.03", "25", "125.00"),
        ("232", "9903.81.91", "50", "250.00"),
        ("IEEPA-FENTANYL", "9903.01.24", "20", "100.00"),
        ("IEEPA-RECIPROCAL", "9903.01.33", "0", "0.00"),
    ]
    assert steel.duty_usd == D("475.00")
    assert (steel.mpf_usd, steel.hmf_usd) == (D("8.18"), D("0.63"))
    assert result.totals.model_dump() == {
        "entered_value_usd": D("2000.00"),
        "duty_usd": D("1300.00"),
        "mpf_usd": D("32.71"),
        "hmf_usd": D("2.50"),
    }


def test_steel_and_aluminum_line_has_three_components():
    # V = round2(3 x 333.33) = 999.99; net 40, steel 10, aluminum 6 kg; W = 120 kg
    # V_steel = round2(999.99 x 10 / 40) = round2(249.9975) = 250.00
    # V_alu = round2(999.99 x 6 / 40) = round2(149.9985) = 150.00
    # V_non = 999.99 - 250.00 - 150.00 = 599.99
    # W_steel = 30.000, W_alu = 18.000, W_non = 120 - 30 - 18 = 72.000
    # NON: 301 round2(149.9975) = 150.00, fentanyl round2(119.998) = 120.00,
    #   reciprocal round2(59.999) = 60.00 -> 330.00
    # STEEL: 301 62.50, 232 125.00, fentanyl 50.00, 9903.01.33 0.00 -> 237.50
    # ALUMINUM: 301 37.50, 232 (9903.85.08) 75.00, fentanyl 30.00, 9903.01.33 0.00 -> 142.50
    result = run(invoice_line("SOFA-STEEL-ALU", quantity="3", unit_price="333.33"))

    assert [line.component for line in result.component_lines] == [
        Component.NON_METAL,
        Component.STEEL,
        Component.ALUMINUM,
    ]
    assert value_weight_duty(result) == {
        Component.NON_METAL: ("599.99", "72.000", "330.00"),
        Component.STEEL: ("250.00", "30.000", "237.50"),
        Component.ALUMINUM: ("150.00", "18.000", "142.50"),
    }
    aluminum = by_component(result)[Component.ALUMINUM]
    assert layers(aluminum)[2] == ("232", "9903.85.08", "50", "75.00")
    assert (aluminum.melt_pour_country, aluminum.smelt_country, aluminum.cast_country) == (
        None,
        "CN",
        "CN",
    )


def test_all_aluminum_part_has_only_an_aluminum_line():
    # V = 4 x 12.50 = 50.00; net = aluminum = 2.5 kg; W = 10 kg
    # V_alu = round2(50 x 2.5 / 2.5) = 50.00, V_non = 0.00 with W_non = 10 - 10 = 0 -> no line
    # ALUMINUM: 301 12.50, 232 25.00, fentanyl 10.00, 9903.01.33 0.00 -> 47.50
    result = run(invoice_line("LEG-ALU", quantity="4", unit_price="12.50"))

    (aluminum,) = result.component_lines
    assert aluminum.component is Component.ALUMINUM
    assert (aluminum.entered_value_usd, aluminum.net_weight_kg) == (D("50.00"), D("10.000"))
    assert aluminum.duty_usd == D("47.50")


def test_no_metal_product_is_one_non_metal_line_while_metal_rules_are_in_force():
    # 232 rules target STEEL/ALUMINUM on this date, so the line is split; with no metal weight only
    # the NON_METAL component is left. V = 10 x 8.75 = 87.50, W = 10 x 1.2 = 12.000
    # MFN 6 % = 5.25; 301: List 4A (prefix 9404) beats List 3 (prefix 94): 7.5 % = round2(6.5625)
    # = 6.56; fentanyl 20 % = 17.50; reciprocal 10 % = 8.75 -> 38.06
    result = run(invoice_line("PILLOW", quantity="10", unit_price="8.75"))

    (non_metal,) = result.component_lines
    assert non_metal.component is Component.NON_METAL
    assert (non_metal.entered_value_usd, non_metal.net_weight_kg) == (D("87.50"), D("12.000"))
    assert layers(non_metal) == [
        ("MFN", PILLOW_HTS, "6", "5.25"),
        ("301", "9903.88.15", "7.5", "6.56"),
        ("IEEPA-FENTANYL", "9903.01.24", "20", "17.50"),
        ("IEEPA-RECIPROCAL", "9903.01.25", "10", "8.75"),
    ]
    assert non_metal.duty_usd == D("38.06")
    assert non_metal.melt_pour_country is None


def test_weights_entered_in_pounds_are_split_in_kg():
    # net 22 LB = 22 x 0.45359237 = 9.97903214 kg; steel 5.5 LB = 2.494758035 kg
    # V = 7 x 120 = 840.00; V_steel = round2(840 x 2.494758035 / 9.97903214) = 210.00,
    # V_non = 840.00 - 210.00 = 630.00
    # W = 7 x 9.97903214 = 69.85322498 -> 69.853; W_steel = round3(17.463306245) = 17.463
    # W_non = 69.853 - 17.463 = 52.390
    # NON: 301 157.50, fentanyl 126.00, reciprocal 63.00 -> 346.50
    # STEEL: 301 52.50, 232 105.00, fentanyl 42.00, 9903.01.33 0.00 -> 199.50
    result = run(invoice_line("CHAIR-LB", quantity="7", unit_price="120"))

    assert value_weight_duty(result) == {
        Component.NON_METAL: ("630.00", "52.390", "346.50"),
        Component.STEEL: ("210.00", "17.463", "199.50"),
    }


def test_weights_entered_in_grams_are_split_in_kg():
    # net 3400 G = 3.4 kg, aluminum 850 G = 0.85 kg; V = round2(3 x 45.55) = 136.65
    # V_alu = round2(136.65 x 0.85 / 3.4) = round2(34.1625) = 34.16, V_non = 102.49
    # W = 10.200, W_alu = round3(2.55) = 2.550, W_non = 7.650
    # NON: MFN 3.9 % round2(3.99711) = 4.00, 301 round2(25.6225) = 25.62,
    #   fentanyl round2(20.498) = 20.50, reciprocal round2(10.249) = 10.25 -> 60.37
    # ALU: MFN round2(1.33224) = 1.33, 301 8.54, 232 17.08, fentanyl round2(6.832) = 6.83,
    #   9903.01.33 0.00 -> 33.78
    result = run(invoice_line("LAMP-G", quantity="3", unit_price="45.55"))

    assert value_weight_duty(result) == {
        Component.NON_METAL: ("102.49", "7.650", "60.37"),
        Component.ALUMINUM: ("34.16", "2.550", "33.78"),
    }
    assert layers(by_component(result)[Component.NON_METAL])[0] == ("MFN", LAMP_HTS, "3.9", "4.00")


def test_non_usd_line_is_valued_with_its_exchange_rate():
    # V = round2(5 x 199.99 EUR x 1.0834) = round2(1083.34583) = 1083.35
    # V_steel = round2(1083.35 x 10 / 40) = round2(270.8375) = 270.84, V_non = 812.51
    # NON: 301 round2(203.1275) = 203.13, fentanyl round2(162.502) = 162.50,
    #   reciprocal round2(81.251) = 81.25 -> 446.88
    # STEEL: 301 round2(67.71) = 67.71, 232 135.42, fentanyl round2(54.168) = 54.17 -> 257.30
    line = invoice_line(
        "SOFA-STEEL", quantity="5", unit_price="199.99", currency="EUR", fx="1.0834"
    )
    assert line.value_usd == D("1083.35")

    # W = 5 x 40 = 200.000: W_steel = 50.000, W_non = 150.000
    assert value_weight_duty(run(line)) == {
        Component.NON_METAL: ("812.51", "150.000", "446.88"),
        Component.STEEL: ("270.84", "50.000", "257.30"),
    }


# --- the same product under the three regimes -------------------------------------------------


def test_product_entered_in_2025_is_split_with_ieepa_layers():
    # V = 1000.00: V_steel = 250.00, V_non = 750.00
    # NON: 301 187.50 + fentanyl 150.00 + reciprocal 75.00 = 412.50
    # STEEL: 301 62.50 + 232 125.00 + fentanyl 50.00 + 9903.01.33 0.00 = 237.50
    lines = by_component(run(invoice_line("SOFA-STEEL", entry_date=IN_2025)))

    assert lines[Component.NON_METAL].duty_usd == D("412.50")
    assert lines[Component.STEEL].duty_usd == D("237.50")


def test_product_entered_in_section_122_window_before_full_value_is_split_with_s122():
    # IEEPA ended 2026-02-23; 232 still on the metal content until 2026-04-05.
    # NON (750.00): 301 187.50 + S122 10 % 75.00 = 262.50
    # STEEL (250.00): 301 62.50 + 232 125.00 + 9903.03.06 0.00 (S122 excluded by 232) = 187.50
    lines = by_component(run(invoice_line("SOFA-STEEL", entry_date=IN_S122_WINDOW)))

    assert lines[Component.NON_METAL].chapter99_codes == ("9903.88.03", "9903.03.01")
    assert lines[Component.NON_METAL].duty_usd == D("262.50")
    assert lines[Component.STEEL].chapter99_codes == ("9903.88.03", "9903.81.91", "9903.03.06")
    assert lines[Component.STEEL].duty_usd == D("187.50")


def test_product_above_15_percent_metal_after_2026_04_06_is_one_full_line_under_232():
    # m = 10 / 40 x 100 = 25 > 15: derivative 232 on the full value.
    # FULL V = 1000.00, W = 40.000: 301 250.00 + 232 25 % 250.00 + 9903.03.06 0.00 = 500.00
    (full,) = run(invoice_line("SOFA-STEEL", entry_date=FULL_VALUE_REGIME)).component_lines

    assert full.component is Component.FULL
    assert (full.entered_value_usd, full.net_weight_kg) == (D("1000.00"), D("40.000"))
    assert full.chapter99_codes == ("9903.88.03", "9903.81.98", "9903.03.06")
    assert full.duty_usd == D("500.00")
    assert full.melt_pour_country == "CN"


def test_product_below_15_percent_metal_after_2026_04_06_pays_s122_instead_of_232():
    # m = 4 / 40 x 100 = 10 <= 15: no 232, so S122 applies. 301 250.00 + S122 100.00 = 350.00
    (full,) = run(invoice_line("SOFA-LIGHT", entry_date=FULL_VALUE_REGIME)).component_lines

    assert full.component is Component.FULL
    assert full.chapter99_codes == ("9903.88.03", "9903.03.01")
    assert full.duty_usd == D("350.00")
    assert full.melt_pour_country == "CN"


def test_metal_share_exactly_at_threshold_does_not_trigger_232():
    # m = 6 / 40 x 100 = 15, and the rule needs m > 15
    (full,) = run(invoice_line("SOFA-AT-15", entry_date=FULL_VALUE_REGIME)).component_lines

    assert full.chapter99_codes == ("9903.88.03", "9903.03.01")


def test_products_sharing_category_hts_and_country_keep_their_own_metal_share():
    # One batch: SOFA-STEEL (m = 25) and SOFA-LIGHT (m = 10) match the same rules on the same day
    heavy = invoice_line("SOFA-STEEL", line_number=10, entry_date=FULL_VALUE_REGIME)
    light = invoice_line("SOFA-LIGHT", line_number=20, entry_date=FULL_VALUE_REGIME)

    result = run(heavy, light)

    assert [line.chapter99_codes for line in result.component_lines] == [
        ("9903.88.03", "9903.81.98", "9903.03.06"),
        ("9903.88.03", "9903.03.01"),
    ]


def test_expired_rule_no_longer_applies():
    # S122 ended 2026-07-24: 301 250.00 + 232 250.00 = 500.00, no S122 code
    (full,) = run(invoice_line("SOFA-STEEL", entry_date=AFTER_S122)).component_lines

    assert full.chapter99_codes == ("9903.88.03", "9903.81.98")
    assert full.duty_usd == D("500.00")


# --- HTS validity ------------------------------------------------------------------------------


def hts_boundary_reference():
    """The sofa's HTS is Free until 2025-06-30 and 4.5 % from 2025-07-01."""
    return snapshot(
        [product("SOFA", net_kg="40")],
        rules=fee_rules(),
        hts_rows=[
            hts(SOFA_HTS, "0", valid_to=date(2025, 6, 30)),
            hts(SOFA_HTS, "4.5", valid_from=date(2025, 7, 1)),
        ],
    )


@pytest.mark.parametrize(
    ("entry_date", "rate", "duty"),
    [
        (date(2025, 6, 30), "0", "0.00"),  # last day of the old row
        (date(2025, 7, 1), "4.5", "45.00"),  # first day of the new row: 1000 x 4.5 %
        (date(2025, 7, 2), "4.5", "45.00"),
    ],
)
def test_hts_rate_follows_its_validity_boundary(entry_date, rate, duty):
    reference = hts_boundary_reference()
    (full,) = calculate(
        [invoice_line("SOFA", entry_date=entry_date)], reference, CALC_ID
    ).component_lines

    assert layers(full) == [("MFN", SOFA_HTS, rate, duty)]
    assert full.chapter99_codes == ()


def test_hts_rows_on_both_sides_of_a_boundary_in_one_batch():
    reference = hts_boundary_reference()
    lines = [
        invoice_line("SOFA", invoice_number=f"INV-{day}", entry_date=date(2025, 6, day))
        for day in (29, 30)
    ] + [invoice_line("SOFA", invoice_number="INV-JUL", entry_date=date(2025, 7, 1))]

    result = calculate(lines, reference, CALC_ID)

    assert [line.duty_usd for line in result.component_lines] == [
        D("0.00"),
        D("0.00"),
        D("45.00"),
    ]


# --- entry fees ---------------------------------------------------------------------------------


def fee_reference():
    return snapshot([product("SOFA", net_kg="40")], rules=fee_rules())


@pytest.mark.parametrize(
    ("entry_date", "unit_price", "mpf"),
    [
        (date(2025, 9, 30), "2000", "32.71"),  # 6.93 raised to the FY25 minimum
        (date(2025, 10, 1), "2000", "33.58"),  # 6.93 raised to the FY26 minimum
        (date(2025, 9, 30), "50000", "173.20"),  # 50000 x 0.3464 % within the bounds
        (date(2025, 9, 30), "250000", "634.62"),  # 866.00 cut to the FY25 maximum
        (date(2025, 10, 1), "250000", "651.50"),  # 866.00 cut to the FY26 maximum
    ],
)
def test_mpf_is_clamped_to_the_fiscal_year_minimum_and_maximum(entry_date, unit_price, mpf):
    line = invoice_line("SOFA", unit_price=unit_price, entry_date=entry_date)

    result = calculate([line], fee_reference(), CALC_ID)

    assert result.totals.mpf_usd == D(mpf)


def test_hmf_is_charged_only_on_ocean_entries():
    # HMF = round2(1000 x 0.125 %) = 1.25 by sea, nothing by air
    ocean = invoice_line("SOFA", invoice_number="INV-SEA", transport_mode="OCEAN")
    air = invoice_line("SOFA", invoice_number="INV-AIR", transport_mode="AIR")

    result = calculate([ocean, air], fee_reference(), CALC_ID)

    assert [(line.invoice_number, line.hmf_usd) for line in result.component_lines] == [
        ("INV-SEA", D("1.25")),
        ("INV-AIR", D("0")),
    ]


def test_fees_are_per_invoice_and_allocated_pro_rata():
    # Invoice: 600.00 + 400.00 = 1000.00 -> MPF 3.46 -> min 32.71; 32.71 x 0.6 = 19.626 -> 19.63,
    # 32.71 x 0.4 = 13.084 -> 13.08 (sum 32.71). HMF 1.25: 0.75, 0.50.
    first = invoice_line("SOFA", unit_price="600", line_number=10)
    second = invoice_line("SOFA", unit_price="400", line_number=20)

    result = calculate([first, second], fee_reference(), CALC_ID)

    assert [(line.mpf_usd, line.hmf_usd) for line in result.component_lines] == [
        (D("19.63"), D("0.75")),
        (D("13.08"), D("0.50")),
    ]


# --- lines that are not declared ----------------------------------------------------------------


def test_packaging_line_is_reported_with_its_value_and_not_declared():
    # Fees are on the sofa alone: HMF = round2(1000 x 0.125 %) = 1.25 (not 1050 -> 1.31)
    sofa = invoice_line("SOFA-STEEL", unit_price="1000", line_number=10)
    carton = invoice_line("CARTON", quantity="5", unit_price="10", line_number=20)

    result = run(sofa, carton)

    assert {line.material for line in result.component_lines} == {"SOFA-STEEL"}
    (packed,) = result.packaging_lines
    assert (packed.material, packed.line_number, packed.value_usd) == ("CARTON", 20, D("50.00"))
    assert result.totals.hmf_usd == D("1.25")
    assert result.exceptions == ()


@pytest.mark.parametrize(
    ("material", "reason"),
    [
        ("SOFA-BAD-HTS", ExceptionReason.HTS_NOT_VALID_AT_ENTRY_DATE),
        ("SOFA-NO-MELT", ExceptionReason.METAL_ORIGIN_MISSING),
        ("UNKNOWN-MAT", ExceptionReason.MATERIAL_NOT_IN_MASTER),
        # steel + aluminum 1.6 kg > net 1 kg: W_non = 1 - 0.8 - 0.8 = -0.600, V_non = -600.00
        ("OVERWEIGHT", ExceptionReason.NEGATIVE_COMPONENT),
    ],
)
def test_line_with_missing_reference_data_is_an_exception(material, reason):
    good = invoice_line("SOFA-STEEL", line_number=10)
    bad = invoice_line(material, line_number=20)

    result = run(good, bad)

    assert [(e.line_number, e.reason) for e in result.exceptions] == [(20, reason)]
    assert {line.line_number for line in result.component_lines} == {10}
    assert result.totals.entered_value_usd == D("1000.00")


def test_line_whose_components_do_not_add_up_is_an_exception_not_adjusted():
    # net = steel + aluminum = 2 kg (1 + 1), V = 0.03:
    # V_steel = V_alu = round2(0.015) = 0.02, V_non = 0.03 - 0.04 = -0.01 but W_non = 0 -> no line,
    # so the components add up to 0.04, not 0.03
    result = run(invoice_line("HALF-HALF", unit_price="0.03"))

    assert result.component_lines == ()
    assert [e.reason for e in result.exceptions] == [ExceptionReason.RECONCILIATION_FAILED]
    (reconciliation,) = result.reconciliations
    assert (reconciliation.value_usd, reconciliation.component_value_usd) == (
        D("0.03"),
        D("0.04"),
    )
    assert not reconciliation.balanced


def test_every_declared_invoice_line_is_reconciled():
    result = run(
        invoice_line("SOFA-STEEL-ALU", quantity="3", unit_price="333.33", line_number=10),
        invoice_line("CHAIR-LB", quantity="7", unit_price="120", line_number=20),
    )

    assert [(r.line_number, r.balanced) for r in result.reconciliations] == [
        (10, True),
        (20, True),
    ]
    assert result.reconciliations[1].weight_kg == D("69.853")


def test_rates_used_name_their_source_rows():
    result = run(invoice_line("SOFA-STEEL", entry_date=FULL_VALUE_REGIME))

    assert {(rate.program, rate.code, rate.rule_id) for rate in result.rates_used} == {
        ("MFN", SOFA_HTS, None),
        ("301", "9903.88.03", "301-L3"),
        ("232", "9903.81.98", "232-DERIV"),
        ("S122", "9903.03.06", "S122-232"),
        ("MPF", None, "MPF-FY26"),
        ("HMF", None, "HMF"),
    }


def test_manufacturer_id_on_the_invoice_overrides_the_master():
    (full,) = calculate(
        [invoice_line("SOFA", manufacturer_id="VNMANUF42HCM")], fee_reference(), CALC_ID
    ).component_lines

    assert full.manufacturer_id == "VNMANUF42HCM"


def test_value_is_not_recomputed_from_quantity_and_price():
    line = invoice_line("SOFA", unit_price="10").model_copy(update={"value_usd": Decimal("9.99")})

    (full,) = calculate([line], fee_reference(), CALC_ID).component_lines

    assert full.entered_value_usd == D("9.99")


def test_calculation_leaves_the_garbage_collector_as_it_found_it():
    assert gc.isenabled()
    run(invoice_line("SOFA-STEEL"))
    assert gc.isenabled()

    gc.disable()
    try:
        run(invoice_line("SOFA-STEEL"))
        assert not gc.isenabled()
    finally:
        gc.enable()
