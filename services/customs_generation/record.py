"""The calculation as the audit trail keeps it: `CalculationRecordV1` (DOMAIN.md §4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts import datasets
from contracts.events import ObjectRef
from services.customs_generation.invoice_ledger import Succession
from services.customs_generation.results import CalculationResult, RateUsed

PRODUCER = "ior.customs_generation@0.1.0"


def calculation_record(
    result: CalculationResult,
    *,
    calculated_at: datetime,
    inputs: Sequence[datasets.InputFile],
    reference_versions: dict[str, str],
    po_numbers: Sequence[str],
    lines: ObjectRef,
    workbook_uri: str,
    succession: Succession,
) -> datasets.CalculationRecordV1:
    totals = result.totals
    return datasets.CalculationRecordV1(
        calc_id=result.calc_id,
        calculated_at=calculated_at.isoformat(),
        producer=PRODUCER,
        inputs=tuple(inputs),
        reference_versions=reference_versions,
        rates_used=tuple(_rate(rate) for rate in result.rates_used),
        invoice_numbers=tuple(sorted(_invoices(result))),
        po_numbers=tuple(po_numbers),
        line_count=len(result.component_lines),
        totals={
            "entered_value_usd": totals.entered_value_usd,
            "duty_usd": totals.duty_usd,
            "mpf_usd": totals.mpf_usd,
            "hmf_usd": totals.hmf_usd,
        },
        reconciliation=tuple(
            datasets.Reconciliation(
                invoice_number=r.invoice_number,
                line_number=r.line_number,
                value_usd=r.value_usd,
                components_value_usd=r.component_value_usd,
                net_weight_kg=r.weight_kg,
                components_weight_kg=r.component_weight_kg,
                passed=r.balanced,
            )
            for r in result.reconciliations
        ),
        exceptions=tuple(
            datasets.CalculationException(
                invoice_number=e.invoice_number,
                line_number=e.line_number,
                material=e.material,
                reason=f"{e.reason}: {e.detail}",
            )
            for e in result.exceptions
        ),
        packaging_lines=tuple(
            datasets.PackagingLine(
                invoice_number=p.invoice_number,
                line_number=p.line_number,
                material=p.material,
                description=p.description,
                value_usd=p.value_usd,
            )
            for p in result.packaging_lines
        ),
        lines_uri=lines.uri,
        lines_sha256=lines.sha256,
        workbook_uri=workbook_uri,
        supersedes=dict(succession.supersedes),
        superseded_by=dict(succession.superseded_by),
    )


def _rate(rate: RateUsed) -> datasets.RateUsed:
    source = rate.rule_id or f"HTS {rate.code} valid_from {rate.valid_from.isoformat()}"
    return datasets.RateUsed(
        program=rate.program,
        code=rate.code or "",
        rate_pct=rate.rate_pct,
        source=source,
        valid_from=rate.valid_from,
    )


def _invoices(result: CalculationResult) -> set[str]:
    """Every invoice of the calculation, also one whose lines were all held back."""
    return (
        {line.invoice_number for line in result.component_lines}
        | {exception.invoice_number for exception in result.exceptions}
        | {packaging.invoice_number for packaging in result.packaging_lines}
    )
