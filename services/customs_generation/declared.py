"""A component share that passed every check, and the customs-lines v1 row it becomes once the
entry fees are allocated (DOMAIN.md §3.7 and §4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.datasets import CustomsLineV1, NormalizedInvoiceLine, ProductMasterRow
from contracts.events.customs import CustomsTotalsV1
from services.customs_generation.decomposition import ComponentShare
from services.customs_generation.origins import MetalOrigins
from services.customs_generation.tariff_stack import TariffStack

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class DeclaredShare:
    line: NormalizedInvoiceLine
    product: ProductMasterRow
    share: ComponentShare
    stack: TariffStack
    origins: MetalOrigins

    def customs_line(self, calc_id: str, mpf_usd: Decimal, hmf_usd: Decimal) -> CustomsLineV1:
        """The row; the MID on the invoice line overrides the master's."""
        line, product, share = self.line, self.product, self.share
        layers = self.stack.duty_layers(share.value_usd)
        return CustomsLineV1(
            calc_id=calc_id,
            invoice_number=line.invoice_number,
            po_number=line.po_number,
            line_number=line.line_number,
            component=share.component,
            material=line.material,
            description=product.description,
            hts_code=product.hts_code,
            country_of_origin=product.country_of_origin,
            manufacturer_id=line.manufacturer_id or product.manufacturer_id,
            melt_pour_country=self.origins.melt_pour_country,
            smelt_country=self.origins.smelt_country,
            cast_country=self.origins.cast_country,
            quantity=line.quantity,
            unit=line.unit,
            net_weight_kg=share.net_weight_kg,
            entered_value_usd=share.value_usd,
            chapter99_codes=self.stack.chapter99_codes,
            duty_layers=layers,
            duty_usd=sum([layer.duty_usd for layer in layers], _ZERO),
            mpf_usd=mpf_usd,
            hmf_usd=hmf_usd,
            customer_id=line.customer_id,
            customer_match_score=line.customer_match_score,
            entry_date=line.entry_date,
            port_of_entry=line.port_of_entry,
        )


def totals(component_lines: Sequence[CustomsLineV1]) -> CustomsTotalsV1:
    return CustomsTotalsV1(
        entered_value_usd=sum([line.entered_value_usd for line in component_lines], _ZERO),
        duty_usd=sum([line.duty_usd for line in component_lines], _ZERO),
        mpf_usd=sum([line.mpf_usd for line in component_lines], _ZERO),
        hmf_usd=sum([line.hmf_usd for line in component_lines], _ZERO),
    )
