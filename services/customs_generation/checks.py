"""Why a decomposed invoice line cannot be declared (DOMAIN.md §3.6-3.7).

Each problem keeps the whole invoice line out of the declared lines; nothing is ever adjusted to
make a line pass. The detail says what was found and which feed to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from contracts.datasets import Component, NormalizedInvoiceLine
from services.customs_generation.decomposition import ComponentShare
from services.customs_generation.origins import MetalOrigins
from services.customs_generation.results import ExceptionReason, Reconciliation


class Problem(NamedTuple):
    reason: ExceptionReason
    detail: str


def declaration_problems(
    line: NormalizedInvoiceLine,
    *,
    hts_code: str,
    hts_valid: bool,
    shares: tuple[ComponentShare, ...],
    origins: Mapping[Component, MetalOrigins],
    reconciliation: Reconciliation,
) -> list[Problem]:
    problems: list[Problem] = []
    if not hts_valid:
        problems.append(
            Problem(
                ExceptionReason.HTS_NOT_VALID_AT_ENTRY_DATE,
                f"HTS {hts_code} of material {line.material} is not valid in ZFMIOR003 on "
                f"entry date {line.entry_date}; load the HTS row",
            )
        )
    incomplete = [share.component for share in shares if not origins[share.component].complete]
    if incomplete:
        problems.append(
            Problem(
                ExceptionReason.METAL_ORIGIN_MISSING,
                f"{', '.join(incomplete)} line of material {line.material} lacks its "
                "melt-and-pour / smelt / cast country; complete ZFMIOR002",
            )
        )
    if not shares:
        problems.append(
            Problem(
                ExceptionReason.NO_COMPONENT,
                f"the net weight of {line.quantity} x material {line.material} rounds to 0 kg, "
                "so no component line can be declared; check quantity and ZFMIOR002 weights",
            )
        )
    if any(share.value_usd < 0 or share.net_weight_kg < 0 for share in shares):
        problems.append(
            Problem(
                ExceptionReason.NEGATIVE_COMPONENT,
                f"a component of material {line.material} comes out negative "
                f"({_describe(shares)}); check the ZFMIOR002 metal weights",
            )
        )
    if not reconciliation.balanced:
        problems.append(
            Problem(
                ExceptionReason.RECONCILIATION_FAILED,
                f"components ({_describe(shares)}) add up to "
                f"{reconciliation.component_value_usd} USD and "
                f"{reconciliation.component_weight_kg} kg, not to the line's "
                f"{reconciliation.value_usd} USD and {reconciliation.weight_kg} kg",
            )
        )
    return problems


def _describe(shares: tuple[ComponentShare, ...]) -> str:
    return ", ".join(
        f"{share.component} {share.value_usd} USD {share.net_weight_kg} kg" for share in shares
    )
