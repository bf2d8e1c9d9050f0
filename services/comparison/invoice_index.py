"""Per invoice, what comparison knows of it: SAP's declaration and the calculations awaiting it.

`declared-lines.normalized` and `customs-lines.generated` arrive in any order, so each looks the
other up by invoice number, in DynamoDB (`ior-comparison-invoices`), two items per invoice:
- `declaration`: the latest ZSDR002 dataset that declares the invoice, put whole with
  BatchWriteItem (SAP re-sends an invoice to correct it: the latest arrival replaces the item);
- `pending`: the set of CALC-IDs waiting for a declaration, grown with the atomic ADD of
  TransactWriteItems, so workers registering calculations for the same invoice at the same moment
  cannot lose one another's. Only calculations that arrive before SAP's lines write it.
A ZSDR002 of 500 invoices costs 20 BatchWriteItem and 5 BatchGetItem, where one S3 object per
invoice cost 1,500 requests. (moto copies the whole table for each action of a transaction, which
is why declarations, the common path, are not written as transactions.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from contracts.events.refs import ObjectRef
from contracts.topology import TABLE_COMPARISON_INVOICES
from services.runtime.aws.dynamo_batches import DynamoBatches, Update

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_KEY = "invoice_number"
_KIND = "kind"
_DECLARATION = "declaration"
_PENDING = "pending"
_CALCULATION = "calculation"
_CALC_IDS = "calc_ids"


class Declaration(BaseModel):
    """The ZSDR002 dataset that declares an invoice; SAP re-sends an invoice to correct it, so
    the latest arrival wins."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    invoice_number: str
    extract_id: str
    lines: ObjectRef


class InvoiceIndex:
    def __init__(self, dynamodb: DynamoDBClient, table: str = TABLE_COMPARISON_INVOICES) -> None:
        self._batches = DynamoBatches(dynamodb)
        self._table = table

    def declare(self, declarations: Iterable[Declaration]) -> None:
        """Record each invoice's declaration (the last one given for an invoice wins)."""
        latest = {d.invoice_number: d for d in declarations}
        self._batches.put_all(
            self._table,
            [
                {**_key(invoice, _DECLARATION), _DECLARATION: {"S": declaration.model_dump_json()}}
                for invoice, declaration in sorted(latest.items())
            ],
        )

    def await_declarations(self, invoice_numbers: Iterable[str], calc_id: str) -> None:
        """Register `calc_id` as waiting for SAP to declare these invoices."""
        self._batches.update_all(
            self._table,
            [
                Update(
                    _key(invoice, _PENDING), f"ADD {_CALC_IDS} :calc", {":calc": {"SS": [calc_id]}}
                )
                for invoice in sorted(set(invoice_numbers))
            ],
        )

    def stop_waiting(self, calcs_by_invoice: Mapping[str, str]) -> None:
        """Take each calculation off its invoice's waiting set (another replaced it there)."""
        self._batches.update_all(
            self._table,
            [
                Update(
                    _key(invoice, _PENDING),
                    f"DELETE {_CALC_IDS} :calc",
                    {":calc": {"SS": [calc_id]}},
                )
                for invoice, calc_id in sorted(calcs_by_invoice.items())
            ],
        )

    def remember_calculation(self, invoice_numbers: Iterable[str], calculation: str) -> None:
        """Record `calculation` (as text) as the one to compare these invoices with from now on:
        a corrected ZSDR002 re-runs it."""
        self._batches.put_all(
            self._table,
            [
                {**_key(invoice, _CALCULATION), _CALCULATION: {"S": calculation}}
                for invoice in sorted(set(invoice_numbers))
            ],
        )

    def calculations(self, invoice_numbers: Iterable[str]) -> dict[str, str]:
        """The calculation remembered for each of these invoices (as text), where there is one."""
        items = self._read(invoice_numbers, _CALCULATION)
        return {item[_KEY]["S"]: item[_CALCULATION]["S"] for item in items}

    def declarations(self, invoice_numbers: Iterable[str]) -> dict[str, Declaration]:
        """The declarations of these invoices that have arrived; undeclared ones are absent."""
        items = self._read(invoice_numbers, _DECLARATION)
        return {
            item[_KEY]["S"]: Declaration.model_validate_json(item[_DECLARATION]["S"])
            for item in items
        }

    def waiting(self, invoice_numbers: Iterable[str]) -> set[str]:
        """The CALC-IDs waiting for any of these invoices."""
        items = self._read(invoice_numbers, _PENDING)
        return {calc_id for item in items for calc_id in item[_CALC_IDS]["SS"]}

    def _read(self, invoice_numbers: Iterable[str], kind: str) -> list[dict[str, Any]]:
        keys = [_key(invoice, kind) for invoice in sorted(set(invoice_numbers))]
        return self._batches.get_all(self._table, keys)


def _key(invoice_number: str, kind: str) -> dict[str, dict[str, str]]:
    return {_KEY: {"S": invoice_number}, _KIND: {"S": kind}}
