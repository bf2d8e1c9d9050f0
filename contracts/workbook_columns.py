"""The brokers' "Customs Lines" template: 192 columns, defined once, read by whoever writes it.

The brokers load this tab into their ACE filing software by column name, so the names are a
contract like the SAP feeds. The identifying columns (invoice, line, component, material) come
first so that they can stay frozen on screen while the other 188 scroll. Columns whose
`source_field` names a customs-lines v1 field (`contracts.datasets.CustomsLineV1`) are filled from
it, those with an `invoice_field` from the ZEMM004 line the component came from
(`contracts.datasets.NormalizedInvoiceLine`: currency, exchange rate, transport mode, seller,
ship-to); the others are entry data only the broker holds (importer of record, bond, conveyance,
PGA, ...): they stay empty and their header is marked as the broker's (`filled_by_broker`).

`source_field` is a field name, an item of a list field (`chapter99_codes[0]`) or a field of an
item (`duty_layers[1].code`). `duty_layers[0]` is always the MFN layer (DOMAIN.md §3.4), so the
Chapter 99 groups start at index 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CUSTOMS_LINES_SHEET = "Customs Lines"
AUDIT_SHEET = "Audit"
CHAPTER99_GROUPS = 8
LACEY_SPECIES_GROUPS = 5
CONTAINER_GROUPS = 4


class ColumnType(StrEnum):
    """How a cell is written: the type decides the Excel cell type and whether it is totalled."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    WEIGHT = "weight"
    RATE = "rate"
    DATE = "date"


NUMBER_FORMATS: dict[ColumnType, str] = {
    ColumnType.TEXT: "@",
    ColumnType.INTEGER: "0",
    # "General", not "#,##0.####": Excel prints a whole quantity in that format as "120.".
    ColumnType.DECIMAL: "General",
    ColumnType.MONEY: "#,##0.00",
    ColumnType.WEIGHT: "#,##0.000",
    ColumnType.RATE: "0.00##",
    ColumnType.DATE: "yyyy-mm-dd",
}

_WIDTHS: dict[ColumnType, float] = {
    ColumnType.TEXT: 16,
    ColumnType.INTEGER: 10,
    ColumnType.DECIMAL: 12,
    ColumnType.MONEY: 14,
    ColumnType.WEIGHT: 14,
    ColumnType.RATE: 10,
    ColumnType.DATE: 12,
}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One template column, filled from a customs line (`source_field`), from its invoice line
    (`invoice_field`) or by the broker (neither).

    `totalled` marks the columns whose sum means something for the entry (value, weight, total
    duty, MPF, HMF); a "Ch99 Duty 3" column holds a different program on every line.
    """

    name: str
    type: ColumnType
    width: float
    number_format: str
    source_field: str | None
    invoice_field: str | None = None
    totalled: bool = False

    @property
    def filled_by_broker(self) -> bool:
        return self.source_field is None and self.invoice_field is None


def _column(
    name: str,
    column_type: ColumnType = ColumnType.TEXT,
    source_field: str | None = None,
    width: float | None = None,
    *,
    invoice_field: str | None = None,
    totalled: bool = False,
) -> ColumnSpec:
    return ColumnSpec(
        name=name,
        type=column_type,
        width=_WIDTHS[column_type] if width is None else width,
        number_format=NUMBER_FORMATS[column_type],
        source_field=source_field,
        invoice_field=invoice_field,
        totalled=totalled,
    )


def _empty(*names: str, column_type: ColumnType = ColumnType.TEXT) -> tuple[ColumnSpec, ...]:
    """Columns of entry data we do not hold; they stay empty for the broker."""
    return tuple(_column(name, column_type) for name in names)


_T, _I, _D, _M, _W, _R, _DT = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.DECIMAL,
    ColumnType.MONEY,
    ColumnType.WEIGHT,
    ColumnType.RATE,
    ColumnType.DATE,
)

_IDENTITY: tuple[ColumnSpec, ...] = (
    _column("Invoice Number", _T, "invoice_number"),
    _column("Invoice Line Number", _I, "line_number", width=8),
    _column("Component", _T, "component", width=12),
    _column("Material", _T, "material", width=20),
)
IDENTITY_COLUMNS = len(_IDENTITY)

_ENTRY: tuple[ColumnSpec, ...] = (
    _column("Calc ID", _T, "calc_id", width=28),
    *_empty("Entry Number", "Entry Type", "Entry Filer Code"),
    _column("Entry Date", _DT, "entry_date"),
    *_empty("Entry Summary Date", "Import Date", "Estimated Arrival Date", column_type=_DT),
    _column("Port of Entry", _T, "port_of_entry", width=10),
    *_empty(
        "Port of Unlading",
        "Importer of Record Number",
        "Importer of Record Name",
        "Consignee Number",
        "Ultimate Consignee Name",
        "Bond Type",
        "Surety Code",
        "Bond Number",
    ),
    _column("Mode of Transport", _T, invoice_field="transport_mode", width=10),
    *_empty(
        "Carrier Code (SCAC)",
        "Vessel Name",
        "Voyage or Flight Number",
        "Master Bill of Lading",
        "House Bill of Lading",
        "Country of Export",
        "Foreign Port of Lading",
        "Location of Goods (FIRMS)",
        "Payment Type",
        "Broker Reference",
    ),
    *_empty("Export Date", column_type=_DT),
)

_PARTIES: tuple[ColumnSpec, ...] = (
    _column("PO Number", _T, "po_number"),
    *_empty("Entry Line Number", column_type=_I),
    _column("Description", _T, "description", width=40),
    _column("Customer ID", _T, "customer_id"),
    _column("Customer Match Score", _D, "customer_match_score"),
    _column("Manufacturer ID (MID)", _T, "manufacturer_id", width=20),
    *_empty("Manufacturer Name", "Manufacturer Address"),
    _column("Seller Name", _T, invoice_field="supplier_name", width=40),
    *_empty("Seller Address", "Buyer Name", "Buyer Address"),
    _column("Ship-To Party", _T, invoice_field="ship_to_name", width=32),
    *_empty("Related Party Indicator"),
)

_CLASSIFICATION: tuple[ColumnSpec, ...] = (
    _column("HTS Number", _T, "hts_code", width=14),
    _column("Country of Origin", _T, "country_of_origin", width=10),
    _column("Steel Melt and Pour Country", _T, "melt_pour_country", width=10),
    _column("Aluminum Smelt Country", _T, "smelt_country", width=10),
    _column("Aluminum Cast Country", _T, "cast_country", width=10),
    *_empty(
        "Secondary Aluminum Smelt Country",
        "Country of Shipment",
        "Special Program Indicator (SPI)",
        "Ruling Type",
        "Ruling Number",
        "Visa Number",
        "Textile Category Number",
        "License Number",
        "Certificate of Origin Number",
        "Steel License Number",
    ),
)

_QUANTITIES: tuple[ColumnSpec, ...] = (
    _column("Quantity", _D, "quantity"),
    _column("Unit", _T, "unit", width=8),
    *_empty("Tariff Quantity 1", "Tariff Quantity 2", column_type=_D),
    *_empty("Tariff Unit 1", "Tariff Unit 2"),
    _column("Net Weight (kg)", _W, "net_weight_kg", totalled=True),
    *_empty("Gross Weight (kg)", column_type=_W),
    _column("Entered Value (USD)", _M, "entered_value_usd", totalled=True),
    *_empty(
        "Invoice Value (Foreign Currency)",
        "Non-Dutiable Charges (USD)",
        "International Freight (USD)",
        "Insurance (USD)",
        "Assists (USD)",
        "Royalties (USD)",
        "Proceeds (USD)",
        "Packing Costs (USD)",
        column_type=_M,
    ),
    _column("Invoice Currency", _T, invoice_field="currency", width=10),
    _column("Exchange Rate", _D, invoice_field="exchange_rate_to_usd"),
)


def _chapter99_group(index: int) -> tuple[ColumnSpec, ...]:
    layer = f"duty_layers[{index}]"
    return (
        _column(f"Ch99 Program {index}", _T, f"{layer}.program"),
        _column(f"Ch99 Code {index}", _T, f"{layer}.code", width=12),
        _column(f"Ch99 Rate {index} (%)", _R, f"{layer}.rate_pct"),
        _column(f"Ch99 Duty {index} (USD)", _M, f"{layer}.duty_usd"),
    )


_DUTIES: tuple[ColumnSpec, ...] = (
    _column("HTS Rate (%)", _R, "duty_layers[0].rate_pct"),
    _column("MFN Duty (USD)", _M, "duty_layers[0].duty_usd"),
    _column("Chapter 99 Codes", _T, "chapter99_codes", width=40),
    *(column for index in range(1, CHAPTER99_GROUPS + 1) for column in _chapter99_group(index)),
    _column("Total Duty (USD)", _M, "duty_usd", totalled=True),
    _column("MPF (USD)", _M, "mpf_usd", totalled=True),
    _column("HMF (USD)", _M, "hmf_usd", totalled=True),
    *_empty("Cotton Fee (USD)", "Other Fees (USD)", "Excise Tax (USD)", column_type=_M),
    *_empty("AD Case Number", "CVD Case Number", "AD/CVD Bond or Cash"),
    *_empty("AD Rate (%)", "CVD Rate (%)", column_type=_R),
    *_empty("AD Deposit (USD)", "CVD Deposit (USD)", column_type=_M),
)


def _lacey_group(index: int) -> tuple[ColumnSpec, ...]:
    return (
        *_empty(f"Lacey Genus {index}", f"Lacey Species {index}"),
        *_empty(f"Lacey Country of Harvest {index}"),
        *_empty(f"Lacey Plant Quantity {index}", column_type=_D),
        *_empty(f"Lacey Plant Unit {index}"),
        *_empty(f"Lacey Percent Recycled {index}", column_type=_R),
    )


_PARTNER_AGENCIES: tuple[ColumnSpec, ...] = (
    *_empty(
        "PGA Agency Code",
        "PGA Program Code",
        "PGA Processing Code",
        "PGA Disclaimer Code",
        "Lacey Act Declaration (PPQ 505)",
        "Lacey Product Description",
    ),
    *(column for index in range(1, LACEY_SPECIES_GROUPS + 1) for column in _lacey_group(index)),
    *_empty(
        "TSCA Title VI Certification",
        "Composite Wood Certifier Number",
        "CPSC Certificate Type",
        "CPSC eFiling Identifier",
        "Flammability Standard (16 CFR 1633)",
    ),
)


def _container_group(index: int) -> tuple[ColumnSpec, ...]:
    return _empty(f"Container Number {index}", f"Seal Number {index}")


_LOGISTICS: tuple[ColumnSpec, ...] = (
    *(column for index in range(1, CONTAINER_GROUPS + 1) for column in _container_group(index)),
    *_empty("Container Type", "Marks and Numbers", "Warehouse Code", "Delivery Order Number"),
    *_empty("Packages", column_type=_I),
    *_empty("Package Unit"),
)

_BROKER_WORKFLOW: tuple[ColumnSpec, ...] = (
    *_empty(
        "Broker Notes",
        "Reviewed By",
        "ACE Transmission Status",
        "Liquidation Status",
        "Protest Number",
        "Post Summary Correction Number",
    ),
    *_empty("Review Date", "Liquidation Date", column_type=_DT),
)

CUSTOMS_LINES_COLUMNS: tuple[ColumnSpec, ...] = (
    *_IDENTITY,
    *_ENTRY,
    *_PARTIES,
    *_CLASSIFICATION,
    *_QUANTITIES,
    *_DUTIES,
    *_PARTNER_AGENCIES,
    *_LOGISTICS,
    *_BROKER_WORKFLOW,
)
