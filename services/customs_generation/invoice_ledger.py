"""The invoice as the unit of calculation (DOMAIN.md §3.8): its current lines, and which
calculation is its current one.

Normalization keeps every accepted version of every line in `ior-invoice-lines` (an item per
invoice and extract); a calculation
reads each invoice it touches whole (`current`), whichever extracts its lines came from, so an
invoice split over two files pays its fees once and a correction recalculates the invoice.

`ior-invoice-calculations` names each invoice's current calculation. Items are only ever
added, so the number of extracts read (`revision`) grows with every extract that touched the
invoice: a calculation becomes current only over one made from fewer extracts (a conditional
put), never by finishing later. The calculation it replaced is reported, so that audit marks it
superseded and the comparison stops waiting for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from contracts.datasets import (
    HeldBackLine,
    InvoiceLinesOfExtract,
    InvoiceLineVersion,
    NormalizedInvoiceLine,
)
from contracts.invoice_lines import current_lines, extracts_read
from contracts.topology import TABLE_INVOICE_CALCULATIONS, TABLE_INVOICE_LINES
from services.runtime.aws.parallel import side_by_side
from services.runtime.aws.reference_store import ReferenceStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class InvoiceState:
    """An invoice's current lines as read now, and from how many extracts they were chosen."""

    invoice_number: str
    standing: tuple[InvoiceLineVersion, ...]
    revision: int

    @property
    def lines(self) -> tuple[NormalizedInvoiceLine, ...]:
        return tuple(v.line for v in self.standing if v.line is not None)

    @property
    def held_back(self) -> tuple[HeldBackLine, ...]:
        return tuple(v.held_back for v in self.standing if v.held_back is not None)


@dataclass(frozen=True)
class Succession:
    """What a calculation's claim changed: invoice → calculation replaced, and invoice → the
    calculation of a later state that stays current instead."""

    supersedes: Mapping[str, str]
    superseded_by: Mapping[str, str]


class InvoiceLedger:
    def __init__(self, store: ReferenceStore, dynamodb: DynamoDBClient) -> None:
        self._store = store
        self._db = dynamodb

    def current(self, invoice_numbers: Sequence[str]) -> list[InvoiceState]:
        """Each invoice's current lines (one Query per invoice, side by side)."""
        return side_by_side(self._state, sorted(set(invoice_numbers)))

    def claim(
        self, calc_id: str, states: Sequence[InvoiceState], calculated_at: datetime
    ) -> Succession:
        """Make `calc_id` the current calculation of each invoice it was made from a later state
        of; a redelivered calculation claims again what it claimed (same answer)."""
        outcomes = side_by_side(lambda state: self._claim(calc_id, state, calculated_at), states)
        supersedes: dict[str, str] = {}
        superseded_by: dict[str, str] = {}
        for state, (claimed, other) in zip(states, outcomes, strict=True):
            if other is not None:
                (supersedes if claimed else superseded_by)[state.invoice_number] = other
        return Succession(supersedes, superseded_by)

    def _state(self, invoice_number: str) -> InvoiceState:
        items = self._store.partition_rows(
            TABLE_INVOICE_LINES, invoice_number, InvoiceLinesOfExtract
        )
        versions = (version for item in items for version in item.versions)
        return InvoiceState(invoice_number, tuple(current_lines(versions)), extracts_read(items))

    def _claim(
        self, calc_id: str, state: InvoiceState, calculated_at: datetime
    ) -> tuple[bool, str | None]:
        """(claimed, the other calculation involved: the one replaced, or the one kept).

        The pointer keeps the calculation it replaced, so a retried claim (the worker died
        before publishing) reports the same replacement again."""
        client = self._db
        key = {"invoice_number": {"S": state.invoice_number}}
        try:
            item = client.update_item(
                TableName=TABLE_INVOICE_CALCULATIONS,
                Key=key,
                UpdateExpression=(
                    "SET previous_calc_id = if_not_exists(calc_id, :none), calc_id = :calc_id, "
                    "revision = :revision, calculated_at = :at"
                ),
                ConditionExpression="attribute_not_exists(invoice_number) OR revision < :revision",
                ExpressionAttributeValues={
                    ":calc_id": {"S": calc_id},
                    ":revision": {"N": str(state.revision)},
                    ":at": {"S": calculated_at.isoformat()},
                    ":none": {"S": ""},
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except client.exceptions.ConditionalCheckFailedException:
            # Not an error but an answer: a calculation of as many extracts holds the invoice
            # (this one, retried, or another); the pointer says which.
            item = client.get_item(
                TableName=TABLE_INVOICE_CALCULATIONS, Key=key, ConsistentRead=True
            )["Item"]
        current = item["calc_id"]["S"]
        if current != calc_id:
            return False, current
        previous = item.get("previous_calc_id", {}).get("S", "")
        return True, previous if previous and previous != calc_id else None
