"""Per invoice, what comparison knows of it: SAP's declaration and the calculations awaiting it.

`declared-lines.normalized` and `customs-lines.generated` arrive in any order, so each looks the
other up by invoice number. One DynamoDB item per invoice holds both: the declaration (the latest
ZSDR002 dataset that declares the invoice) and the set of CALC-IDs waiting for one. A ZSDR002 of
500 invoices costs 5 TransactWriteItems and 5 BatchGetItem, where one S3 object per invoice cost
1,500 requests. Adding to the set is DynamoDB's atomic ADD, so workers registering calculations
for the same invoice at the same moment cannot lose one another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from contracts.events.refs import ObjectRef
from contracts.topology import TABLE_COMPARISON_INVOICES
from services.runtime.dynamo_batches import DynamoBatches, Update

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_KEY = "invoice_number"
_DECLARATION = "declaration"
_PENDING = "pending_calcs"


class Declaration(BaseModel):
    """The ZSDR002 dataset that declares an invoice; SAP re-sends an invoice to correct it, so
    the latest arrival wins."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    invoice_number: str
    extract_id: str
    lines: ObjectRef


@dataclass(frozen=True)
class InvoiceState:
    declaration: Declaration | None = None
    pending_calcs: frozenset[str] = field(default_factory=frozenset)


class InvoiceIndex:
    def __init__(self, dynamodb: DynamoDBClient, table: str = TABLE_COMPARISON_INVOICES) -> None:
        self._batches = DynamoBatches(dynamodb)
        self._table = table

    def declare(self, declarations: Iterable[Declaration]) -> None:
        """Record each invoice's declaration, keeping the calculations that wait for it."""
        latest = {d.invoice_number: d for d in declarations}
        self._batches.update_all(
            self._table,
            [
                Update(
                    _key(invoice),
                    f"SET {_DECLARATION} = :declaration",
                    {":declaration": {"S": declaration.model_dump_json()}},
                )
                for invoice, declaration in sorted(latest.items())
            ],
        )

    def await_declarations(self, invoice_numbers: Iterable[str], calc_id: str) -> None:
        """Register `calc_id` as waiting for SAP to declare these invoices."""
        self._batches.update_all(
            self._table,
            [
                Update(_key(invoice), f"ADD {_PENDING} :calc", {":calc": {"SS": [calc_id]}})
                for invoice in sorted(set(invoice_numbers))
            ],
        )

    def read(self, invoice_numbers: Iterable[str]) -> dict[str, InvoiceState]:
        """What is known of these invoices; an invoice never seen is absent."""
        keys = [_key(invoice) for invoice in sorted(set(invoice_numbers))]
        return {item[_KEY]["S"]: _state(item) for item in self._batches.get_all(self._table, keys)}


def _key(invoice_number: str) -> dict[str, dict[str, str]]:
    return {_KEY: {"S": invoice_number}}


def _state(item: Mapping[str, Any]) -> InvoiceState:
    declaration = item.get(_DECLARATION, {}).get("S")
    return InvoiceState(
        declaration=None if declaration is None else Declaration.model_validate_json(declaration),
        pending_calcs=frozenset(item.get(_PENDING, {}).get("SS", ())),
    )
