"""ZEMM004 invoice lines normalized: valued in USD, customer matched and checked for quality.

A line with a quality error stays out of the normalized lines; it is kept, with its findings, as
an excluded record for the quality report (and the customs exceptions tab).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contracts.datasets import HeldBackLine, NormalizedInvoiceLine, ProductMasterRow
from contracts.feeds import Zemm004Record
from services.normalization.checks import ReferenceLookups, invoice_line_issues
from services.normalization.customer_matching import CustomerMatch, CustomerMatcher
from services.normalization.quality import Finding
from services.normalization.records import Indexed

FEED = "ZEMM004"
CENT = Decimal("0.01")


def value_usd(quantity: Decimal, unit_price: Decimal, fx: Decimal) -> Decimal:
    """DOMAIN.md §3.1: V = round2(quantity * unit_price * fx), half up."""
    return (quantity * unit_price * fx).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InvoiceRun:
    """The outcome of one ZEMM004 extract: clean lines, excluded records, every finding."""

    lines: tuple[NormalizedInvoiceLine, ...]
    excluded: tuple[Indexed[Zemm004Record], ...]
    findings: tuple[Finding, ...]
    held_back: tuple[HeldBackLine, ...]


def normalize_invoices(
    records: Sequence[Indexed[Zemm004Record]],
    extract_id: str,
    reference: ReferenceLookups,
    matcher: CustomerMatcher,
) -> InvoiceRun:
    matches = matcher.match(record.ship_to_name for _, record in records)
    lines: list[NormalizedInvoiceLine] = []
    excluded: list[Indexed[Zemm004Record]] = []
    held_back: list[HeldBackLine] = []
    findings: list[Finding] = []
    for indexed in records:
        record = indexed.record
        product = reference.product_at(record.material, record.entry_date)
        customer = matches[record.ship_to_name]
        line_findings = [
            Finding.of(issue, FEED, extract_id, indexed.record_index)
            for issue in invoice_line_issues(record, product, reference, customer)
        ]
        findings += line_findings
        errors = [finding for finding in line_findings if finding.is_error]
        if errors:
            excluded.append(indexed)
            held_back.append(_held_back(indexed, extract_id, errors))
        else:
            lines.append(_normalized(indexed, extract_id, product, customer))
    return InvoiceRun(tuple(lines), tuple(excluded), tuple(findings), tuple(held_back))


def _held_back(
    indexed: Indexed[Zemm004Record], extract_id: str, errors: Sequence[Finding]
) -> HeldBackLine:
    record = indexed.record
    return HeldBackLine(
        extract_id=extract_id,
        record_index=indexed.record_index,
        invoice_number=record.invoice_number,
        line_number=record.line_number,
        po_number=record.po_number,
        material=record.material,
        reasons=tuple(f"{error.rule}: {error.detail}" for error in errors),
    )


def _normalized(
    indexed: Indexed[Zemm004Record],
    extract_id: str,
    product: ProductMasterRow | None,
    customer: CustomerMatch,
) -> NormalizedInvoiceLine:
    record = indexed.record
    # Only an error-free line gets here, so a non-USD line has its rate.
    fx = record.exchange_rate_to_usd or Decimal(1)
    master_mid = product.manufacturer_id if product else None
    return NormalizedInvoiceLine(
        extract_id=extract_id,
        record_index=indexed.record_index,
        invoice_number=record.invoice_number,
        invoice_date=record.invoice_date,
        po_number=record.po_number,
        line_number=record.line_number,
        material=record.material,
        quantity=record.quantity,
        unit=record.unit,
        unit_price=record.unit_price,
        currency=record.currency,
        exchange_rate_to_usd=fx,
        value_usd=value_usd(record.quantity, record.unit_price, fx),
        incoterms=record.incoterms,
        ship_to_name=record.ship_to_name,
        supplier_name=record.supplier_name,
        # ZEMM004's MID overrides the master's (DOMAIN.md §1); the line carries the one to declare.
        manufacturer_id=record.manufacturer_id or master_mid,
        port_of_entry=record.port_of_entry,
        transport_mode=record.transport_mode.value,
        entry_date=record.entry_date,
        customer_id=customer.customer_id,
        customer_match_score=customer.score,
        customer_match_status=customer.status,
    )
