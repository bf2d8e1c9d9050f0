"""The IEEPA refund report of an entry-date range, from the read model's customs lines, and its
files: the `/refunds` page and `/api/ieepa-refunds` answer through here, with the builder and the
file writers `ior report ieepa-refunds` uses (`contracts.ieepa_refunds`, `…ieepa_refund_files`).

The read model holds current lines only (a replacing calculation's lines are put without the
invoices already replaced, and the replaced ones are deleted: `store.ReadModelStore`), so the
report needs no superseded map here; the audit-based one reads every calculation and does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

from pydantic_core import to_jsonable_python

from contracts.datasets import CustomsLineV1
from contracts.ieepa_refund_files import to_csv, to_xlsx, totals_to_csv
from contracts.ieepa_refunds import IeepaRefundReport, build_ieepa_report
from services.portal.line_items import customs_line
from services.portal.queries import LineFilter, PortalQueries

RefundFileName = Literal["csv", "totals.csv", "xlsx"]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Each file as `ior report ieepa-refunds` names it, after `ieepa-refunds`: its suffix, its media
# type and its writer.
FILES: dict[RefundFileName, tuple[str, str, Callable[[IeepaRefundReport], bytes]]] = {
    "csv": (".csv", CSV_MEDIA_TYPE, lambda report: to_csv(report).encode()),
    "totals.csv": ("-totals.csv", CSV_MEDIA_TYPE, lambda report: totals_to_csv(report).encode()),
    "xlsx": (".xlsx", XLSX_MEDIA_TYPE, to_xlsx),
}


@dataclass(frozen=True)
class RefundFile:
    name: str
    media_type: str
    body: bytes


def ieepa_report(queries: PortalQueries, entry_from: date, entry_to: date) -> IeepaRefundReport:
    """Every IEEPA layer paid by the current customs lines entered `entry_from`..`entry_to`
    (inclusive; the range has the limits of `PortalQueries.customs_lines`, `InvalidQuery` else)."""
    lines = _current_lines(queries, LineFilter(entry_from=entry_from, entry_to=entry_to))
    return build_ieepa_report(lines, entry_from, entry_to)


def refund_file(report: IeepaRefundReport, file: RefundFileName) -> RefundFile:
    """One of the report's files, named `ieepa-refunds-<from>-<to>…` after its entry dates."""
    suffix, media_type, write = FILES[file]
    name = f"ieepa-refunds-{report.date_from}-{report.date_to}{suffix}"
    return RefundFile(name=name, media_type=media_type, body=write(report))


def report_document(report: IeepaRefundReport) -> dict[str, Any]:
    """The report as JSON: amounts as their exact decimal text, dates as ISO dates."""
    document = {
        "entry_from": report.date_from,
        "entry_to": report.date_to,
        "entry_count": len(report.entries),
        "entered_value_usd": report.entered_value_usd,
        "duty_usd": report.duty_usd,
        "duty_by_program": report.duty_by_program,
        "entries": report.entries,
    }
    return cast(dict[str, Any], to_jsonable_python(document))


def _current_lines(queries: PortalQueries, wanted: LineFilter) -> Iterator[CustomsLineV1]:
    """Every matching line (the builder keeps only those paying IEEPA)."""
    return (customs_line(view) for view in queries.every_customs_line(wanted))
