"""DOMAIN.md §3 over one batch: invoice lines in, declared component lines and their audit out.

`calculate` is pure: it reads only its arguments (the reference data is an in-memory snapshot) and
returns a value, so tests and benchmarks call it directly and the service edge does the I/O.
What depends only on a material (weights, metal share, origin countries) is worked out once per
material, tariff decisions once per distinct decision (`TariffBook`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from contracts.datasets import (
    Component,
    CustomsLineV1,
    HeldBackLine,
    NormalizedInvoiceLine,
    ProductMasterRow,
)
from services.customs_generation.checks import declaration_problems
from services.customs_generation.declared import DeclaredShare, totals
from services.customs_generation.decomposition import ProductWeights, decompose, reconcile
from services.customs_generation.fees import allocate_pro_rata, entry_fees
from services.customs_generation.origins import MetalOrigins, metal_origins
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.results import (
    CalculationResult,
    CustomsException,
    ExceptionReason,
    PackagingLine,
    RateUsed,
    Reconciliation,
)
from services.customs_generation.tariff_book import TariffBook
from services.customs_generation.tariff_stack import TariffStack

_ZERO = Decimal(0)


class EntryKey(NamedTuple):
    """An entry is an invoice (DOMAIN.md §3.5); lines of one invoice entered on different days,
    ports or modes are separate entries with their own fees."""

    invoice_number: str
    entry_date: date
    port_of_entry: str
    transport_mode: str


@dataclass(frozen=True, slots=True)
class _Material:
    product: ProductMasterRow
    weights: ProductWeights
    metal_share_pct: Decimal
    origins: Mapping[Component, MetalOrigins]


def calculate(
    lines: Iterable[NormalizedInvoiceLine],
    reference: ReferenceSnapshot,
    calc_id: str,
    held_back: Iterable[HeldBackLine] = (),
) -> CalculationResult:
    """Customs lines of a batch under the reference rows valid at each line's entry date.

    `held_back` are the batch's lines that ingestion rejected or normalization kept out:
    exceptions, listed first."""
    with _cyclic_gc_paused():
        batch = _Batch(reference)
        for held in held_back:
            batch.hold_back(held)
        for line in lines:
            batch.add(line)
        return batch.result(calc_id)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A batch allocates tens of thousands of small objects that form no reference cycles; with
    the cyclic collector on, it re-traverses the growing batch over and over, which measured at
    more than the calculation itself. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Batch:
    def __init__(self, reference: ReferenceSnapshot) -> None:
        self._reference = reference
        self._tariffs = TariffBook(reference)
        self._materials: dict[tuple[str, date], _Material] = {}
        self._entries: dict[EntryKey, list[DeclaredShare]] = {}
        self._exceptions: list[CustomsException] = []
        self._packaging: list[PackagingLine] = []
        self._reconciliations: list[Reconciliation] = []

    def hold_back(self, line: HeldBackLine) -> None:
        reason = (
            ExceptionReason.REJECTED_AT_INGESTION
            if line.rejected_at_ingestion
            else ExceptionReason.HELD_BACK_BY_QUALITY
        )
        self._reject(line, reason, "; ".join(line.reasons))

    def add(self, line: NormalizedInvoiceLine) -> None:
        packaging = self._reference.packaging_material(line.material)
        if packaging is not None:
            self._packaging.append(
                PackagingLine(
                    invoice_number=line.invoice_number,
                    line_number=line.line_number,
                    material=line.material,
                    description=packaging.description,
                    packaging_type=packaging.packaging_type,
                    quantity=line.quantity,
                    value_usd=line.value_usd,
                )
            )
            return
        material = self._material(line)
        if material is not None:
            self._declare(line, material)

    def _material(self, line: NormalizedInvoiceLine) -> _Material | None:
        """The line's material with the weights valid at its entry date (DOMAIN.md §2)."""
        key = (line.material, line.entry_date)
        material = self._materials.get(key)
        if material is not None:
            return material
        product = self._reference.product_at(line.material, line.entry_date)
        if product is None:
            self._reject(
                line,
                ExceptionReason.MATERIAL_NOT_IN_MASTER,
                f"material {line.material} is not in the product master (ZEMM005); "
                "load it and recalculate",
            )
            return None
        if not product.net_weight_kg:
            self._reject(
                line,
                ExceptionReason.NET_WEIGHT_MISSING,
                f"material {line.material} has no ZFMIOR002 weight record valid on "
                f"{line.entry_date}; load its weight record and recalculate",
            )
            return None
        weights = ProductWeights(product.net_weight_kg, product.steel_kg, product.aluminum_kg)
        origins = {component: metal_origins(component, product) for component in Component}
        material = _Material(product, weights, weights.metal_share_pct, origins)
        self._materials[key] = material
        return material

    def _declare(self, line: NormalizedInvoiceLine, material: _Material) -> None:
        product, weights = material.product, material.weights
        tariff = self._tariffs.product_tariff(product, material.metal_share_pct, line.entry_date)
        shares = decompose(line.value_usd, line.quantity, weights, split=tariff.split)
        reconciliation = reconcile(line, weights, shares)
        self._reconciliations.append(reconciliation)
        problems = declaration_problems(
            line,
            hts_code=product.hts_code,
            hts_valid=tariff.hts is not None,
            shares=shares,
            origins=material.origins,
            reconciliation=reconciliation,
        )
        for reason, detail in problems:
            self._reject(line, reason, detail)
        if problems:
            return
        key = EntryKey(
            line.invoice_number, line.entry_date, line.port_of_entry, line.transport_mode
        )
        declared = self._entries.setdefault(key, [])
        for share in shares:
            stack, origins = tariff.stacks[share.component], material.origins[share.component]
            declared.append(DeclaredShare(line, product, share, stack, origins))

    def _reject(
        self, line: NormalizedInvoiceLine | HeldBackLine, reason: ExceptionReason, detail: str
    ) -> None:
        self._exceptions.append(
            CustomsException(
                extract_id=line.extract_id,
                record_index=line.record_index,
                invoice_number=line.invoice_number,
                line_number=line.line_number,
                material=line.material,
                reason=reason,
                detail=detail,
            )
        )

    def result(self, calc_id: str) -> CalculationResult:
        component_lines: list[CustomsLineV1] = []
        rates: dict[RateUsed, None] = {}
        stacks: set[TariffStack] = set()
        for key, declared in self._entries.items():
            values = [item.share.value_usd for item in declared]
            fees = entry_fees(
                self._reference.rules_at(key.entry_date), key.transport_mode, sum(values, _ZERO)
            )
            rates.update(dict.fromkeys(fees.rates))
            mpf_parts = allocate_pro_rata(fees.mpf_usd, values)
            hmf_parts = allocate_pro_rata(fees.hmf_usd, values)
            for item, mpf_usd, hmf_usd in zip(declared, mpf_parts, hmf_parts, strict=True):
                stacks.add(item.stack)
                component_lines.append(item.customs_line(calc_id, mpf_usd, hmf_usd))
        for stack in stacks:
            rates.update(dict.fromkeys(stack.rates))
        return CalculationResult(
            calc_id=calc_id,
            component_lines=tuple(component_lines),
            exceptions=tuple(self._exceptions),
            packaging_lines=tuple(self._packaging),
            reconciliations=tuple(self._reconciliations),
            rates_used=tuple(sorted(rates, key=_rate_order)),
            totals=totals(component_lines),
        )


def _rate_order(rate: RateUsed) -> tuple[str, str, str, date]:
    return (rate.program, rate.rule_id or "", rate.code or "", rate.valid_from)
