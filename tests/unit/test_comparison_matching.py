"""The pure comparison of our customs lines with SAP's ZSDR002 lines (DOMAIN.md §4).

`customs_line` and `declared_line` are also the factories of the other comparison, audit and
report tests: one default line, the same on both sides, changed field by field.
"""

from datetime import date
from decimal import Decimal

import pytest

from contracts.datasets import Component, CustomsLineV1, DeclaredLine, DutyLayer
from services.comparison.config import ComparisonConfig, Tolerance, ToleranceKind
from services.comparison.errors import DuplicateLineKey
from services.comparison.matching import compare
from services.comparison.results import LineKey, Outcome
from services.runtime.errors import SettingsError

D = Decimal
INVOICE = "NSW-2606-0512"
LINE_DEFAULTS = {
    "invoice_number": INVOICE,
    "line_number": 10,
    "component": Component.FULL,
    "material": "000000000010005100",
    "hts_code": "9404210010",
    "country_of_origin": "VN",
    "quantity": D("48"),
    "net_weight_kg": D("1000.000"),
    "entered_value_usd": D("1189.20"),
    "duty_usd": D("457.84"),
}


def customs_line(**changes: object) -> CustomsLineV1:
    fields = {**LINE_DEFAULTS, **changes}
    duty = fields["duty_usd"]
    return CustomsLineV1.model_validate(
        {
            "calc_id": "CALC-20261122-020000-AB12",
            "po_number": "4500018577",
            "description": "memory foam mattress Queen",
            "manufacturer_id": None,
            "melt_pour_country": None,
            "smelt_country": None,
            "cast_country": None,
            "unit": "EA",
            "chapter99_codes": (),
            "duty_layers": (
                DutyLayer(program="MFN", code=fields["hts_code"], rate_pct=D(0), duty_usd=duty),
            ),
            "mpf_usd": D("0"),
            "hmf_usd": D("0"),
            "customer_id": None,
            "customer_match_score": None,
            "entry_date": date(2026, 7, 1),
            "port_of_entry": "2704",
            **fields,
        }
    )


def declared_line(**changes: object) -> DeclaredLine:
    return DeclaredLine.model_validate({**LINE_DEFAULTS, **changes})


def run(ours, theirs, *, declared=(INVOICE,), config=None, calc_invoices=None):
    invoices = calc_invoices or sorted({line.invoice_number for line in ours})
    return compare(
        "CALC-20261122-020000-AB12",
        ours,
        theirs,
        calc_invoices=invoices,
        declared_invoices=declared,
        config=config or ComparisonConfig(),
    )


def only_line(ours_changes: dict, theirs_changes: dict):
    result = run([customs_line(**ours_changes)], [declared_line(**theirs_changes)])
    assert len(result.lines) == 1
    return result.lines[0]


def test_identical_lines_pass():
    result = run([customs_line()], [declared_line()])
    assert result.outcome is Outcome.PASS
    assert (result.passed, result.failed) == (1, 0)


@pytest.mark.parametrize("field", ["entered_value_usd", "duty_usd"])
def test_money_exactly_one_cent_apart_passes(field):
    line = only_line({field: D("100.00")}, {field: D("100.01")})
    assert line.outcome is Outcome.PASS


@pytest.mark.parametrize("field", ["entered_value_usd", "duty_usd"])
def test_money_just_over_one_cent_apart_fails_with_delta_theirs_minus_ours(field):
    line = only_line({field: D("100.00")}, {field: D("99.989")})
    assert line.outcome is Outcome.FAIL
    (found,) = line.discrepancies
    assert (found.field, found.ours, found.theirs, found.delta) == (
        field,
        "100.00",
        "99.989",
        D("-0.011"),
    )


@pytest.mark.parametrize("theirs", ["1005.000", "995.000"])
def test_weight_exactly_half_a_percent_off_passes(theirs):
    line = only_line({"net_weight_kg": D("1000.000")}, {"net_weight_kg": D(theirs)})
    assert line.outcome is Outcome.PASS


@pytest.mark.parametrize("theirs", ["1005.001", "994.999"])
def test_weight_just_over_half_a_percent_off_fails(theirs):
    line = only_line({"net_weight_kg": D("1000.000")}, {"net_weight_kg": D(theirs)})
    assert [d.field for d in line.discrepancies] == ["net_weight_kg"]


def test_zero_weight_on_our_side_tolerates_no_difference():
    line = only_line({"net_weight_kg": D("0")}, {"net_weight_kg": D("0.001")})
    assert line.outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("field", "theirs"),
    [("material", "000000000010005101"), ("hts_code", "9404210011"), ("country_of_origin", "CN")],
)
def test_code_mismatch_fails_without_delta(field, theirs):
    line = only_line({}, {field: theirs})
    (found,) = line.discrepancies
    assert (found.field, found.theirs, found.delta) == (field, theirs, None)


def test_codes_are_compared_exactly_even_where_only_the_format_differs():
    line = only_line({"hts_code": "9404210010"}, {"hts_code": "9404.21.0010"})
    assert line.outcome is Outcome.FAIL


def test_every_field_out_of_tolerance_is_listed():
    line = only_line({}, {"hts_code": "9401614011", "duty_usd": D("1.00")})
    assert [d.field for d in line.discrepancies] == ["hts_code", "duty_usd"]


def test_line_only_we_declared_is_ours_only_and_fails_the_comparison():
    ours = [customs_line(), customs_line(line_number=20)]
    result = run(ours, [declared_line()])
    assert [line.key for line in result.ours_only] == [LineKey(INVOICE, 20, Component.FULL)]
    assert dict(result.ours_only[0].values)["duty_usd"] == "457.84"
    assert result.outcome is Outcome.FAIL


def test_line_only_sap_declared_is_theirs_only():
    theirs = [declared_line(), declared_line(component=Component.STEEL)]
    result = run([customs_line()], theirs)
    assert [line.key for line in result.theirs_only] == [LineKey(INVOICE, 10, Component.STEEL)]
    assert result.outcome is Outcome.FAIL


def test_same_line_with_another_component_is_one_sided_on_both_sides():
    result = run([customs_line()], [declared_line(component=Component.NON_METAL)])
    assert (len(result.lines), len(result.ours_only), len(result.theirs_only)) == (0, 1, 1)


def test_invoice_sap_has_not_declared_yet_is_awaiting_not_ours_only():
    ours = [customs_line(), customs_line(invoice_number="SFW-2608-0219", line_number=10)]
    result = run(ours, [declared_line()], declared=(INVOICE,))
    assert result.awaiting_sap == ("SFW-2608-0219",)
    assert (result.awaiting_lines, len(result.ours_only), result.passed) == (1, 0, 1)
    assert result.outcome is Outcome.PASS


def test_nothing_is_compared_while_no_invoice_is_declared():
    result = run([customs_line()], [], declared=())
    assert (result.lines, result.ours_only, result.awaiting_sap) == ((), (), (INVOICE,))


def test_sap_lines_of_invoices_outside_the_calculation_are_ignored():
    theirs = [declared_line(), declared_line(invoice_number="OTHER-1")]
    result = run([customs_line()], theirs, declared=(INVOICE, "OTHER-1"))
    assert result.theirs_only == ()


def test_invoice_of_the_calculation_without_our_lines_makes_sap_lines_theirs_only():
    # All of the invoice's lines were exceptions on our side; SAP declared them anyway.
    result = run([], [declared_line()], calc_invoices=[INVOICE])
    assert len(result.theirs_only) == 1


def test_two_sap_lines_with_the_same_key_are_refused():
    with pytest.raises(DuplicateLineKey, match=r"NSW-2606-0512/10/FULL"):
        run([customs_line()], [declared_line(), declared_line(duty_usd=D(1))])


def test_results_are_ordered_by_invoice_line_and_component():
    keys = [("B", 20, Component.FULL), ("A", 10, Component.STEEL), ("A", 10, Component.ALUMINUM)]
    lines = [customs_line(invoice_number=i, line_number=n, component=c) for i, n, c in keys]
    sap = [declared_line(invoice_number=i, line_number=n, component=c) for i, n, c in keys]
    result = run(lines, sap, declared=("A", "B"))
    assert [str(line.key) for line in result.lines] == ["A/10/ALUMINUM", "A/10/STEEL", "B/20/FULL"]


def test_configured_tolerance_replaces_the_default_for_its_field():
    config = ComparisonConfig.from_env({"IOR_COMPARISON_TOLERANCE_DUTY_USD": "10"})
    result = run([customs_line()], [declared_line(duty_usd=D("451.90"))], config=config)
    assert result.outcome is Outcome.PASS
    assert config.tolerances["entered_value_usd"] == Tolerance(ToleranceKind.ABSOLUTE, D("0.01"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exact", Tolerance(ToleranceKind.EXACT)),
        ("0.05", Tolerance(ToleranceKind.ABSOLUTE, D("0.05"))),
        ("1 %", Tolerance(ToleranceKind.RELATIVE, D("1"))),
    ],
)
def test_tolerance_is_read_as_exact_absolute_or_percent(text, expected):
    assert Tolerance.parse(text) == expected


@pytest.mark.parametrize("text", ["a lot", "-1", "NaN%"])
def test_unusable_tolerance_is_a_settings_error(text):
    with pytest.raises(SettingsError):
        Tolerance.parse(text)


def test_codes_cannot_be_given_a_numeric_tolerance():
    with pytest.raises(SettingsError, match="exactly"):
        ComparisonConfig.from_env({"IOR_COMPARISON_TOLERANCE_HTS_CODE": "1"})


def test_a_sap_line_of_an_invoice_line_we_held_back_is_reported_with_our_reason():
    result = compare(
        "CALC-20261122-020000-AB12",
        [customs_line()],
        [declared_line(), declared_line(line_number=20)],
        calc_invoices=(INVOICE,),
        declared_invoices=(INVOICE,),
        config=ComparisonConfig(),
        not_declared={(INVOICE, 20): "held-back-by-quality-error: material-not-in-master"},
    )
    [held] = result.held_back
    assert (held.key.line_number, held.reason) == (
        20,
        "held-back-by-quality-error: material-not-in-master",
    )
    assert result.theirs_only == () and result.outcome is Outcome.FAIL
