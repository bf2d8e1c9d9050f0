"""The `COMPARISON` row of the feed-sync table: the last comparison, as `ior status` shows it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from contracts.topology import FEED_SYNC_COMPARISON, TABLE_FEED_SYNC
from services.comparison.results import ComparisonResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ComparisonStatus:
    def __init__(self, dynamodb: DynamoDBClient, table: str = TABLE_FEED_SYNC) -> None:
        self._db = dynamodb
        self._table = table

    def record(self, result: ComparisonResult, report_uri: str, at: datetime) -> None:
        counts = {
            "passed": result.passed,
            "failed": result.failed,
            "ours_only": len(result.ours_only),
            "theirs_only": len(result.theirs_only),
            "awaiting_sap": len(result.awaiting_sap),
        }
        self._db.put_item(
            TableName=self._table,
            Item={
                "feed": {"S": FEED_SYNC_COMPARISON},
                "calc_id": {"S": result.calc_id},
                "result": {"S": str(result.outcome)},
                "report_uri": {"S": report_uri},
                "at": {"S": at.isoformat()},
                **{name: {"N": str(count)} for name, count in counts.items()},
            },
        )
