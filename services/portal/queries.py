"""The read model's questions, answered with plain JSON-ready views.

The API routes and the web pages call these same functions, so a page and its API agree. Lists
are newest first and paged (`Page`); customs lines are found by the key of the question asked:
an invoice, PO, HTS code or calculation through its index, else the entry dates one partition
a day, reading only the days that have lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from contracts.topology import (
    PORTAL_LINE_INDEXES,
    PORTAL_VIEWS_BY_KIND,
    TABLE_PORTAL_LINES,
    TABLE_PORTAL_VIEWS,
)
from services.portal import keys
from services.portal.codec import from_dynamo, to_dynamo
from services.portal.errors import InvalidQuery
from services.portal.line_items import line_view
from services.portal.paging import MAX_PAGE, Page, View, decode_cursor, encode_cursor, take
from services.portal.projection import SUPERSEDED_INVOICES

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_DATE_SPAN_DAYS = 366
_VIEW_KEY = ("pk", "sk", "kind", "listed")
_LINE_KEY = ("entry_date", "line_key")


@dataclass(frozen=True)
class LineFilter:
    """Which customs lines: any combination; an entry-date range alone needs both ends."""

    entry_from: date | None = None
    entry_to: date | None = None
    invoice_number: str | None = None
    po_number: str | None = None
    hts_code: str | None = None
    component: str | None = None
    calc_id: str | None = None

    def attributes(self) -> dict[str, str]:
        named = {
            "invoice_number": self.invoice_number,
            "po_number": self.po_number,
            "hts_code": self.hts_code,
            "calc_id": self.calc_id,
            "component": self.component,
        }
        return {name: wanted for name, wanted in named.items() if wanted is not None}

    def keeps(self, line: View) -> bool:
        day = date.fromisoformat(line["entry_date"])
        if (self.entry_from and day < self.entry_from) or (self.entry_to and day > self.entry_to):
            return False
        return all(line.get(name) == wanted for name, wanted in self.attributes().items())


def calculation_state(calc: View) -> str:
    """Superseded once every invoice of it is current in a later calculation."""
    replaced = set(calc.get(SUPERSEDED_INVOICES, ()))
    invoices = set(calc.get("invoice_numbers", ()))
    return "superseded" if invoices and invoices <= replaced else "current"


class PortalQueries:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        views_table: str = TABLE_PORTAL_VIEWS,
        lines_table: str = TABLE_PORTAL_LINES,
    ) -> None:
        self._db = dynamodb
        self._views = views_table
        self._lines = lines_table

    # --- calculations -------------------------------------------------------------------

    def calculations(
        self, *, state: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        def keep(calc: View) -> bool:
            return state is None or calc["state"] == state

        found = self._by_kind(keys.CALCULATION, decode_cursor(cursor), limit)
        items = (_with_state(c) for c in found)
        return _page(*take(items, limit, _VIEW_KEY, keep))

    def calculation(self, calc_id: str) -> View | None:
        item = self._get(keys.calc_pk(calc_id), keys.CALC_SK)
        return _with_state(item) if item and "kind" in item else None

    def comparisons(self, calc_id: str) -> list[View]:
        """Every comparison run of the calculation, newest first."""
        items = self._query(
            self._views,
            None,
            "pk = :pk AND begins_with(sk, :prefix)",
            {":pk": keys.calc_pk(calc_id), ":prefix": keys.COMPARISON_SK_PREFIX},
        )
        return sorted(items, key=lambda c: c["listed"], reverse=True)

    # --- customs lines ------------------------------------------------------------------

    def customs_lines(
        self, wanted: LineFilter, *, limit: int = 100, cursor: str | None = None
    ) -> Page:
        position = decode_cursor(cursor)
        indexed = next((name for name in PORTAL_LINE_INDEXES if name in wanted.attributes()), None)
        if indexed is not None:
            index = PORTAL_LINE_INDEXES[indexed]
            items = self._lines_of(
                index,
                "#k = :k",
                {":k": wanted.attributes()[indexed]},
                names={"#k": indexed},
                start=position,
                page_size=limit,
            )
            found, last = take(items, limit, (*_LINE_KEY, indexed), wanted.keeps)
            return _page(found, last)
        if wanted.entry_from is None or wanted.entry_to is None:
            raise InvalidQuery(
                "say which customs lines: an invoice, PO, HTS code or calculation, "
                "or an entry-date range (entry_from and entry_to)"
            )
        days = self._by_days(wanted, position, limit)
        return _page(*take(days, limit, _LINE_KEY, wanted.keeps))

    def every_customs_line(self, wanted: LineFilter) -> Iterator[View]:
        """Every matching line, read a page of `MAX_PAGE` at a time (for totals and reports)."""
        cursor: str | None = None
        while True:
            page = self.customs_lines(wanted, limit=MAX_PAGE, cursor=cursor)
            yield from page.items
            cursor = page.next_cursor
            if cursor is None:
                return

    def _by_days(
        self, wanted: LineFilter, position: dict[str, Any] | None, page_size: int
    ) -> Iterator[View]:
        assert wanted.entry_from is not None and wanted.entry_to is not None
        span = (wanted.entry_to - wanted.entry_from).days
        if span < 0 or span >= MAX_DATE_SPAN_DAYS:
            raise InvalidQuery(
                f"entry_from..entry_to must be a range of 1 to {MAX_DATE_SPAN_DAYS} days"
            )
        first = position["entry_date"] if position else wanted.entry_from.isoformat()
        for day in self._entry_dates(first, wanted.entry_to.isoformat()):
            start = position if position and position["entry_date"] == day else None
            yield from self._lines_of(
                None, "entry_date = :d", {":d": day}, start=start, page_size=page_size
            )

    def _entry_dates(self, first: str, last: str) -> list[str]:
        """The entry dates from `first` to `last` (ISO dates, inclusive) that have had lines."""
        if first == last:
            return [first]  # one partition: reading it costs what reading the list would
        listed = self._get(keys.ENTRY_DATES_PK, keys.ENTRY_DATES_SK) or {}
        return [day for day in listed.get(keys.ENTRY_DATES, ()) if first <= day <= last]

    def _lines_of(
        self,
        index: str | None,
        condition: str,
        values: Mapping[str, str],
        *,
        names: Mapping[str, str] | None = None,
        start: Mapping[str, Any] | None = None,
        page_size: int | None = None,
    ) -> Iterator[View]:
        items = self._query(
            self._lines, index, condition, values, names=names, start=start, page_size=page_size
        )
        return (line_view(item) for item in items)

    # --- extracts, alerts, feeds ---------------------------------------------------------

    def extracts(
        self,
        *,
        feed: str | None = None,
        sha256: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        def keep(extract: View) -> bool:
            return (feed is None or extract.get("feed") == feed) and (
                sha256 is None or extract.get("sha256") == sha256
            )

        items = self._by_kind(keys.EXTRACT, decode_cursor(cursor), limit)
        return _page(*take(items, limit, _VIEW_KEY, keep))

    def extract(self, extract_key: str) -> View | None:
        item = self._get(keys.extract_pk(extract_key), keys.EXTRACT_SK)
        return item if item and "kind" in item else None

    def alerts(self, *, limit: int = 50, cursor: str | None = None) -> Page:
        alerts = self._by_kind(keys.ALERT, decode_cursor(cursor), limit)
        return _page(*take(alerts, limit, _VIEW_KEY))

    def feeds(self) -> list[View]:
        return sorted(self._by_kind(keys.FEED, None), key=lambda f: f["feed"])

    # --- reads --------------------------------------------------------------------------

    def _by_kind(
        self, kind: str, start: dict[str, Any] | None, page_size: int | None = None
    ) -> Iterator[View]:
        return self._query(
            self._views,
            PORTAL_VIEWS_BY_KIND,
            "kind = :kind",
            {":kind": kind},
            start=start,
            newest_first=True,
            page_size=page_size,
        )

    def _get(self, pk: str, sk: str) -> View | None:
        response = self._db.get_item(TableName=self._views, Key=to_dynamo({"pk": pk, "sk": sk}))
        return from_dynamo(response["Item"]) if "Item" in response else None

    def _query(
        self,
        table: str,
        index: str | None,
        condition: str,
        values: Mapping[str, str],
        *,
        names: Mapping[str, str] | None = None,
        start: Mapping[str, Any] | None = None,
        newest_first: bool = False,
        page_size: int | None = None,
    ) -> Iterator[View]:
        """Every item, read `page_size` at a time: the page a caller needs fills from one or two
        reads instead of DynamoDB's default of up to 1 MB."""
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_dynamo(values),
            "ScanIndexForward": not newest_first,
        }
        if index is not None:
            request["IndexName"] = index
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if start:
            request["ExclusiveStartKey"] = to_dynamo(start)
        if page_size is not None:
            request["Limit"] = page_size
        while True:
            response = self._db.query(**request)
            yield from (from_dynamo(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _with_state(calc: View) -> View:
    return {**calc, "state": calculation_state(calc)}


def _page(items: list[View], last: dict[str, Any] | None) -> Page:
    return Page(items=items, next_cursor=encode_cursor(last) if last else None)
