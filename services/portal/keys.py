"""Keys of the read model's items: one place, read by the projection and by the queries."""

from __future__ import annotations

from contracts.datasets import CustomsLineV1

CALCULATION = "calculation"
COMPARISON = "comparison"
EXTRACT = "extract"
ALERT = "alert"
FEED = "feed"
KINDS = (CALCULATION, COMPARISON, EXTRACT, ALERT, FEED)

CALC_SK = "CALC"
COMPARISON_SK_PREFIX = "COMPARISON#"
EXTRACT_SK = "EXTRACT"
ALERT_SK = "ALERT"
FEED_SK = "FEED"
# One item lists every entry date that has had customs lines, so a date range reads only those
# days' partitions (a date whose lines were all superseded stays listed: its read is empty).
ENTRY_DATES_PK = ENTRY_DATES_SK = "ENTRY_DATES"
ENTRY_DATES = "entry_dates"


def calc_pk(calc_id: str) -> str:
    return f"CALC#{calc_id}"


def comparison_sk(report_uri: str) -> str:
    return f"{COMPARISON_SK_PREFIX}{report_uri}"


def extract_pk(extract_key: str) -> str:
    return f"EXTRACT#{extract_key}"


def rejected_file_key(sha256: str) -> str:
    """A file rejected whole may have no extract id: it is known by its SHA-256."""
    return f"file-{sha256}"


def alert_pk(event_id: str) -> str:
    return f"ALERT#{event_id}"


def feed_pk(feed: str) -> str:
    return f"FEED#{feed}"


def line_key(line: CustomsLineV1) -> str:
    """Sorts a day's lines by invoice, line and component; the calculation makes it unique."""
    return f"{line.invoice_number}#{line.line_number:06d}#{line.component}#{line.calc_id}"
