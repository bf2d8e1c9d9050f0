import io
import json
from typing import Any

import pytest
from openpyxl import Workbook

from contracts.feeds import ExtractHeader
from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import FileFormat, parse_location
from services.ingestion.notifications import parse_notification
from services.ingestion.readers import read_json_extract, read_table
from services.ingestion.validation import (
    Finding,
    ValidatedExtract,
    header_of_push,
    validate_records,
)
from tests.unit.test_feed_rules import valid_zemm004, valid_zsdr002


def test_sap_push_key_names_feed_and_json_format():
    location = parse_location("sap/ZEMM004/2026/11/22/ZEMM004-20261122-0001.json")
    assert (location.feed, location.stem, location.file_format) == (
        "ZEMM004",
        "ZEMM004-20261122-0001",
        FileFormat.JSON,
    )


@pytest.mark.parametrize(
    "name,fmt", [("c.csv", FileFormat.CSV), ("Prices 2026.XLSX", FileFormat.XLSX)]
)
def test_upload_key_accepts_csv_and_xlsx(name, fmt):
    assert parse_location(f"upload/ZSDR010/{name}").file_format is fmt


@pytest.mark.parametrize(
    "key",
    [
        "upload/ZSDR010/../../sap/x.csv",
        "sap/ZEMM004/2026/11/22/../x.json",
        "upload/ZSDR010/sub/dir/x.csv",
        "sap/ZEMM004/x.json",
        "sap/ZEMM004/2026/11/22/x.csv",
        "upload/ZSDR010/x.json",
        "upload/ZSDR010/.hidden.csv",
    ],
)
def test_keys_outside_the_landing_layout_are_unreadable(key):
    with pytest.raises(ExtractUnreadable) as caught:
        parse_location(key)
    assert caught.value.field == "key"


def test_notification_keys_are_url_decoded():
    body = json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "eventTime": "2026-11-22T02:00:00.000Z",
                    "s3": {
                        "bucket": {"name": "ior-raw"},
                        "object": {"key": "upload/ZSDR010/my+file%2B1.csv", "size": 5},
                    },
                }
            ]
        }
    )
    [created] = parse_notification(body)
    assert created.key == "upload/ZSDR010/my file+1.csv"
    assert created.size == 5


def test_s3_test_event_yields_no_work():
    assert parse_notification('{"Service":"Amazon S3","Event":"s3:TestEvent"}') == []


def test_json_numbers_are_read_as_decimal_never_float():
    document = read_json_extract(b'{"records": [{"net_weight": 12.345}]}')
    assert str(document["records"][0]["net_weight"]) == "12.345"
    assert type(document["records"][0]["net_weight"]).__name__ == "Decimal"


def test_json_nan_and_over_precise_numbers_reject_only_their_records():
    records = [valid_zemm004(line_number=n, exchange_rate_to_usd=f"@{n}") for n in (10, 20, 30)]
    document = {
        "feed": "ZEMM004",
        "extract_id": "ZEMM004-20261122-0001",
        "extracted_at": "2026-11-22T02:00:00Z",
        "sap_system": "PRD",
        "record_count": 3,
        "records": records,
    }
    body = (
        json.dumps(document, default=str)
        .replace('"@10"', "1.08")
        .replace('"@20"', "NaN")
        .replace('"@30"', "0.13888888888888888889")
    )
    location = parse_location("sap/ZEMM004/2026/11/22/ZEMM004-20261122-0001.json")
    validated = validate_records(header_of_push(location, read_json_extract(body.encode()), 10))
    assert [index for index, _ in validated.accepted] == [0]
    assert [(f.record_index, f.field) for f in validated.findings] == [
        (1, "exchange_rate_to_usd"),
        (2, "exchange_rate_to_usd"),
    ]
    assert [f.rule for f in validated.findings] == [
        "exchange_rate_to_usd must be a finite number, not NaN",
        "exchange_rate_to_usd has 20 decimal places; round it to at most 18",
    ]


@pytest.mark.parametrize(
    "body,reason",
    [
        (b'{"feed": "ZEMM004", "records": [', "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'{"records": {}}', "records must be a JSON list"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"records": [{"net_weight": 1E-99999999999999999999}]}', "exponent is out of range"),
    ],
)
def test_unreadable_json_is_rejected_whole_with_a_reason(body, reason):
    with pytest.raises(ExtractUnreadable, match=reason):
        read_json_extract(body)


def test_csv_rows_keep_codes_as_text():
    rows = read_table(b"material,name\n000000000010004711,x\n", FileFormat.CSV, 10)
    assert rows == [{"material": "000000000010004711", "name": "x"}]


def test_csv_that_is_not_utf8_is_rejected_with_the_byte():
    with pytest.raises(ExtractUnreadable, match="0xe9"):
        read_table("name\ncaf\u00e9\n".encode("latin-1"), FileFormat.CSV, 10)


def test_csv_over_the_record_limit_is_rejected_without_reading_on():
    body = b"a\n" + b"1\n" * 50
    with pytest.raises(ExtractUnreadable, match="more than 10 records"):
        read_table(body, FileFormat.CSV, 10)


def test_csv_header_must_name_every_column_once():
    with pytest.raises(ExtractUnreadable, match="header"):
        read_table(b"a,a\n1,2\n", FileFormat.CSV, 10)


def test_csv_row_with_extra_cells_keeps_them_for_a_finding():
    [row] = read_table(b"a,b\n1,2,3\n", FileFormat.CSV, 10)
    assert row["_extra_cells"] == ["3"]


def test_xlsx_rows_are_read_from_the_first_sheet_skipping_blank_rows():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["material", "is_packaging"])
    sheet.append(["000000000000000042", True])
    sheet.append([None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_table(buffer.getvalue(), FileFormat.XLSX, 10)
    assert rows == [{"material": "000000000000000042", "is_packaging": True}]


def test_xlsx_row_ending_before_the_header_leaves_its_last_fields_blank_not_missing():
    """The sample packaging upload: a retail box whose `is_packaging` cell is empty."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["material", "packaging_type", "is_packaging"])
    sheet.append(["000000000090000101", "PALLET", "X"])
    sheet.append(["000000000090000412", "RETAIL_BOX"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_table(buffer.getvalue(), FileFormat.XLSX, 10)
    assert rows[1] == {
        "material": "000000000090000412",
        "packaging_type": "RETAIL_BOX",
        "is_packaging": None,
    }


def test_csv_row_without_trailing_commas_leaves_its_last_fields_blank():
    [row] = read_table(b"a,b,c\n1\n", FileFormat.CSV, 10)
    assert row == {"a": "1", "b": None, "c": None}


def test_garbage_named_xlsx_is_unreadable():
    with pytest.raises(ExtractUnreadable, match="xlsx"):
        read_table(b"not a zip", FileFormat.XLSX, 10)


# --- records that share a line key (DOMAIN.md §1 "What a push means") ---------------------------


def validated(feed: str, records: list[dict[str, Any]]) -> ValidatedExtract:
    header = ExtractHeader.model_validate(
        {
            "feed": feed,
            "extract_id": f"{feed}-20261122-0001",
            "extracted_at": "2026-11-22T02:00:00Z",
            "sap_system": "PRD",
            "record_count": len(records),
            "records": records,
        }
    )
    return validate_records(header)


def accepted_indexes(extract: ValidatedExtract) -> list[int]:
    return [index for index, _ in extract.accepted]


def test_same_invoice_line_twice_rejects_both_records_each_naming_the_other():
    lines = [valid_zemm004(), valid_zemm004(line_number=20), valid_zemm004()]
    extract = validated("ZEMM004", lines)
    assert accepted_indexes(extract) == [1]
    assert extract.rejected_count == 2
    assert extract.findings == (
        Finding(
            0,
            "invoice_number/line_number",
            "0090001234/10",
            "duplicate line key: invoice 0090001234 line 10 also in record 2",
        ),
        Finding(
            2,
            "invoice_number/line_number",
            "0090001234/10",
            "duplicate line key: invoice 0090001234 line 10 also in record 0",
        ),
    )


def test_a_line_key_held_three_times_names_the_two_other_records():
    extract = validated("ZEMM004", [valid_zemm004()] * 3)
    assert accepted_indexes(extract) == []
    assert extract.findings[1].rule.endswith("also in records 0, 2")


def test_line_keys_are_compared_as_validated_values():
    lines = [valid_zemm004(line_number=10), valid_zemm004(line_number="10 ")]
    assert validated("ZEMM004", lines).rejected_count == 2


def test_a_record_rejected_on_its_own_does_not_make_its_key_a_duplicate():
    lines = [valid_zemm004(), valid_zemm004(quantity=0)]
    extract = validated("ZEMM004", lines)
    assert accepted_indexes(extract) == [0]
    assert [(f.record_index, f.field) for f in extract.findings] == [(1, "quantity")]


def test_declared_lines_are_keyed_by_invoice_line_and_component():
    declared = [
        valid_zsdr002(component="NON_METAL"),
        valid_zsdr002(component="STEEL"),
        valid_zsdr002(component="steel"),
    ]
    extract = validated("ZSDR002", declared)
    assert accepted_indexes(extract) == [0]
    assert [(f.record_index, f.field, f.value) for f in extract.findings] == [
        (1, "invoice_number/line_number/component", "0090001234/10/STEEL"),
        (2, "invoice_number/line_number/component", "0090001234/10/STEEL"),
    ]
    assert extract.findings[0].rule == (
        "duplicate line key: invoice 0090001234 line 10 component STEEL also in record 2"
    )
