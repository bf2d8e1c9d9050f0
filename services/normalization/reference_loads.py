"""The weekly feeds into their DynamoDB tables, each load stamped as the feed's last SAP sync.

The product master joins two feeds that arrive as separate extracts (ZEMM005 materials, ZFMIOR002
weights), possibly handled at the same time by two workers. Each run therefore stamps its own
extract first, then rebuilds the master from the latest extract of both feeds, and checks after
writing that neither changed meanwhile (otherwise it rebuilds again). Of two concurrent runs at
least one sees both stamps, and the last write is always one made from both: the master ends up
the same whichever extract arrived last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from contracts.datasets import ProductMasterRow
from contracts.events import ExtractAcceptedV1, ReferenceUpdatedV1
from contracts.feeds import FeedRecord, Zemm005Record, Zfmior002Record
from contracts.topology import TABLE_PRODUCT_MASTER
from services.normalization.errors import ProductMasterUnsettled
from services.normalization.outcome import LoadOutcome
from services.normalization.product_master import latest_weights, merge_product_master
from services.normalization.records import Indexed, R, parse_records
from services.normalization.reference_rows import REFERENCE_FEEDS
from services.runtime.blobs import BlobStore
from services.runtime.reference_store import FeedSync, ReferenceStore

MATERIALS_FEED = Zemm005Record.FEED
WEIGHTS_FEED = Zfmior002Record.FEED
_MAX_MASTER_ROUNDS = 5


class ReferenceLoader:
    def __init__(
        self, blobs: BlobStore, store: ReferenceStore, clock: Callable[[], datetime]
    ) -> None:
        self._blobs = blobs
        self._store = store
        self._clock = clock

    def load_table(
        self, accepted: ExtractAcceptedV1, records: Sequence[Indexed[FeedRecord]]
    ) -> LoadOutcome:
        """ZFMIOR003, ZEMM007, ZEMM006, ZSDR010: one row per record, upserted by key."""
        feed = REFERENCE_FEEDS[accepted.feed]
        row_count = self._store.write_rows(feed.table, feed.rows(records))
        sync = self._sync(accepted, feed.table)
        self._store.stamp(sync)
        return LoadOutcome((_updated(sync, row_count),))

    def load_product_master(
        self, accepted: ExtractAcceptedV1, records: Sequence[Indexed[FeedRecord]]
    ) -> LoadOutcome:
        """ZEMM005 or ZFMIOR002: the whole master rebuilt from the latest extract of both.

        `records` goes unused: the rebuild reads both feeds' extracts through their sync stamps,
        which name this extract too, so the two feeds are merged by one code path.
        """
        sync = self._sync(accepted, TABLE_PRODUCT_MASTER)
        self._store.stamp(sync)  # first: a concurrent run of the other feed must see it
        rows = self._rebuild_master()
        return LoadOutcome((_updated(sync, len(rows)),))

    def _rebuild_master(self) -> list[ProductMasterRow]:
        syncs = self._master_syncs()
        for _ in range(_MAX_MASTER_ROUNDS):
            rows = self._merged(*syncs)
            self._store.write_rows(TABLE_PRODUCT_MASTER, rows)
            latest = self._master_syncs()
            if _sources(latest) == _sources(syncs):
                return rows
            syncs = latest
        raise ProductMasterUnsettled(
            f"ZEMM005/ZFMIOR002 changed {_MAX_MASTER_ROUNDS} times while the product master "
            "was rebuilt; the run is retried"
        )

    def _master_syncs(self) -> tuple[FeedSync | None, FeedSync | None]:
        return self._store.last_sync(MATERIALS_FEED), self._store.last_sync(WEIGHTS_FEED)

    def _merged(
        self, materials: FeedSync | None, weights: FeedSync | None
    ) -> list[ProductMasterRow]:
        if materials is None:
            return []  # weights alone make no master row: they wait for ZEMM005
        material_records = self._records(materials, Zemm005Record)
        weight_records: list[Indexed[Zfmior002Record]] = []
        as_of = materials.extracted_at.date()
        if weights is not None:
            weight_records = self._records(weights, Zfmior002Record)
            # "Latest valid" as of the newer of the two extracts: the master as SAP knows it now.
            as_of = max(as_of, weights.extracted_at.date())
        return merge_product_master(
            material_records, latest_weights(weight_records, as_of), materials.extract_id
        )

    def _records(self, sync: FeedSync, model: type[R]) -> list[Indexed[R]]:
        return parse_records(self._blobs.get_verified(sync.records), model)

    def _sync(self, accepted: ExtractAcceptedV1, table: str) -> FeedSync:
        return feed_sync(accepted, table, self._clock())


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
    )


def _sources(syncs: tuple[FeedSync | None, ...]) -> tuple[str | None, ...]:
    return tuple(None if sync is None else sync.records_uri for sync in syncs)


def _updated(sync: FeedSync, row_count: int) -> ReferenceUpdatedV1:
    return ReferenceUpdatedV1(
        table=sync.table,
        feed=sync.feed,
        extract_id=sync.extract_id,
        row_count=row_count,
        synced_at=sync.synced_at,
    )
