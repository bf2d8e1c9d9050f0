"""What normalization writes: records read back, datasets, report, PO rows, the merged master."""

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from contracts.datasets import NormalizedInvoiceLine, TariffRuleRow
from contracts.events import ExtractAcceptedV1, ObjectRef
from contracts.feeds import Zemm004Record, Zemm007Record, Zsdr010Record
from contracts.quality_rules import Rule
from contracts.reference_batch import FeedSync
from services.normalization.config import NormalizationConfig
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.dataset_files import parquet_partitions
from services.normalization.errors import AcceptedRecordsUnreadable
from services.normalization.invoices import normalize_invoices
from services.normalization.po_reference import po_reference_rows
from services.normalization.quality import Finding, Issue
from services.normalization.records import parse_records
from services.normalization.reference_loads import ReferenceLoader
from services.normalization.reference_rows import REFERENCE_FEEDS
from services.normalization.report import QualityReport, excluded_records
from services.runtime.aws.jsonlines import json_lines
from services.runtime.errors import SettingsError
from tests.unit.test_normalization_factories import (
    indexed,
    invoice,
    material,
    reference,
    weight,
)

D = Decimal
NOW = datetime(2026, 11, 22, 3, tzinfo=UTC)


def lines_of(*records):
    lookups = reference()
    return normalize_invoices(
        indexed(*records), "ZEMM004-1", lookups, CustomerMatcher(lookups.customers)
    )


def jsonl(*records) -> bytes:
    return b"".join(
        json.dumps({"record_index": i, **r.model_dump(mode="json")}).encode() + b"\n"
        for i, r in records
    )


def test_accepted_records_are_read_back_with_their_index():
    body = jsonl((0, invoice()), (3, invoice(line_number=20)))
    records = parse_records(body, Zemm004Record)
    assert [(i, r.line_number) for i, r in records] == [(0, 10), (3, 20)]


def test_a_record_that_no_longer_parses_is_a_permanent_error():
    with pytest.raises(AcceptedRecordsUnreadable, match="line 1") as raised:
        parse_records(b'{"record_index": 0, "quantity": "x"}\n', Zemm004Record)
    assert raised.value.permanent


def test_reference_records_become_the_rows_of_their_table():
    rule = Zemm007Record.model_validate({
        "rule_id": "RMPF", "program": "MPF", "chapter99_code": "", "product_category": "*",
        "hts_prefix": "*", "country_of_origin": "*", "component": "all", "rate_pct": "0.3464",
        "min_usd": "33.58", "max_usd": "651.50", "sequence": 90, "valid_from": "2025-10-01",
    })  # fmt: skip
    [row] = REFERENCE_FEEDS["ZEMM007"].rows(indexed(rule))
    assert isinstance(row, TariffRuleRow)
    assert (row.component, row.chapter99_code, row.max_usd) == ("ALL", None, D("651.50"))
    customer = Zsdr010Record.model_validate({
        "customer_id": "0000100001", "name": "Sleep Number Corporation",
        "aliases": "SleepNumber|Sleep Number Corp", "country": "US", "city": "Minneapolis",
        "active": "X",
    })  # fmt: skip
    [row] = REFERENCE_FEEDS["ZSDR010"].rows(indexed(customer))
    assert row.aliases == ("SleepNumber", "Sleep Number Corp")


def test_normalized_lines_are_json_lines_of_the_contract():
    run = lines_of(invoice())
    [line] = [
        NormalizedInvoiceLine.model_validate_json(x) for x in json_lines(run.lines).splitlines()
    ]
    assert line == run.lines[0]


def test_parquet_has_one_file_per_entry_date_with_exact_decimals(tmp_path):
    run = lines_of(
        invoice(),
        invoice(line_number=20, entry_date="2026-07-01", unit_price="4.05"),
        invoice(line_number=30, entry_date="2026-07-01"),
    )
    files = parquet_partitions(run.lines)
    assert {day: rows for day, (_, rows) in files.items()} == {
        date(2025, 9, 18): 1,
        date(2026, 7, 1): 2,
    }
    table = pq.read_table(io.BytesIO(files[date(2026, 7, 1)][0]))
    assert "entry_date" not in table.column_names  # Hive layout: the date is in the path
    assert table.column("value_usd").to_pylist()[0] == D("486.00")
    assert table.column("customer_match_status").to_pylist()[0] == "matched"


@pytest.mark.parametrize(
    "rate",
    [0.1388888888888889, "0.123456789012345678"],
    ids=["excel-float", "18-places"],
)
def test_parquet_keeps_an_exchange_rate_exactly_as_ingestion_accepted_it(rate):
    run = lines_of(invoice(currency="EUR", exchange_rate_to_usd=rate))
    [(body, _)] = parquet_partitions(run.lines).values()
    table = pq.read_table(io.BytesIO(body))
    assert table.column("exchange_rate_to_usd").to_pylist() == [D(str(rate))]


def test_parquet_partitions_read_back_as_one_hive_dataset(tmp_path):
    run = lines_of(invoice(), invoice(line_number=20, entry_date="2026-07-01"))
    for day, (body, _) in parquet_partitions(run.lines).items():
        folder = tmp_path / f"entry_date={day.isoformat()}"
        folder.mkdir()
        (folder / "part.parquet").write_bytes(body)
    table = ds.dataset(tmp_path, format="parquet", partitioning="hive").to_table()
    assert sorted(str(d) for d in table.column("entry_date").to_pylist()) == [
        "2025-09-18",
        "2026-07-01",
    ]


def test_po_reference_lists_every_line_and_whether_it_was_normalized():
    records = indexed(invoice(), invoice(line_number=20, material="UNKNOWN"))
    run = lines_of(*(record for _, record in records))
    rows = po_reference_rows(records, run.excluded, "ZEMM004-1")
    assert [(r.invoice_line, r.normalized) for r in rows] == [
        ("SFW-2508-0147#000010", True),
        ("SFW-2508-0147#000020", False),
    ]
    assert rows[0].po_number == "4500018231"


def finding(rule: Rule, index: int = 0, material: str | None = None) -> Finding:
    issue = Issue("field", "value", rule, "why", material)
    return Finding.of(issue, "ZEMM004", "ZEMM004-1", index)


def test_report_counts_errors_and_warnings_per_rule_errors_first():
    report = QualityReport(
        feed="ZEMM004",
        extract_id="ZEMM004-1",
        records_uri="s3://ior-processed/extracts/x.jsonl",
        generated_at=NOW,
        findings=(
            finding(Rule.CUSTOMER_UNMATCHED),
            finding(Rule.MATERIAL_NOT_IN_MASTER, 1, material="000000000010009001"),
            finding(Rule.CUSTOMER_UNMATCHED, 2),
        ),
        excluded_records=excluded_records(indexed(invoice())),
    )
    assert (report.error_count, report.warning_count) == (1, 2)
    assert [(e.rule, e.count) for e in report.summary()] == [
        (Rule.MATERIAL_NOT_IN_MASTER, 1),
        (Rule.CUSTOMER_UNMATCHED, 2),
    ]
    assert report.headline() == (
        "1 error, 2 warnings: material-not-in-master (1), customer-unmatched (2)"
    )
    document = json.loads(report.to_json())
    assert document["findings"][1] == {
        "feed": "ZEMM004",
        "extract_id": "ZEMM004-1",
        "record_index": 1,
        "field": "field",
        "value": "value",
        "rule": "material-not-in-master",
        "detail": "why",
        "material": "000000000010009001",
        "material_description": None,
        "severity": "error",
    }
    assert document["findings"][0]["material"] is None  # about the customer, not a material
    assert document["excluded_records"][0]["record_index"] == 0
    assert document["excluded_records"][0]["material"] == "000000000010004711"


def test_match_thresholds_come_from_the_environment():
    config = NormalizationConfig.from_env({"IOR_CUSTOMER_MATCH_MIN": "95"})
    assert (config.thresholds.matched, config.thresholds.review) == (D(95), D(80))
    assert NormalizationConfig.from_env({}).thresholds.matched == D(92)


def test_hts_expiry_warning_days_come_from_the_environment_30_unless_set():
    assert NormalizationConfig.from_env({}).hts_expiry_warning == timedelta(days=30)
    config = NormalizationConfig.from_env({"IOR_HTS_EXPIRY_WARNING_DAYS": "60"})
    assert config.hts_expiry_warning == timedelta(days=60)


@pytest.mark.parametrize(
    "env",
    [
        {"IOR_CUSTOMER_MATCH_MIN": "high"},
        {"IOR_CUSTOMER_REVIEW_MIN": "99"},
        {"IOR_HTS_EXPIRY_WARNING_DAYS": "a month"},
        {"IOR_HTS_EXPIRY_WARNING_DAYS": "-1"},
        {"IOR_HTS_EXPIRY_WARNING_DAYS": "9" * 20},
    ],
)
def test_unusable_settings_are_a_settings_error(env):
    with pytest.raises(SettingsError):
        NormalizationConfig.from_env(env)


class FakeStore:
    """Snapshots and stamps in memory; a stamp keeps the later `extracted_at`, as DynamoDB's
    condition does."""

    def __init__(self):
        self.syncs: dict[str, FeedSync] = {}
        self.snapshots: dict[tuple[str, str], list[str]] = {}

    def write_snapshot(self, table, snapshot, rows, row_key) -> int:
        self.snapshots[table, snapshot] = [row_key(row) for row in rows]
        return len(self.snapshots[table, snapshot])

    def stamp(self, sync: FeedSync) -> bool:
        current = self.syncs.get(sync.feed)
        if current is not None and current.extracted_at > sync.extracted_at:
            return False
        self.syncs[sync.feed] = sync
        return True

    def last_sync(self, feed: str) -> FeedSync | None:
        return self.syncs.get(feed)


def accepted(feed: str, extract_id: str, extracted_at: datetime) -> ExtractAcceptedV1:
    return ExtractAcceptedV1(
        feed=feed,
        extract_id=extract_id,
        source_uri=f"s3://ior-raw/sap/{feed}/{extract_id}.json",
        sha256="1" * 64,
        extracted_at=extracted_at,
        sap_system="PRD",
        records=ObjectRef(
            uri=f"s3://ior-processed/{extract_id}.jsonl", sha256="0" * 64, row_count=2
        ),
        rejected_count=0,
    )


def test_a_weekly_extract_becomes_its_own_snapshot_in_force():
    store = FakeStore()
    loader = ReferenceLoader(store, clock=lambda: NOW)
    weekly = accepted("ZFMIOR002", "ZFMIOR002-1", datetime(2026, 11, 22, 1, tzinfo=UTC))
    history = indexed(weight(valid_from="2024-03-01"), weight(valid_from="2025-06-01"))
    outcome = loader.load_snapshot(weekly, history)
    assert store.snapshots["ior-material-weights", "ZFMIOR002-1"] == [
        "000000000010004711|US10|2024-03-01",
        "000000000010004711|US10|2025-06-01",
    ]
    assert store.syncs["ZFMIOR002"].extract_id == "ZFMIOR002-1"
    assert outcome.events[0].row_count == 2 and outcome.findings == ()


def test_an_older_extract_handled_late_is_reported_and_not_put_in_force():
    store = FakeStore()
    loader = ReferenceLoader(store, clock=lambda: NOW)
    newer = accepted("ZEMM005", "ZEMM005-2", datetime(2026, 11, 29, 1, tzinfo=UTC))
    older = accepted("ZEMM005", "ZEMM005-1", datetime(2026, 11, 22, 1, tzinfo=UTC))
    loader.load_snapshot(newer, indexed(material()))
    outcome = loader.load_snapshot(older, indexed(material()))
    assert store.syncs["ZEMM005"].extract_id == "ZEMM005-2"
    [finding] = outcome.findings
    assert finding.rule is Rule.SNAPSHOT_OUTDATED and "ZEMM005-2" in finding.detail
    assert outcome.events == ()
