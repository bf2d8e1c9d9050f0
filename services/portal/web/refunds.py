"""IEEPA refunds: for an entry-date range, every component line that paid an IEEPA program,
with its Chapter 99 number, rate and duty, the totals per program, and the same rows as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.api.roles import Principal
from services.portal.errors import InvalidQuery
from services.portal.paging import MAX_PAGE, View
from services.portal.queries import LineFilter
from services.portal.web.lines import line_filter
from services.portal.web.site import Site

IEEPA_PREFIX = "IEEPA"
COLUMNS = (
    "entry_date",
    "port_of_entry",
    "invoice_number",
    "line_number",
    "component",
    "hts_code",
    "entered_value_usd",
    "program",
    "code",
    "rate_pct",
    "duty_usd",
)


def refund_rows(lines: list[View]) -> list[dict[str, str]]:
    """A row per IEEPA duty layer of a line that paid it."""
    rows = []
    for line in lines:
        for layer in line.get("duty_layers", ()):
            if layer["program"].startswith(IEEPA_PREFIX) and Decimal(layer["duty_usd"]):
                rows.append({name: str(line.get(name, "")) for name in COLUMNS} | layer)
    return sorted(rows, key=lambda row: (row["entry_date"], row["invoice_number"]))


def per_program(rows: list[dict[str, str]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[row["program"]] += Decimal(row["duty_usd"])
    return dict(sorted(sums.items()))


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())
    queries = site.backend.queries

    def rows_for(wanted: LineFilter) -> list[dict[str, str]]:
        lines: list[View] = []
        cursor = None
        while True:
            page = queries.customs_lines(wanted, limit=MAX_PAGE, cursor=cursor)
            lines += page.items
            cursor = page.next_cursor
            if cursor is None:
                return refund_rows(lines)

    def asked(request: Request) -> dict[str, str]:
        return {name: request.query_params.get(name, "") for name in ("entry_from", "entry_to")}

    @pages.get("/refunds", response_class=HTMLResponse)
    def refunds(request: Request, principal: Principal = reader) -> HTMLResponse:
        dates = asked(request)
        context: dict[str, object] = {"asked": dates, "rows": None, "error": None}
        if all(dates.values()):
            try:
                rows = rows_for(line_filter(dates))
            except InvalidQuery as refused:
                context["error"] = str(refused)
            else:
                total = sum((Decimal(row["duty_usd"]) for row in rows), Decimal(0))
                context |= {"rows": rows, "programs": per_program(rows), "total": total}
        return site.render(request, principal, "refunds.html", columns=COLUMNS, **context)

    @pages.get("/refunds.csv")
    def refunds_csv(request: Request, principal: Principal = reader) -> Response:
        dates = asked(request)
        rows = rows_for(line_filter(dates))
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        name = f"ieepa-refunds-{dates['entry_from']}-{dates['entry_to']}.csv"
        return Response(
            text.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return pages
