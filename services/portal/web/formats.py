"""How pages write amounts, times and ages: text in, text out (amounts stay exact)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from jinja2 import Environment

from services.portal.web.freshness import ago


def money(amount: object) -> str:
    """`1234.5` → `1,234.50`; what is not a number is shown as it is."""
    try:
        return f"{Decimal(str(amount)):,.2f}"
    except InvalidOperation:
        return str(amount)


def weight(amount: object) -> str:
    try:
        return f"{Decimal(str(amount)):,.3f}"
    except InvalidOperation:
        return str(amount)


def when(stamp: object) -> str:
    """An ISO time as `2026-12-02 00:50 UTC`."""
    if not isinstance(stamp, str) or not stamp:
        return "-"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def age(stamp: object) -> str:
    if not isinstance(stamp, str):
        return "never"
    return ago(datetime.now(UTC) - datetime.fromisoformat(stamp))


def register(env: Environment) -> None:
    env.filters.update(money=money, weight=weight, when=when, age=age)
