"""ZEMM004 invoice lines normalized: valued in USD, customer matched and checked for quality.

A line with a quality error stays out of the normalized lines; it is kept, with its findings, as
an excluded record for the quality report (and the customs exceptions tab).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from contracts.datasets import (
    HeldBackLine,
    InvoiceLineVersion,
    NormalizedInvoiceLine,
    ProductMasterRow,
)
from contracts.events import ExtractAcceptedV1
from contracts.feeds import Zemm004Record
from contracts.feeds.limits import MAX_LINE_NUMBER
from contracts.quality_rules import Rule
from services.normalization.customer_matching import CustomerMatch, CustomerMatcher
from services.normalization.line_checks import (
    HTS_EXPIRY_WARNING,
    ReferenceLookups,
    invoice_line_issues,
)
from services.normalization.quality import Finding, Issue
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
    hts_expiry_warning: timedelta = HTS_EXPIRY_WARNING,
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
            for issue in invoice_line_issues(
                record, product, reference, customer, hts_expiry_warning
            )
        ]
        findings += line_findings
        errors = [finding for finding in line_findings if finding.is_error]
        if errors:
            excluded.append(indexed)
            held_back.append(_held_back(indexed, extract_id, errors))
        else:
            lines.append(_normalized(indexed, extract_id, product, customer))
    findings += entry_span_findings(records, extract_id)
    return InvoiceRun(tuple(lines), tuple(excluded), tuple(findings), tuple(held_back))


def entry_span_findings(
    records: Sequence[Indexed[Zemm004Record]], extract_id: str
) -> list[Finding]:
    """DOMAIN.md §3.5: an entry is the lines of an invoice sharing entry date, port and mode; an
    invoice whose lines differ is declared as several entries, each with its own MPF/HMF."""
    entries: dict[str, dict[tuple[str, str, str], int]] = {}
    for index, record in records:
        key = (record.entry_date.isoformat(), record.port_of_entry, record.transport_mode.value)
        entries.setdefault(record.invoice_number, {}).setdefault(key, index)
    findings = []
    for invoice, first_records in entries.items():
        if len(first_records) < 2:
            continue
        (first, *others) = first_records
        for key in others:
            detail = (
                f"invoice {invoice} spans {len(first_records)} entries (entry date, port, mode): "
                f"{' / '.join(key)} besides {' / '.join(first)}; each pays its own MPF and HMF"
            )
            issue = Issue("entry_date", " / ".join(key), Rule.INVOICE_SPANS_ENTRIES, detail)
            findings.append(Finding.of(issue, FEED, extract_id, first_records[key]))
    return findings


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


def line_versions(run: InvoiceRun, accepted: ExtractAcceptedV1) -> list[InvoiceLineVersion]:
    """This extract's version of each of its lines, declared or held back (`invoice_lines`),
    each naming the SAP file it came from (the audit record lists those files)."""
    source = {
        "extract_id": accepted.extract_id,
        "extracted_at": accepted.extracted_at,
        "source_uri": accepted.source_uri,
        "source_sha256": accepted.sha256,
        "source_record_count": accepted.records.row_count + accepted.rejected_count,
    }
    return [
        *(InvoiceLineVersion(line=line, **_key(line), **source) for line in run.lines),
        *(InvoiceLineVersion(held_back=held, **_key(held), **source) for held in run.held_back),
    ]


def _key(line: NormalizedInvoiceLine | HeldBackLine) -> dict[str, Any]:
    return {"invoice_number": line.invoice_number, "line_number": line.line_number}


def rejected_lines(documents: Iterable[Mapping[str, Any]], extract_id: str) -> list[HeldBackLine]:
    """The records ingestion rejected (`ExtractAcceptedV1.rejected_records`) as lines not
    declared; a key field that did not parse is shown as sent (line number 0 when not a number)."""
    rejected = []
    for document in documents:
        fields = document.get("fields", {})
        line_number = str(fields.get("line_number") or "")
        rejected.append(
            HeldBackLine(
                extract_id=extract_id,
                record_index=int(document["record_index"]),
                invoice_number=str(fields.get("invoice_number") or ""),
                line_number=_line_number_as_sent(line_number),
                po_number=str(fields.get("po_number") or ""),
                material=str(fields.get("material") or ""),
                reasons=tuple(
                    f"{f['field']} {f['value']!r}: {f['rule']}"
                    for f in document.get("findings", [])
                ),
                rejected_at_ingestion=True,
            )
        )
    return rejected


def _line_number_as_sent(text: str) -> int:
    """The line number of a rejected record when it is one a line can have, else 0: a record is
    rejected for a 20-digit or fullwidth line number too, and it must still be listed."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_LINE_NUMBER)):
        return int(text)
    return 0
