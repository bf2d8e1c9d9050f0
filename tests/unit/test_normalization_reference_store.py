"""The reference store's plumbing without AWS: item (de)serialisation, batching, retries, paging,
and the point-in-time lookups of a batch."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel

from contracts.datasets import CustomerRow, MatchStatus
from contracts.reference_batch import FeedSync, ReferenceBatch, valid_on
from contracts.topology import TABLE_CUSTOMERS, TABLE_HTS_CODES, TABLE_TARIFF_RULES
from services.normalization.reference_rows import REFERENCE_FEEDS
from services.runtime.aws.dynamo_batches import DynamoBatches
from services.runtime.aws.reference_store import ReferenceStore, from_item, to_item
from services.runtime.errors import ReferenceRowUnreadable, TransientAwsError
from tests.unit.test_normalization_factories import (
    RowsInMemory,
    customer,
    hts,
    product,
    reference,
    rule,
)

D = Decimal


class FakeDynamoDB:
    """Records BatchWriteItem calls; can leave the last item unprocessed for a few rounds."""

    def __init__(self, unprocessed_rounds: int = 0, pages: list[list[dict]] | None = None):
        self.batches: list[list[dict]] = []
        self.unprocessed_rounds = unprocessed_rounds
        self.pages = pages or []
        self.scans: list[dict] = []

    def batch_write_item(self, RequestItems):
        [(table, requests)] = RequestItems.items()
        self.batches.append(requests)
        if self.unprocessed_rounds:
            self.unprocessed_rounds -= 1
            return {"UnprocessedItems": {table: requests[-1:]}}
        return {"UnprocessedItems": {}}

    def scan(self, **kwargs):
        self.scans.append(kwargs)
        page = len(self.scans) - 1
        response = {"Items": self.pages[page]}
        if page + 1 < len(self.pages):
            response["LastEvaluatedKey"] = {"customer_id": {"S": str(page)}}
        return response


def store(client: FakeDynamoDB, **kwargs) -> ReferenceStore:
    return ReferenceStore(client, DynamoBatches(client, sleep=lambda seconds: None, **kwargs))


def test_item_has_decimals_as_numbers_dates_as_iso_text_and_no_none_fields():
    item = to_item(product(weight_valid_from=date(2025, 6, 1)))
    assert item["net_weight_kg"] == {"N": "52.0"}
    assert item["weight_valid_from"] == {"S": "2025-06-01"}
    assert item["material"] == {"S": "000000000010004711"}
    assert "gross_weight_kg" not in item and "aluminum_smelt_country" not in item


def test_item_has_lists_and_flags():
    item = to_item(customer("0000100001", "Sleep Number Corporation", "SleepNumber"))
    assert item["aliases"] == {"L": [{"S": "SleepNumber"}]}
    assert item["active"] == {"BOOL": True}


def test_rows_survive_the_round_trip_through_an_item():
    for row in (product(), customer("1", "A", "B", "C"), rule(valid_to=date(2026, 4, 5)), hts()):
        assert from_item(type(row), to_item(row)) == row


class Stamped(BaseModel):
    status: MatchStatus
    at: datetime


def test_enumerations_are_their_text_and_times_keep_their_zone():
    item = to_item(Stamped(status=MatchStatus.REVIEW, at=datetime(2026, 11, 22, 2, tzinfo=UTC)))
    assert item == {"status": {"S": "review"}, "at": {"S": "2026-11-22T02:00:00+00:00"}}
    assert from_item(Stamped, item).at == datetime(2026, 11, 22, 2, tzinfo=UTC)


def customers_snapshot(client: FakeDynamoDB, rows: list[CustomerRow], **kwargs) -> int:
    row_key = REFERENCE_FEEDS["ZSDR010"].row_key
    return store(client, **kwargs).write_snapshot(TABLE_CUSTOMERS, "ZSDR010-1", rows, row_key)


def test_rows_are_written_25_per_request():
    client = FakeDynamoDB()
    rows = [customer(f"{i:010d}", f"Customer {i}") for i in range(60)]
    assert customers_snapshot(client, rows) == 60
    assert [len(batch) for batch in client.batches] == [25, 25, 10]


def test_snapshot_rows_carry_their_snapshot_and_row_key():
    client = FakeDynamoDB()
    customers_snapshot(client, [customer("0000000001", "A")])
    [[request]] = client.batches
    item = request["PutRequest"]["Item"]
    assert (item["snapshot"], item["row_key"]) == ({"S": "ZSDR010-1"}, {"S": "0000000001"})


def test_rows_with_the_same_key_collapse_to_the_last():
    client = FakeDynamoDB()
    rows = [customer("0000000001", "Old name"), customer("0000000001", "New name")]
    assert customers_snapshot(client, rows) == 1
    [[request]] = client.batches
    assert request["PutRequest"]["Item"]["name"] == {"S": "New name"}


def test_hts_rows_of_one_code_differing_in_validity_are_distinct():
    rows = [hts(valid_from="2022-01-01", valid_to="2026-06-30"), hts(valid_from="2026-07-01")]
    row_key = REFERENCE_FEEDS["ZFMIOR003"].row_key
    assert store(FakeDynamoDB()).write_snapshot(TABLE_HTS_CODES, "H", rows, row_key) == 2


def test_unprocessed_items_are_sent_again_until_written():
    client = FakeDynamoDB(unprocessed_rounds=2)
    customers_snapshot(client, [customer("1", "A"), customer("2", "B")])
    assert [len(batch) for batch in client.batches] == [2, 1, 1]


def test_items_still_unprocessed_after_every_attempt_fail_transiently():
    client = FakeDynamoDB(unprocessed_rounds=10)
    with pytest.raises(TransientAwsError, match="unprocessed"):
        customers_snapshot(client, [customer("1", "A")], max_attempts=3)


def test_an_item_that_no_longer_parses_is_a_permanent_error_naming_table_and_row():
    item = {"row_key": {"S": "0000000001"}, "customer_id": {"S": "0000000001"}}
    with pytest.raises(ReferenceRowUnreadable, match="ior-customer-master row '0000000001'"):
        from_item(CustomerRow, item, TABLE_CUSTOMERS)


def test_a_scan_follows_every_page_with_consistent_reads():
    pages = [[to_item(customer("1", "A"))], [to_item(customer("2", "B"))]]
    client = FakeDynamoDB(pages=pages)
    rows = store(client).scan_rows(TABLE_CUSTOMERS, CustomerRow)
    assert [row.customer_id for row in rows] == ["1", "2"]
    assert all(call["ConsistentRead"] for call in client.scans)
    assert client.scans[1]["ExclusiveStartKey"] == {"customer_id": {"S": "0"}}


def test_feed_sync_points_at_its_accepted_records():
    sync = FeedSync(
        feed="ZEMM005",
        table="ior-product-master",
        extract_id="ZEMM005-20261122-0001",
        extracted_at=datetime(2026, 11, 22, 1, tzinfo=UTC),
        synced_at=datetime(2026, 11, 22, 2, tzinfo=UTC),
        row_count=14,
        records_uri="s3://ior-processed/extracts/ZEMM005/x.jsonl",
        records_sha256="a" * 64,
    )
    assert (sync.records.uri, sync.records.row_count) == (sync.records_uri, 14)


@pytest.mark.parametrize(
    "day,valid",
    [(date(2021, 12, 31), False), (date(2022, 1, 1), True), (date(2026, 6, 30), True),
     (date(2026, 7, 1), False)],
)  # fmt: skip
def test_validity_includes_both_ends(day, valid):
    assert valid_on(date(2022, 1, 1), date(2026, 6, 30), day) is valid


def test_open_ended_validity_never_ends():
    assert valid_on(date(2022, 1, 1), None, date(2999, 1, 1))


MATTRESS = "9404210010"
RATE_CHANGE = [
    hts(MATTRESS, "2022-01-01", "2026-06-30", rate="3.0"),
    hts(MATTRESS, "2026-07-01", None, rate="3.5"),
]


@pytest.mark.parametrize(
    "day,rate",
    [(date(2026, 6, 30), D("3.0")), (date(2026, 7, 1), D("3.5")), (date(2021, 12, 31), None)],
)
def test_hts_rate_is_the_one_valid_on_the_day(day, rate):
    batch = ReferenceBatch(RowsInMemory({TABLE_HTS_CODES: RATE_CHANGE}))
    found = batch.hts_at(MATTRESS, day)
    assert (found.general_rate_pct if found else None) == rate


def test_overlapping_hts_ranges_resolve_to_the_latest_start():
    overlapping = [hts(valid_from="2022-01-01", rate="1"), hts(valid_from="2025-01-01", rate="2")]
    batch = ReferenceBatch(RowsInMemory({TABLE_HTS_CODES: overlapping}))
    assert batch.hts_at("9403200080", date(2025, 6, 1)).general_rate_pct == D(2)


def test_rules_are_valid_through_their_last_day_and_loaded_once():
    rules = [rule("R232", valid_from=date(2025, 6, 4), valid_to=date(2026, 4, 5)), rule("R301")]
    source = RowsInMemory({TABLE_TARIFF_RULES: rules})
    batch = ReferenceBatch(source)
    assert [r.rule_id for r in batch.rules_at(date(2026, 4, 5))] == ["R232", "R301"]
    assert [r.rule_id for r in batch.rules_at(date(2026, 4, 6))] == ["R301"]
    assert source.scans[TABLE_TARIFF_RULES] == 1


def test_a_product_carries_the_weight_record_valid_at_the_entry_date():
    older = product(net_weight_kg=D("54.0"), weight_valid_from=date(2024, 3, 1))
    newer = product(net_weight_kg=D("52.0"), weight_valid_from=date(2025, 6, 1))
    batch = reference(products=[older, newer])
    assert batch.product_at(older.material, date(2025, 5, 31)).net_weight_kg == D("54.0")
    assert batch.product_at(older.material, date(2025, 6, 1)).net_weight_kg == D("52.0")
    assert batch.product_at(older.material, date(2024, 2, 29)).net_weight_kg is None


def test_a_material_not_in_zemm005_has_no_product():
    assert reference().product_at("NOT-THERE", date(2025, 6, 1)) is None


def test_the_batch_names_the_snapshot_of_every_feed_it_read():
    batch = reference()
    batch.rules_at(date(2025, 6, 1))
    assert {feed: sync.extract_id for feed, sync in batch.snapshots.items()} == {
        "ZEMM007": "S-ZEMM007"
    }
