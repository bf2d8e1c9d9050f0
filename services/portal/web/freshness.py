"""The freshness badge of every page: when SAP last synced each feed, and whether anything is
waiting in a DLQ. Pure: the read model's feed views and the DLQ depths in, a verdict out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from contracts.feeds import FEEDS

# SAP pushes the invoice feeds every day and the reference feeds once a week (DOMAIN.md §1);
# a feed is late once a push and some slack have passed without a new one.
DAILY_FEEDS = frozenset({"ZEMM004", "ZSDR002"})
DAILY_LIMIT = timedelta(hours=26)
WEEKLY_LIMIT = timedelta(days=8)


class Level(StrEnum):
    FRESH = "fresh"
    LATE = "late"  # amber: a feed is older than its cadence allows
    DEAD_LETTERS = "dead-letters"  # red: a DLQ holds messages


@dataclass(frozen=True)
class FeedAge:
    feed: str
    cadence: str
    synced_at: datetime | None
    age: timedelta | None

    @property
    def late(self) -> bool:
        limit = DAILY_LIMIT if self.cadence == "daily" else WEEKLY_LIMIT
        return self.age is None or self.age > limit


@dataclass(frozen=True)
class Freshness:
    level: Level
    headline: str
    feeds: tuple[FeedAge, ...]
    dead_letters: Mapping[str, int]

    @property
    def reasons(self) -> list[str]:
        held = [f"{service} DLQ holds {n}" for service, n in self.dead_letters.items() if n]
        return held + [f"{feed.feed} is late" for feed in self.feeds if feed.late]


def synced_at(view: Mapping[str, Any]) -> datetime | None:
    """When ior last had the feed from SAP: a reference snapshot's sync, a daily extract's
    arrival."""
    stamp = view.get("synced_at") or view.get("received_at")
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def freshness(
    feed_views: Iterable[Mapping[str, Any]], dlq_depths: Mapping[str, int], now: datetime
) -> Freshness:
    seen = {view["feed"]: synced_at(view) for view in feed_views}
    feeds = tuple(
        FeedAge(
            feed=feed,
            cadence="daily" if feed in DAILY_FEEDS else "weekly",
            synced_at=stamp,
            age=None if stamp is None else now - stamp,
        )
        for feed, stamp in ((feed, seen.get(feed)) for feed in sorted(FEEDS))
    )
    if any(dlq_depths.values()):
        level = Level.DEAD_LETTERS
    elif any(feed.late for feed in feeds):
        level = Level.LATE
    else:
        level = Level.FRESH
    return Freshness(level, headline(feeds), feeds, dict(dlq_depths))


def headline(feeds: Sequence[FeedAge]) -> str:
    ages = [feed.age for feed in feeds if feed.age is not None]
    return f"Last SAP sync {ago(min(ages))}" if ages else "No SAP sync yet"


def ago(age: timedelta | None) -> str:
    if age is None:
        return "never"
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
