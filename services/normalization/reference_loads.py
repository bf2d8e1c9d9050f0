"""The weekly feeds into their snapshot tables, each load stamped as the feed's last SAP sync.

A weekly extract is the whole table (DOMAIN.md §1): its rows are written as a snapshot of their
own, then the stamp makes that snapshot the one in force. Writing first means a reader never sees
half a snapshot; the stamp's condition means an older extract handled late (a replay, a slow
worker) never replaces a newer one - it is reported and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from contracts.events import ExtractAcceptedV1, ReferenceUpdatedV1
from contracts.feeds import FeedRecord
from contracts.quality_rules import Rule
from contracts.reference_batch import FeedSync
from contracts.topology import SNAPSHOT_TABLES
from services.normalization.outcome import LoadOutcome
from services.normalization.quality import Finding
from services.normalization.records import Indexed
from services.normalization.reference_rows import REFERENCE_FEEDS
from services.runtime.aws.reference_store import ReferenceStore

log = structlog.get_logger("ior.normalization")


class ReferenceLoader:
    def __init__(self, store: ReferenceStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def load_snapshot(
        self, accepted: ExtractAcceptedV1, records: Sequence[Indexed[FeedRecord]]
    ) -> LoadOutcome:
        """A weekly extract as its feed's snapshot; in force unless a later one is already."""
        feed, table = REFERENCE_FEEDS[accepted.feed], SNAPSHOT_TABLES[accepted.feed]
        row_count = self._store.write_snapshot(
            table, accepted.extract_id, feed.rows(records), feed.row_key
        )
        sync = feed_sync(accepted, table, self._clock())
        if self._store.stamp(sync):
            return LoadOutcome((_updated(sync, row_count),))
        current = self._store.last_sync(accepted.feed)
        log.warning("reference.snapshot_outdated", feed=accepted.feed, current=current)
        return LoadOutcome((), (_outdated(accepted, current),))


def feed_sync(accepted: ExtractAcceptedV1, table: str, synced_at: datetime) -> FeedSync:
    """The stamp saying "`table` now holds this extract" (the feed's last SAP sync)."""
    return FeedSync(
        feed=accepted.feed,
        table=table,
        extract_id=accepted.extract_id,
        extracted_at=accepted.extracted_at,
        synced_at=synced_at,
        row_count=accepted.records.row_count,
        records_uri=accepted.records.uri,
        records_sha256=accepted.records.sha256,
        source_uri=accepted.source_uri,
        source_sha256=accepted.sha256,
        source_record_count=accepted.records.row_count + accepted.rejected_count,
    )


def _outdated(accepted: ExtractAcceptedV1, current: FeedSync | None) -> Finding:
    newer = "a later extract" if current is None else current.extract_id
    at = "" if current is None else f" (extracted {current.extracted_at.isoformat()})"
    return Finding(
        feed=accepted.feed,
        extract_id=accepted.extract_id,
        record_index=None,
        field="extracted_at",
        value=accepted.extracted_at.isoformat(),
        rule=Rule.SNAPSHOT_OUTDATED,
        detail=f"{newer}{at} is in force already; this older snapshot was not applied",
    )


def _updated(sync: FeedSync, row_count: int) -> ReferenceUpdatedV1:
    return ReferenceUpdatedV1(
        table=sync.table,
        feed=sync.feed,
        extract_id=sync.extract_id,
        row_count=row_count,
        synced_at=sync.synced_at,
    )
