"""`ior dlq ...` and `ior status`: dead letters and pipeline health for the people who run ior.

Tables for people, `--json` for scripts. Errors are raised, and `entrypoints.cli` turns them into
one line on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contracts.topology import TOPOLOGY
from entrypoints.errors import PurgeNotConfirmed
from entrypoints.text_table import text_table
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.operations.dlq import DlqInfo, list_dlqs, peek, purge, service_queues, status
from services.runtime.operations.replay import (
    DEFAULT_REPLAY_LIMIT,
    ReplayMethod,
    ReplaySummary,
    parse_filters,
    replay,
)
from services.runtime.settings import Settings

if TYPE_CHECKING:  # argparse's subparsers type is generic for type checkers only
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

EndpointOption = Callable[[argparse.ArgumentParser], None]
_BAR_WIDTH = 30


def register(subparsers: SubParsers, endpoint_option: EndpointOption) -> None:
    """Add `dlq ls|peek|replay|purge` and `status` to the `ior` command."""
    dlq_text = "dead-letter queues of the services: ls, peek, replay, purge"
    dlq = subparsers.add_parser("dlq", help=dlq_text, description=dlq_text)
    actions = dlq.add_subparsers(dest="dlq_action", required=True, metavar="ACTION")

    def action(
        parent: SubParsers, name: str, handler: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, help=text, description=text)
        parser.set_defaults(handler=handler)
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        endpoint_option(parser)
        return parser

    action(actions, "ls", cmd_dlq_ls, "every DLQ with its depth and the age of its oldest message")
    peek_parser = action(actions, "peek", cmd_dlq_peek, "show dead letters without removing them")
    peek_parser.add_argument("service", metavar="SERVICE", help=_services_help())
    peek_parser.add_argument("-n", type=_positive_int, default=10, help="how many (default 10)")
    replay_parser = action(
        actions, "replay", cmd_dlq_replay, "move dead letters back to the service's queue"
    )
    replay_parser.add_argument("service", metavar="SERVICE", help=_services_help())
    replay_parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only messages whose attribute KEY is VALUE (type, error_type, ...); repeatable",
    )
    replay_parser.add_argument("--dry-run", action="store_true", help="show what would move")
    replay_parser.add_argument("--max", type=_positive_int, help="move at most N messages")
    replay_parser.add_argument(
        "--rate", type=_positive_float, metavar="PER_SECOND", help="move at most this many a second"
    )
    replay_parser.add_argument(
        "--replay-limit",
        type=_positive_int,
        default=DEFAULT_REPLAY_LIMIT,
        help=f"refuse messages replayed this often already (default {DEFAULT_REPLAY_LIMIT})",
    )
    purge_parser = action(actions, "purge", cmd_dlq_purge, "delete every message of a DLQ")
    purge_parser.add_argument("service", metavar="SERVICE", help=_services_help())
    purge_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    action(subparsers, "status", cmd_status, "queues, DLQs, feed syncs and the last calculation")


def cmd_dlq_ls(args: argparse.Namespace) -> int:
    clients, names = _connect(args)
    infos = list_dlqs(clients, names)
    if args.json:
        return _print_json(
            [{**dataclasses.asdict(i), "age_is_exact": i.age_is_exact} for i in infos]
        )
    rows = [
        [i.service, i.dlq, i.depth, i.in_flight, _age(i.oldest_age_seconds), _basis(i)]
        for i in infos
    ]
    print(text_table(["SERVICE", "DLQ", "DEPTH", "IN FLIGHT", "OLDEST", "AGE FROM"], rows))
    return 0


def cmd_dlq_peek(args: argparse.Namespace) -> int:
    service_queues(args.service)  # an unknown service fails before any AWS call
    clients, names = _connect(args)
    messages = peek(clients, names, args.service, args.n)
    if args.json:
        return _print_json([dataclasses.asdict(message) for message in messages])
    if not messages:
        print(f"{service_queues(args.service).dlq} is empty")
        return 0
    headers = ["TYPE", "CORRELATIONID", "EVENT ID", "ERROR", "FAILED AT", "REPLAYS", "RECEIVES"]
    rows = [
        [
            m.type,
            m.correlationid,
            m.event_id,
            m.error_type,
            m.failed_at,
            m.replay_count,
            m.receive_count,
        ]
        for m in messages
    ]
    print(text_table(headers, rows))
    for m in messages:
        if m.error_message:
            print(f"- {m.event_id or m.message_id}: {m.error_message}")
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    service_queues(args.service)
    filters = parse_filters(args.filter)
    clients, names = _connect(args)
    summary = replay(
        clients,
        names,
        args.service,
        filters=filters,
        dry_run=args.dry_run,
        max_messages=args.max,
        rate_per_second=args.rate,
        replay_limit=args.replay_limit,
        progress=None if args.json else _progress_bar(),
    )
    if args.json:
        return _print_json(dataclasses.asdict(summary))
    print(_describe(summary))
    return 0


def cmd_dlq_purge(args: argparse.Namespace) -> int:
    dlq = service_queues(args.service).dlq
    if not args.yes:
        _confirm(f"delete every message in {dlq}? this cannot be undone [y/N] ")
    clients, names = _connect(args)
    purged = purge(clients, names, args.service)
    if args.json:
        return _print_json({"dlq": dlq, "purged": purged})
    print(f"purged {dlq} ({purged} message(s))")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    clients, names = _connect(args)
    report = status(clients, names)
    if args.json:
        return _print_json(report)
    rows = [
        [s["service"], s["queue"], s["depth"], s["in_flight"], s["dlq_depth"]]
        for s in report["services"]
    ]
    print(text_table(["SERVICE", "QUEUE", "DEPTH", "IN FLIGHT", "DLQ"], rows))
    print()
    feed_rows = [
        [f["feed"], f["synced_at"] or "never", _age(f["age_seconds"]), f["row_count"]]
        for f in report["feeds"]
    ]
    print(text_table(["FEED", "LAST SYNC", "AGE", "ROWS"], feed_rows))
    calc, comparison = report["last_calc"], report["last_comparison"]
    print(f"last CALC-ID: {calc.get('calc_id', '?') if calc else 'none yet'}")
    print(f"last comparison: {_comparison_line(comparison) if comparison else 'none yet'}")
    return 0


def _comparison_line(comparison: dict[str, Any]) -> str:
    counts = ", ".join(
        f"{comparison.get(name, '?')} {label}"
        for name, label in (
            ("passed", "PASS"),
            ("failed", "FAIL"),
            ("ours_only", "ours only"),
            ("theirs_only", "SAP only"),
        )
    )
    return (
        f"{comparison.get('result', '?')} for {comparison.get('calc_id', '?')} ({counts}); "
        f"report {comparison.get('report_uri', '?')}"
    )


def _connect(args: argparse.Namespace) -> tuple[AwsClients, NameResolver]:
    settings: Settings = args.settings
    if args.endpoint:
        settings = settings.with_endpoint(args.endpoint)
    clients = AwsClients.from_settings(settings)
    return clients, NameResolver(clients)


def _confirm(question: str) -> None:
    if not sys.stdin.isatty():
        raise PurgeNotConfirmed("refusing to purge without confirmation: no terminal; pass --yes")
    if input(question).strip().lower() not in {"y", "yes"}:
        raise PurgeNotConfirmed("purge cancelled; nothing was deleted")


def _describe(summary: ReplaySummary) -> str:
    lines = [f"{summary.service}: {summary.method}"]
    if summary.method_reason:
        lines[0] += f" ({summary.method_reason})"
    if summary.method is ReplayMethod.DRY_RUN:
        lines.append(f"  would move {summary.matched}")
    else:
        lines.append(f"  moved {summary.moved}")
    lines.append(f"  skipped (filters) {summary.skipped}")
    groups = (
        ("refused", summary.refused),
        ("failed", summary.failed),
        ("dead-lettered again during this run, left in the DLQ", summary.returned),
    )
    for label, messages in groups:
        lines.append(f"  {label} {len(messages)}")
        lines += [f"    {m.event_id or m.message_id} {m.type or ''}: {m.reason}" for m in messages]
    if summary.refused or summary.failed:
        lines.append(
            "refused and failed messages are still in the DLQ: `ior dlq peek` them, then fix and "
            "replay (a higher --replay-limit), or purge"
        )
    return "\n".join(lines)


def _progress_bar() -> Callable[[int, int], None] | None:
    """A bar on stderr when a person is watching; nothing in pipes and logs."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        end = "\n" if done >= total else ""
        print(f"\r[{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02}h"
    if hours:
        return f"{hours}h{minutes:02}m"
    return f"{minutes}m{secs:02}s"


def _basis(info: DlqInfo) -> str:
    if info.age_sample == 0:
        return "-"
    return "all messages" if info.age_is_exact else f"sample of {info.age_sample}"


def _print_json(value: Any) -> int:
    print(json.dumps(value, indent=2, default=_json_default))
    return 0


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _services_help() -> str:
    return "one of " + ", ".join(service.name for service in TOPOLOGY.services)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value
