"""Rows of the datasets and reference tables that services hand to each other through S3/DynamoDB.

Normalization writes them; customs generation, comparison and audit read them. Like events they
are contracts: additive changes only within a version. Money and weights are `Decimal`, codes text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MaterialRow(_Row):
    """A ZEMM005 material: how it is classified for customs (its weights are ZFMIOR002's)."""

    material: str
    description: str
    material_type: str
    product_category: str
    hts_code: str
    country_of_origin: str
    base_unit: str
    manufacturer_id: str | None = None


class WeightRecordRow(_Row):
    """A ZFMIOR002 weight record in kg per base unit; a material has one per `valid_from` (and
    plant): the whole history, so that each entry is declared with the record valid on its day."""

    material: str
    plant: str
    valid_from: date
    net_weight_kg: Decimal
    gross_weight_kg: Decimal
    steel_kg: Decimal
    aluminum_kg: Decimal
    steel_melt_pour_country: str | None = None
    aluminum_smelt_country: str | None = None
    aluminum_cast_country: str | None = None
    record_index: int = Field(description="in its extract; of two records of one day, the later")


class ProductMasterRow(MaterialRow):
    """A material as declared on one entry date: ZEMM005 with the ZFMIOR002 record valid then
    (`contracts.product_master.product_on`), weights in kg per base unit."""

    net_weight_kg: Decimal | None = Field(
        default=None, description="None when no weight record is valid at the entry date"
    )
    gross_weight_kg: Decimal | None = None
    steel_kg: Decimal = Decimal(0)
    aluminum_kg: Decimal = Decimal(0)
    steel_share: Decimal = Field(default=Decimal(0), description="steel_kg / net_weight_kg (0..1)")
    aluminum_share: Decimal = Field(default=Decimal(0), description="aluminum_kg / net (0..1)")
    steel_melt_pour_country: str | None = None
    aluminum_smelt_country: str | None = None
    aluminum_cast_country: str | None = None
    weight_plant: str | None = None
    weight_valid_from: date | None = Field(
        default=None, description="the weight record used (None: no record valid that day)"
    )


class HtsCodeRow(_Row):
    hts_code: str
    description: str
    general_rate_pct: Decimal
    unit_of_quantity: str
    valid_from: date
    valid_to: date | None = None


class Component(StrEnum):
    NON_METAL = "NON_METAL"
    STEEL = "STEEL"
    ALUMINUM = "ALUMINUM"
    FULL = "FULL"


class TariffRuleRow(_Row):
    """A ZEMM007 rule as stored; `*` means "any" for category, HTS prefix and country."""

    rule_id: str
    program: str
    chapter99_code: str | None = None
    product_category: str
    hts_prefix: str
    country_of_origin: str
    component: str = Field(description="NON_METAL, STEEL, ALUMINUM, FULL or ALL")
    rate_pct: Decimal
    min_metal_share_pct: Decimal | None = None
    requires_program: str | None = None
    excluded_by_program: str | None = None
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    sequence: int
    valid_from: date
    valid_to: date | None = None

    @property
    def specificity(self) -> tuple[int, bool, bool]:
        """DOMAIN.md §3.3, most specific first when sorted: longer HTS prefix, then a named
        category over `*`, then a named country over `*`."""
        prefix_length = 0 if self.hts_prefix == "*" else len(self.hts_prefix)
        return (-prefix_length, self.product_category == "*", self.country_of_origin == "*")

    @property
    def precedence(self) -> tuple[int, bool, bool, int, str]:
        """`specificity`, and between equally specific rules of one program the lower
        `sequence`, then the lower `rule_id` (DOMAIN.md §2): never the order they were read in."""
        return (*self.specificity, self.sequence, self.rule_id)


class PackagingRow(_Row):
    material: str
    description: str
    packaging_type: str
    is_packaging: bool


class CustomerRow(_Row):
    customer_id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str
    city: str
    active: bool


class MatchStatus(StrEnum):
    MATCHED = "matched"
    REVIEW = "review"
    UNMATCHED = "unmatched"


class NormalizedInvoiceLine(_Row):
    """A ZEMM004 line ready for customs generation (only lines without quality errors)."""

    extract_id: str
    record_index: int
    invoice_number: str
    invoice_date: date
    po_number: str
    line_number: int
    material: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    exchange_rate_to_usd: Decimal = Field(description="1 for USD")
    value_usd: Decimal = Field(description="round2(quantity * unit_price * fx), DOMAIN.md §3.1")
    incoterms: str
    ship_to_name: str
    supplier_name: str
    manufacturer_id: str | None = None
    port_of_entry: str
    transport_mode: str
    entry_date: date
    customer_id: str | None = None
    customer_match_score: Decimal | None = None
    customer_match_status: MatchStatus = MatchStatus.UNMATCHED


class HeldBackLine(_Row):
    """A ZEMM004 line normalization kept out of the declaration, with every error that did: the
    calculation lists it as an exception, so no invoice is silently shortened (DOMAIN.md §2)."""

    extract_id: str
    record_index: int
    invoice_number: str
    line_number: int
    po_number: str
    material: str
    reasons: tuple[str, ...] = Field(description="each error as 'rule: what is wrong'")
    rejected_at_ingestion: bool = Field(
        default=False, description="the record broke its feed's contract (never accepted)"
    )


class InvoiceLineVersion(_Row):
    """One accepted version of a ZEMM004 line (`contracts.invoice_lines`): the line as
    normalized, or held back with its errors. Every extract's version is kept; the one with the
    later `extracted_at` stands (DOMAIN.md §1)."""

    invoice_number: str
    line_number: int
    extract_id: str
    extracted_at: datetime
    line: NormalizedInvoiceLine | None = None
    held_back: HeldBackLine | None = None
    source_uri: str = Field(default="", description="the ZEMM004 file as SAP pushed it")
    source_sha256: str = Field(default="", description="that file's SHA-256 as received")
    source_record_count: int = Field(default=0, description="records in that file")


class InvoiceLinesOfExtract(_Row):
    """An item of `ior-invoice-lines`: what one extract said of one invoice (up to
    `LINES_PER_ITEM` line versions, so that an item stays far below DynamoDB's 400 KB)."""

    invoice_number: str
    extract_id: str
    extracted_at: datetime
    chunk: int = Field(ge=0, description="0, 1, ... when the extract holds many of its lines")
    versions: tuple[InvoiceLineVersion, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def version(self) -> str:
        """The table's sort key: one item per extract (and chunk), oldest extract first."""
        return f"{self.extracted_at.isoformat()}#{self.extract_id}#{self.chunk:04d}"


class DeclaredLine(_Row):
    """SAP's own declared line (ZSDR002), the reference the comparison checks ours against."""

    invoice_number: str
    line_number: int
    component: Component
    material: str
    hts_code: str
    country_of_origin: str
    quantity: Decimal
    net_weight_kg: Decimal
    entered_value_usd: Decimal
    duty_usd: Decimal


class DutyLayer(_Row):
    program: str
    code: str
    rate_pct: Decimal
    duty_usd: Decimal


class CustomsLineV1(_Row):
    """One component line of the customs-lines dataset v1: exactly the fields of DOMAIN.md §4."""

    calc_id: str
    invoice_number: str
    po_number: str
    line_number: int
    component: Component
    material: str
    description: str
    hts_code: str
    country_of_origin: str
    manufacturer_id: str | None
    melt_pour_country: str | None
    smelt_country: str | None
    cast_country: str | None
    quantity: Decimal
    unit: str
    net_weight_kg: Decimal
    entered_value_usd: Decimal
    chapter99_codes: tuple[str, ...]
    duty_layers: tuple[DutyLayer, ...]
    duty_usd: Decimal
    mpf_usd: Decimal
    hmf_usd: Decimal
    customer_id: str | None
    customer_match_score: Decimal | None
    entry_date: date
    port_of_entry: str


class InputFile(_Row):
    """An input of a calculation: the SAP file as received (its SHA-256 and record count, as
    ingestion computed them), and the accepted records derived from it, named as such."""

    feed: str
    extract_id: str
    file_name: str = Field(description="the file as SAP pushed it (source URI's last part)")
    uri: str
    sha256: str = Field(description="SHA-256 of the SAP file as received (`sha256sum` of it)")
    row_count: int = Field(description="records in the SAP file, accepted and rejected")
    derived_uri: str | None = Field(default=None, description="the accepted records (JSON lines)")
    derived_sha256: str | None = Field(default=None, description="SHA-256 of the derived file")
    derived_row_count: int | None = Field(default=None, description="accepted records")


class RateUsed(_Row):
    """One rate the calculation applied: an HTS general rate or a ZEMM007 rule."""

    program: str
    code: str
    rate_pct: Decimal
    source: str = Field(description="rule_id, or 'HTS <code> valid_from <date>'")
    valid_from: date
    valid_to: date | None = None


class Reconciliation(_Row):
    """Per invoice line: component values sum to V and weights to round3(W) (DOMAIN.md §3.6)."""

    invoice_number: str
    line_number: int
    value_usd: Decimal
    components_value_usd: Decimal
    net_weight_kg: Decimal
    components_weight_kg: Decimal
    passed: bool


class CalculationException(_Row):
    """An invoice line that produced no customs lines, and why (never silently adjusted)."""

    invoice_number: str
    line_number: int
    material: str
    reason: str


class PackagingLine(_Row):
    invoice_number: str
    line_number: int
    material: str
    description: str
    value_usd: Decimal


class CalculationRecordV1(_Row):
    """The audit record of one calculation run (DOMAIN.md §4), written once, immutably."""

    calc_id: str
    calculated_at: str = Field(description="UTC ISO-8601")
    producer: str = Field(
        description="service and version that calculated, e.g. ior.customs_generation@0.1.0"
    )
    inputs: tuple[InputFile, ...]
    reference_versions: dict[str, str] = Field(
        description="feed → the extract id of the snapshot the calculation used"
    )
    rates_used: tuple[RateUsed, ...]
    invoice_numbers: tuple[str, ...]
    po_numbers: tuple[str, ...]
    line_count: int
    totals: dict[str, Decimal] = Field(description="entered_value_usd, duty_usd, mpf_usd, hmf_usd")
    reconciliation: tuple[Reconciliation, ...]
    exceptions: tuple[CalculationException, ...]
    packaging_lines: tuple[PackagingLine, ...]
    lines_uri: str
    lines_sha256: str
    workbook_uri: str
    supersedes: dict[str, str] = Field(
        default_factory=dict, description="invoice → the calculation this one replaced"
    )
    superseded_by: dict[str, str] = Field(
        default_factory=dict,
        description="invoice → the calculation of a later state, current when this was written",
    )
