"""Each quality rule of DOMAIN.md §2 produces its finding; errors hold a line back, warnings not."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.datasets import MatchStatus, PackagingRow
from contracts.events import Severity
from contracts.quality_rules import Rule
from contracts.reference_batch import ReferenceBatch
from contracts.topology import TABLE_HTS_CODES, TABLE_PRODUCT_MASTER, TABLE_TARIFF_RULES
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.invoices import normalize_invoices, rejected_lines, value_usd
from services.normalization.line_checks import product_issues
from services.normalization.record_checks import material_record_issues, weight_record_issues
from tests.unit.test_normalization_factories import (
    BASE,
    SAMPLE_CUSTOMERS,
    hts,
    indexed,
    invoice,
    material,
    product,
    reference,
    reference_rows,
    rule,
    weight,
)

D = Decimal
ENTRY = date(2025, 9, 18)


def run(*records, **reference_data):
    lookups = reference(**reference_data)
    return normalize_invoices(
        indexed(*records), "ZEMM004-1", lookups, CustomerMatcher(lookups.customers)
    )


def packaging_row(material: str) -> PackagingRow:
    return PackagingRow(
        material=material, description="carton", packaging_type="BOX", is_packaging=True
    )


def rules_of(issues):
    return [issue.rule for issue in issues]


def test_clean_line_is_normalized_in_usd_with_its_customer():
    result = run(invoice())
    [line] = result.lines
    assert (line.value_usd, line.exchange_rate_to_usd) == (D("22200.00"), D(1))
    assert (line.customer_id, line.customer_match_status) == ("0000100001", MatchStatus.MATCHED)
    assert result.findings == () and result.excluded == ()


def test_foreign_currency_line_is_valued_with_its_rate_rounded_half_up():
    result = run(invoice(currency="CNY", exchange_rate_to_usd="0.1398", quantity="24",
                         unit_price="1510.00"))  # fmt: skip
    assert result.lines[0].value_usd == D("5066.35")  # 5066.352 -> 5066.35


def test_value_rounds_half_up_at_the_cent():
    assert value_usd(D("1"), D("0.125"), D("1")) == D("0.13")


def test_line_mid_overrides_the_master_mid():
    assert run(invoice(manufacturer_id="CNHANLAT7HAN")).lines[0].manufacturer_id == "CNHANLAT7HAN"
    assert run(invoice()).lines[0].manufacturer_id == "CNSHAFUR123SHA"


def test_material_not_in_master_is_an_error_that_holds_the_line_back():
    result = run(invoice(material="000000000010009001"))
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.field, finding.value) == (
        Rule.MATERIAL_NOT_IN_MASTER,
        Severity.ERROR,
        "material",
        "000000000010009001",
    )
    assert (finding.feed, finding.extract_id, finding.record_index) == ("ZEMM004", "ZEMM004-1", 0)
    assert result.lines == () and [i for i, _ in result.excluded] == [0]


def test_non_usd_line_without_exchange_rate_is_an_error():
    record = invoice().model_copy(update={"currency": "CNY"})
    result = run(record)
    assert rules_of(result.findings) == [Rule.EXCHANGE_RATE_MISSING]
    assert result.lines == ()


@pytest.mark.parametrize(
    "hts_code", ["940161401", "\uff19\uff14\uff10\uff11\uff16\uff11\uff14\uff10\uff11\uff10"]
)
def test_malformed_master_hts_is_an_error(hts_code):
    # The second is 9401614010 in fullwidth digits, which `\d` would have taken for digits.
    issues = product_issues(product(hts_code=hts_code), ENTRY, reference())
    assert Rule.HTS_MALFORMED in rules_of(issues)


def test_missing_hts_in_a_material_record_is_an_error():
    issues = material_record_issues(material().model_copy(update={"hts_code": ""}))
    assert rules_of(issues) == [Rule.HTS_MALFORMED]


def test_hts_not_valid_at_the_entry_date_is_an_error():
    lookups = reference(hts_codes=[hts(valid_from="2022-01-01", valid_to="2025-09-17")])
    assert rules_of(product_issues(product(), ENTRY, lookups)) == [Rule.HTS_NOT_VALID_AT_ENTRY]


def test_hts_valid_through_the_entry_date_itself_is_no_error_but_expires_soon():
    lookups = reference(hts_codes=[hts(valid_from="2022-01-01", valid_to="2025-09-18")])
    assert rules_of(product_issues(product(), ENTRY, lookups)) == [Rule.HTS_EXPIRES_SOON]


def test_hts_ending_within_the_warning_days_after_the_entry_date_is_a_warning():
    ending = [hts(valid_to="2025-10-18")]  # 30 days after the entry date
    result = run(invoice(), hts_codes=ending)
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.field, finding.value) == (
        Rule.HTS_EXPIRES_SOON,
        Severity.WARNING,
        "hts_code",
        "9403200080",
    )
    assert "ends on 2025-10-18, 30 days after the entry date 2025-09-18" in finding.detail
    assert len(result.lines) == 1  # still declared: the row is valid at the entry date
    fewer_days = timedelta(days=29)
    assert product_issues(product(), ENTRY, reference(hts_codes=ending), fewer_days) == []


def test_hts_ending_far_after_the_entry_date_is_fine():
    lookups = reference(hts_codes=[hts(valid_to="2025-10-19")])  # 31 days after the entry
    assert product_issues(product(), ENTRY, lookups) == []


def test_a_successor_hts_row_from_the_day_after_the_end_is_no_warning():
    rows = [hts(valid_to="2025-09-30"), hts(valid_from="2025-10-01", rate="3.5")]
    assert product_issues(product(), ENTRY, reference(hts_codes=rows)) == []


def test_a_successor_row_that_ends_soon_too_is_followed_to_its_own_end():
    rows = [hts(valid_to="2025-09-30"), hts(valid_from="2025-10-01", valid_to="2025-10-05")]
    [issue] = product_issues(product(), ENTRY, reference(hts_codes=rows))
    assert issue.rule is Rule.HTS_EXPIRES_SOON and "ends on 2025-10-05" in issue.detail


def test_a_successor_row_starting_later_than_the_day_after_leaves_a_gap_and_warns():
    rows = [hts(valid_to="2025-09-30"), hts(valid_from="2025-10-02")]
    assert rules_of(product_issues(product(), ENTRY, reference(hts_codes=rows))) == [
        Rule.HTS_EXPIRES_SOON
    ]


def test_hts_valid_to_the_last_date_there_is_never_expires():
    late = date(9999, 12, 20)
    lookups = reference(hts_codes=[hts(valid_to="9999-12-31")])
    assert product_issues(product(), late, lookups, hts_expiry_warning=timedelta(days=30)) == []


@pytest.mark.parametrize("net", [D(0), D("-1")])
def test_zero_or_negative_net_weight_is_an_error(net):
    issues = weight_record_issues(weight(steel_weight="0").model_copy(update={"net_weight": net}))
    assert rules_of(issues) == [Rule.WEIGHT_NOT_POSITIVE]


def test_negative_metal_weight_is_an_error():
    record = weight().model_copy(update={"steel_weight": D("-1")})
    assert rules_of(weight_record_issues(record)) == [Rule.WEIGHT_NOT_POSITIVE]


def test_master_without_weights_is_an_error_for_an_invoice_line():
    issues = product_issues(product(net_weight_kg=None, steel_kg=D(0)), ENTRY, reference())
    assert rules_of(issues) == [Rule.WEIGHT_MISSING]


def test_steel_plus_aluminum_over_net_is_an_error():
    record = weight(aluminum_smelt_country="CN", aluminum_cast_country="CN").model_copy(
        update={"aluminum_weight": D("20")}  # 36.4 + 20 > 52
    )
    [issue] = weight_record_issues(record)
    assert (issue.rule, issue.field, issue.value) == (
        Rule.METAL_OVER_NET,
        "aluminum_weight",
        "20",
    )


def test_invalid_country_of_origin_is_an_error():
    [issue] = material_record_issues(material().model_copy(update={"country_of_origin": "XX"}))
    assert (issue.rule, issue.value) == (Rule.COUNTRY_INVALID, "XX")


def test_steel_without_melt_pour_country_is_an_error():
    record = weight().model_copy(update={"steel_melt_pour_country": None})
    [issue] = weight_record_issues(record)
    assert (issue.rule, issue.field) == (Rule.METAL_ORIGIN_MISSING, "steel_melt_pour_country")


def test_aluminum_without_smelt_and_cast_countries_is_an_error_each():
    row = product(aluminum_kg=D("3.4"))
    fields = [i.field for i in product_issues(row, ENTRY, reference())]
    assert fields == ["aluminum_smelt_country", "aluminum_cast_country"]


def test_no_matching_tariff_rule_is_a_warning_and_the_line_is_kept():
    mpf = rule("RMPF", program="MPF", chapter99_code=None, hts_prefix="*", country_of_origin="*")
    result = run(invoice(), rules=[rule(country_of_origin="VN"), mpf])
    [finding] = result.findings
    assert (finding.rule, finding.severity) == (Rule.NO_TARIFF_RULE, Severity.WARNING)
    assert len(result.lines) == 1


def test_tariff_rule_outside_its_validity_does_not_count():
    expired = rule(valid_to=date(2025, 9, 17))
    assert rules_of(run(invoice(), rules=[expired]).findings) == [Rule.NO_TARIFF_RULE]


def test_customer_below_92_is_a_warning_and_the_line_keeps_match_and_score():
    result = run(invoice(ship_to_name="Rocky Mtn Bedding"))
    [finding] = result.findings
    assert (finding.rule, finding.severity) == (Rule.CUSTOMER_REVIEW, Severity.WARNING)
    [line] = result.lines
    assert (line.customer_id, line.customer_match_status) == ("0000100004", MatchStatus.REVIEW)
    assert line.customer_match_score == D("87.18")


def test_unmatched_customer_is_a_warning_and_the_line_is_still_declared():
    result = run(invoice(ship_to_name="Zenith Hospitality Group"))
    assert [(f.rule, f.severity) for f in result.findings] == [
        (Rule.CUSTOMER_UNMATCHED, Severity.WARNING)
    ]
    assert result.lines[0].customer_id is None


def test_every_finding_of_a_line_is_reported_together():
    result = run(
        invoice(material="UNKNOWN", ship_to_name="Zenith Hospitality Group"),
        invoice(line_number=20),
        customers=SAMPLE_CUSTOMERS,
    )
    assert rules_of(result.findings) == [Rule.MATERIAL_NOT_IN_MASTER, Rule.CUSTOMER_UNMATCHED]
    assert [line.line_number for line in result.lines] == [20]


def test_reference_tables_are_loaded_once_for_a_whole_batch():
    source = reference_rows()
    lookups = ReferenceBatch(source)
    normalize_invoices(
        indexed(*(invoice(line_number=n) for n in range(1, 50))),
        "ZEMM004-1",
        lookups,
        CustomerMatcher(lookups.customers),
    )
    scans = source.scans
    tables = (TABLE_PRODUCT_MASTER, TABLE_HTS_CODES, TABLE_TARIFF_RULES)
    assert [scans[table] for table in tables] == [1, 1, 1]


def test_a_line_with_no_weight_record_valid_at_its_entry_date_is_held_back_alone():
    weighed_later = product(weight_valid_from=date(2025, 10, 1))
    result = run(invoice(), invoice(invoice_number="LATER-1", entry_date="2025-10-02"),
                 products=[weighed_later])  # fmt: skip
    assert rules_of(result.findings) == [Rule.WEIGHT_MISSING]
    assert "valid on 2025-09-18" in result.findings[0].detail
    assert [line.invoice_number for line in result.lines] == ["LATER-1"]
    [held] = result.held_back
    assert (held.line_number, held.reasons[0].split(":")[0]) == (10, Rule.WEIGHT_MISSING)


def test_a_line_not_in_the_materials_base_unit_is_an_error():
    result = run(invoice(unit="KG"))
    assert rules_of(result.findings) == [Rule.UNIT_NOT_BASE_UNIT]
    assert result.lines == ()


def test_packaging_needs_no_weights_and_no_master_record():
    result = run(invoice(material="CARTON"), packaging=[packaging_row("CARTON")])
    assert result.findings == () and len(result.lines) == 1


def test_two_equally_specific_rules_of_one_program_are_a_warning_naming_both():
    rules = [rule("R301-A", sequence=20), rule("R301-B", sequence=10)]
    issues = product_issues(product(), ENTRY, reference(rules=rules))
    [tie] = [issue for issue in issues if issue.rule is Rule.RULES_EQUALLY_SPECIFIC]
    assert tie.value == "R301-B, R301-A"  # the lower sequence wins before the lower rule_id
    assert "R301-B applies" in tie.detail
    assert Rule.RULES_EQUALLY_SPECIFIC.severity is Severity.WARNING


def test_a_rule_and_its_exemption_code_are_no_tie():
    rules = [
        rule("RREC", program="IEEPA", excluded_by_program="232"),
        rule("RREC-EX", program="IEEPA", requires_program="232"),
    ]
    issues = product_issues(product(), ENTRY, reference(rules=rules))
    assert Rule.RULES_EQUALLY_SPECIFIC not in rules_of(issues)


def test_an_invoice_over_two_entries_is_a_warning_and_both_lines_are_declared():
    result = run(invoice(), invoice(line_number=20, port_of_entry="1001"))
    [finding] = result.findings
    assert (finding.rule, finding.record_index) == (Rule.INVOICE_SPANS_ENTRIES, 1)
    assert len(result.lines) == 2


def test_records_rejected_at_ingestion_become_lines_not_declared_even_without_a_key():
    documents = [
        {"record_index": 14, "fields": {"invoice_number": "SFW-1", "line_number": "30",
         "po_number": "PO-1", "material": "M1"},
         "findings": [{"field": "exchange_rate_to_usd", "value": None, "rule": "required"}]},
        {"record_index": 15, "fields": {"line_number": "x"},
         "findings": [{"field": "invoice_number", "value": None, "rule": "required"}]},
    ]  # fmt: skip
    first, second = rejected_lines(documents, "ZEMM004-1")
    assert (first.invoice_number, first.line_number, first.rejected_at_ingestion) == (
        "SFW-1",
        30,
        True,
    )
    assert first.reasons == ("exchange_rate_to_usd None: required",)
    assert (second.invoice_number, second.line_number, second.record_index) == ("", 0, 15)


def test_findings_about_a_material_name_it_and_its_description_and_others_do_not():
    weighed_later = product(weight_valid_from=date(2025, 10, 1))
    record = invoice(ship_to_name="Zenith Hospitality Group")
    result = run(record.model_copy(update={"currency": "CNY"}), products=[weighed_later])
    named = {f.rule: (f.material, f.material_description) for f in result.findings}
    assert named == {
        Rule.WEIGHT_MISSING: (BASE, "adjustable base Queen, steel"),
        Rule.EXCHANGE_RATE_MISSING: (None, None),  # the line's currency, not its material
        Rule.CUSTOMER_UNMATCHED: (None, None),
    }


def test_a_material_not_in_the_master_is_named_without_a_description():
    [finding] = run(invoice(material="000000000010009001")).findings
    assert (finding.material, finding.material_description) == ("000000000010009001", None)


def test_metal_without_its_origin_country_names_the_material_in_the_master_and_the_feed():
    [in_master] = product_issues(product(steel_melt_pour_country=None), ENTRY, reference())
    record = weight().model_copy(update={"steel_melt_pour_country": None})
    [in_feed] = weight_record_issues(record)
    assert (in_master.rule, in_master.material) == (Rule.METAL_ORIGIN_MISSING, BASE)
    assert (in_feed.rule, in_feed.material) == (Rule.METAL_ORIGIN_MISSING, BASE)
