"""What the fills of the broker workbook mean, defined once for the rows and for their key.

A broker needs to see at a glance which lines carry metal (Section 232 content, melt-and-pour or
smelt-and-cast origin to check) and which do not. A FULL line is an unsplit invoice line: it
carries metal when its product contains steel or aluminum, which the calculation records as the
metal's origin country on the line (`services.customs_generation.origins`), so a FULL line with
metal is told apart from a FULL line of a product without any.
"""

from __future__ import annotations

from enum import StrEnum

from contracts.datasets import Component, CustomsLineV1


class RowKind(StrEnum):
    STEEL = "Steel component"
    ALUMINUM = "Aluminum component"
    FULL_WITH_METAL = "Whole line, product contains steel or aluminum"
    NO_METAL = "No metal (non-metal component, or whole line without metal)"


ROW_FILLS: dict[RowKind, str | None] = {
    RowKind.STEEL: "#BDD7EE",
    RowKind.ALUMINUM: "#F8CBAD",
    RowKind.FULL_WITH_METAL: "#FFE699",
    RowKind.NO_METAL: None,
}

IOR_HEADER_FILL = "#1F3864"
BROKER_HEADER_FILL = "#D9D9D9"
IOR_HEADER_MEANING = "Column filled by ior from the SAP extracts"
BROKER_HEADER_MEANING = "Column the broker fills in (ior does not hold this data)"


def row_kind(line: CustomsLineV1) -> RowKind:
    if line.component is Component.STEEL:
        return RowKind.STEEL
    if line.component is Component.ALUMINUM:
        return RowKind.ALUMINUM
    if line.component is Component.FULL and (line.melt_pour_country or line.smelt_country):
        return RowKind.FULL_WITH_METAL
    return RowKind.NO_METAL
