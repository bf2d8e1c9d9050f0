"""The read model's two tables: applying `Changes`, and emptying them for a rebuild."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import structlog
from botocore.exceptions import ClientError

from contracts.topology import PORTAL_LINE_INDEXES, TABLE_PORTAL_LINES, TABLE_PORTAL_VIEWS
from services.portal import keys
from services.portal.changes import AddToSets, Changes, PutLines, SetFields, Supersede
from services.portal.codec import from_dynamo, to_dynamo, value
from services.portal.projection import SUPERSEDED_INVOICES
from services.runtime.aws.dynamo_batches import DynamoBatches
from services.runtime.errors import TransientAwsError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = structlog.get_logger("ior.portal")
_CONDITION_FAILED = "ConditionalCheckFailedException"
_DELETE_ATTEMPTS = 8


class ReadModelStore:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        views_table: str = TABLE_PORTAL_VIEWS,
        lines_table: str = TABLE_PORTAL_LINES,
    ) -> None:
        self._db = dynamodb
        self._batches = DynamoBatches(dynamodb)
        self._views = views_table
        self._lines = lines_table

    def apply(self, changes: Changes) -> None:
        for change in changes.views:
            if isinstance(change, SetFields):
                self._set_fields(change)
            else:
                self._add_to_sets(change)
        for supersession in changes.supersessions:
            self._supersede(supersession)
        for lines in changes.lines:
            self._put_lines(lines)

    def clear(self) -> int:
        """Delete every item of both tables (a rebuild starts from nothing); returns how many."""
        deleted = 0
        for table, key_names in (
            (self._views, ("pk", "sk")),
            (self._lines, ("entry_date", "line_key")),
        ):
            keys_of = [
                {name: item[name] for name in key_names} for item in self._scan(table, key_names)
            ]
            self._delete_all(table, keys_of)
            deleted += len(keys_of)
        return deleted

    def _set_fields(self, change: SetFields) -> None:
        names = {f"#f{i}": name for i, name in enumerate(change.fields)}
        values = {f":f{i}": value(v) for i, v in enumerate(change.fields.values())}
        request: dict[str, Any] = {
            "TableName": self._views,
            "Key": to_dynamo({"pk": change.pk, "sk": change.sk}),
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(names))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if change.newer_than is not None:
            index = list(change.fields).index(change.newer_than)
            request["ConditionExpression"] = (
                f"attribute_not_exists(#f{index}) OR #f{index} < :f{index}"
            )
        try:
            self._db.update_item(**request)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != _CONDITION_FAILED:
                raise
            log.info("portal.older_than_kept", pk=change.pk, attribute=change.newer_than)

    def _add_to_sets(self, change: AddToSets) -> None:
        names = {f"#s{i}": name for i, name in enumerate(change.sets)}
        values = {f":s{i}": {"SS": sorted(v)} for i, v in enumerate(change.sets.values())}
        self._db.update_item(
            TableName=self._views,
            Key=to_dynamo({"pk": change.pk, "sk": change.sk}),
            UpdateExpression="ADD " + ", ".join(f"#s{i} :s{i}" for i in range(len(names))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def _supersede(self, supersession: Supersede) -> None:
        """The replaced calculation's lines of the invoice leave the current lines."""
        stale = [
            {"entry_date": item["entry_date"], "line_key": item["line_key"]}
            for item in self._query_index(
                PORTAL_LINE_INDEXES["invoice_number"], "invoice_number", supersession.invoice_number
            )
            if item["calc_id"] == supersession.calc_id
        ]
        self._delete_all(self._lines, [to_dynamo(key) for key in stale])
        log.info(
            "portal.lines_superseded",
            invoice=supersession.invoice_number,
            calc_id=supersession.calc_id,
            by=supersession.superseded_by,
            lines=len(stale),
        )

    def _put_lines(self, lines: PutLines) -> None:
        # A later calculation may have arrived first and marked invoices of this one replaced.
        replaced = set(self._calc_item(lines.calc_id).get(SUPERSEDED_INVOICES, ()))
        items = [to_dynamo(line) for line in lines.lines if line["invoice_number"] not in replaced]
        self._batches.put_all(self._lines, items)

    def _calc_item(self, calc_id: str) -> dict[str, Any]:
        response = self._db.get_item(
            TableName=self._views,
            Key=to_dynamo({"pk": keys.calc_pk(calc_id), "sk": keys.CALC_SK}),
            ConsistentRead=True,
        )
        return from_dynamo(response.get("Item", {}))

    def _query_index(self, index: str, attribute: str, wanted: str) -> Iterator[dict[str, Any]]:
        paginator = self._db.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._lines,
            IndexName=index,
            KeyConditionExpression="#a = :v",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": {"S": wanted}},
        ):
            yield from (from_dynamo(item) for item in page.get("Items", []))

    def _scan(self, table: str, key_names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        paginator = self._db.get_paginator("scan")
        projection = ", ".join(f"#k{i}" for i in range(len(key_names)))
        names = {f"#k{i}": name for i, name in enumerate(key_names)}
        for page in paginator.paginate(
            TableName=table, ProjectionExpression=projection, ExpressionAttributeNames=names
        ):
            yield from page.get("Items", [])

    def _delete_all(self, table: str, keys_of: list[dict[str, Any]]) -> None:
        for start in range(0, len(keys_of), 25):
            self._delete_chunk(table, keys_of[start : start + 25])

    def _delete_chunk(self, table: str, chunk: list[dict[str, Any]]) -> None:
        pending: Any = [{"DeleteRequest": {"Key": key}} for key in chunk]
        for attempt in range(_DELETE_ATTEMPTS):
            response = self._db.batch_write_item(RequestItems={table: pending})
            pending = response.get("UnprocessedItems", {}).get(table, [])
            if not pending:
                return
            time.sleep(0.05 * 2**attempt)  # the table is throttling: wait before asking again
        raise TransientAwsError(f"{table}: {len(pending)} deletes still unprocessed")
