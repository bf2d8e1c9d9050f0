"""The `ior` command: demo, process, up, push, upload, worker, results, audit, report, dlq, status.

Every failure ends in one clear line on stderr and a non-zero exit (1: it failed, 2: usage), never a
stack trace; the details are in the JSON log.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import structlog
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from contracts.errors import IorError
from contracts.feeds import FEEDS
from entrypoints import ops_cli, portal_cli
from entrypoints.errors import UsageError
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.landing import land, push_key, upload_key
from services.runtime.context import SERVICE_NAMES, RuntimeContext, available_services
from services.runtime.logging import configure_logging
from services.runtime.messaging.runner import run_forever
from services.runtime.operations import provision
from services.runtime.settings import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2
# What AWS answers for a queue, topic, bucket or table `ior up` has not created.
MISSING_RESOURCE_CODES = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "NoSuchBucket",
        "NotFound",
        "ResourceNotFoundException",
    }
)
NO_CREDENTIALS = (
    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value, e.g. "
    "test/test, against a local endpoint such as LocalStack)"
)


def _settings(args: argparse.Namespace) -> Settings:
    """The settings `main` read, pointed at `--endpoint` when one was given."""
    settings: Settings = args.settings
    return settings.with_endpoint(args.endpoint) if args.endpoint else settings


def cmd_up(args: argparse.Namespace) -> int:
    settings = _settings(args)
    provision.apply(AwsClients.from_settings(settings))
    print(f"topology applied at {settings.endpoint_url or 'AWS'} ({settings.region})")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    if args.feed is not None:
        _known_feed(args.feed)
    for file in args.files:
        if file.suffix.lower() in {".csv", ".xlsx"}:
            raise UsageError(f"{file}: ior push takes SAP JSON extracts; use ior upload FEED FILE")
    clients = AwsClients.from_settings(_settings(args))
    for file in args.files:
        print(f"pushed {file} -> {land(clients, _existing(file), push_key(file, args.feed))}")
    return 0


def cmd_upload(args: argparse.Namespace) -> int:
    _known_feed(args.feed)
    clients = AwsClients.from_settings(_settings(args))
    uri = land(clients, _existing(args.file), upload_key(args.feed, args.file))
    print(f"uploaded {args.file} -> {uri}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    services = args.services or list(available_services())
    unknown = sorted(set(services) - set(SERVICE_NAMES))
    if unknown:
        raise UsageError(
            f"unknown service {', '.join(unknown)}; choose from {', '.join(SERVICE_NAMES)}"
        )
    settings = _settings(args)
    configure_logging(settings.level())
    run_forever(RuntimeContext.from_settings(settings), services)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from entrypoints.demo import run_demo  # noqa: PLC0415 - loads the emulator only when asked

    return run_demo(
        samples=args.samples, out=args.out, serve_port=args.port if args.serve else None
    )


def cmd_process(args: argparse.Namespace) -> int:
    from entrypoints import process  # noqa: PLC0415 - loads the emulator only when asked

    files = process.find_extract_files(args.folder)
    args.out.mkdir(parents=True, exist_ok=True)
    removed = process.clear_outputs(args.out)
    if removed:
        print(f"removed {len(removed)} output(s) of an earlier run from {args.out}")
    log_file = args.out / "ior.log"
    configure_logging("INFO", stream=log_file.open("w", encoding="utf-8"))
    with process.pipeline_context(args.endpoint) as context:
        run = process.run_pipeline(context, files, print)
        written = process.write_outputs(context, run, args.out)
    summary = process.summarize(run)
    if run.dead_letters:
        print(f"{len(run.dead_letters)} message(s) dead-lettered:")
        for line in process.dead_letter_lines(run.dead_letters, args.endpoint):
            print(f"  {line}")
    print(f"wrote {len(written)} files to {args.out}")
    print(json.dumps(summary, indent=2, default=str))
    return EXIT_FAILED if run.failed else 0


def cmd_audit(args: argparse.Namespace) -> int:
    from entrypoints.reports import audit_lookup  # noqa: PLC0415 - openpyxl only when asked

    given = [value for value in (args.calc_id, args.po, args.file) if value]
    if len(given) != 1:
        raise UsageError("give exactly one of CALC-ID, --po PO or --file NAME")
    context = RuntimeContext.from_settings(_settings(args))
    records = audit_lookup(context, calc_id=args.calc_id, po=args.po, file_name=args.file)
    if not records:
        print(f"ior: no audit record for {given[0]}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(records, indent=2, default=str))
    return 0


def cmd_ieepa_refunds(args: argparse.Namespace) -> int:
    from contracts import ieepa_refund_files  # noqa: PLC0415 - only when asked
    from entrypoints import reports  # noqa: PLC0415

    context = RuntimeContext.from_settings(_settings(args))
    report = reports.ieepa_refunds(context, args.date_from, args.date_to)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_file, xlsx_file = args.out / "ieepa-refunds.csv", args.out / "ieepa-refunds.xlsx"
    totals_file = args.out / "ieepa-refunds-totals.csv"
    csv_file.write_text(ieepa_refund_files.to_csv(report), encoding="utf-8")
    totals_file.write_text(ieepa_refund_files.totals_to_csv(report), encoding="utf-8")
    xlsx_file.write_bytes(ieepa_refund_files.to_xlsx(report))
    entries = len(report.entries)
    print(
        f"{entries} {'entry' if entries == 1 else 'entries'} paid IEEPA duties: "
        f"{report.duty_usd:,.2f} USD on {report.entered_value_usd:,.2f} USD entered value"
        f"\n-> {csv_file}\n-> {totals_file}\n-> {xlsx_file}"
    )
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from entrypoints.results_cli import download_results  # noqa: PLC0415 - only when asked

    context = RuntimeContext.from_settings(_settings(args))
    written = download_results(context, args.calc_id, args.out)
    for path in written:
        print(path)
    print(f"wrote {len(written)} files of {args.calc_id} to {args.out}")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _known_feed(feed: str) -> None:
    """A feed name typed by hand is checked here: ingestion would quarantine the whole file."""
    if feed not in FEEDS:
        raise UsageError(f"unknown feed {feed!r}; feeds: {', '.join(sorted(FEEDS))}")


def _existing(file: Path) -> Path:
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    return file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ior", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str) -> Any:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        if name != "demo":
            endpoint_option(sub)
        return sub

    demo = command(
        "demo",
        cmd_demo,
        "run the whole pipeline on an embedded emulator (no AWS, no Docker) over the sample batch "
        "and copy the workbook, comparison (JSON + XLSX), quality and rejection reports, audit "
        "records and summary.json into --out (outputs of an earlier run there are removed first)",
    )
    demo.add_argument(
        "--samples", type=Path, default=_default_samples(), help="sample folder (default: samples/)"
    )
    demo.add_argument(
        "--out", type=Path, default=Path("out/demo"), help="output folder (default: out/demo)"
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep the emulator and serve the portal's API on the demo's data (dev login)",
    )
    demo.add_argument("--port", type=int, default=8000, help="--serve's port (default 8000)")
    run = commands.add_parser(
        "process",
        help="run the whole pipeline over a folder of extract files",
        description=process_doc(),
    )
    run.set_defaults(handler=cmd_process)
    run.add_argument("folder", type=Path, metavar="DIR", help="extract files named by feed")
    run.add_argument("--out", type=Path, required=True, metavar="OUT", help="where results go")
    run.add_argument("--endpoint", help="a running LocalStack instead of the embedded emulator")
    command(
        "up",
        cmd_up,
        "create the topics, queues, buckets and tables of contracts/topology.py at the endpoint "
        "(idempotent: safe to repeat)",
    )
    feeds = ", ".join(sorted(FEEDS))
    push = command(
        "push",
        cmd_push,
        "put SAP extract JSON files where SAP pushes them, sap/{FEED}/yyyy/mm/dd/{name}, feed and "
        "date read from the file; CSV/XLSX go through ior upload",
    )
    push.add_argument("files", type=Path, nargs="+", metavar="FILE", help="extract JSON files")
    push.add_argument("--feed", help=f"feed, when the file cannot tell (one of {feeds})")
    upload = command(
        "upload",
        cmd_upload,
        "put a CSV or XLSX extract (header row = field names) at upload/{FEED}/{name}, the manual "
        "fallback to a SAP push",
    )
    upload.add_argument("feed", metavar="FEED", help=f"one of {feeds}")
    upload.add_argument("file", type=Path, metavar="FILE", help=".csv or .xlsx")
    worker = command(
        "worker", cmd_worker, "run service workers until SIGTERM or Ctrl-C (in-flight work ends)"
    )
    worker.add_argument(
        "services",
        nargs="*",
        metavar="SERVICE",
        help=f"default: all available ({', '.join(SERVICE_NAMES)})",
    )
    results = command(
        "results",
        cmd_results,
        "download a calculation's broker workbook, customs_lines.jsonl, audit record, latest "
        "comparison (JSON + XLSX), and the quality and rejection reports of its input files",
    )
    results.add_argument("calc_id", metavar="CALC-ID", help="e.g. CALC-20261122-020000-AB12")
    results.add_argument(
        "--out", type=Path, default=Path("out/results"), help="folder (default: out/results)"
    )
    audit = command(
        "audit", cmd_audit, "print the audit record(s) of a calculation as JSON (index + record)"
    )
    audit.add_argument("calc_id", nargs="?", metavar="CALC-ID")
    audit.add_argument("--po", help="every calculation that declared this PO number")
    audit.add_argument("--file", help="every calculation that read this input file")
    report_text = "reports from the audit records: ieepa-refunds"
    report = commands.add_parser("report", help=report_text, description=report_text)
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    refunds_text = (
        "every entry and line that paid an IEEPA layer, with code, rate, value and duty, as "
        "ieepa-refunds.csv (a row per component line), ieepa-refunds-totals.csv (per entry and in "
        "all) and ieepa-refunds.xlsx (both, totals on their own sheet)"
    )
    refunds = kinds.add_parser("ieepa-refunds", help=refunds_text, description=refunds_text)
    refunds.set_defaults(handler=cmd_ieepa_refunds)
    endpoint_option(refunds)
    refunds.add_argument(
        "--from", dest="date_from", type=_date, help="first entry date, YYYY-MM-DD (default: open)"
    )
    refunds.add_argument(
        "--to", dest="date_to", type=_date, help="last entry date, YYYY-MM-DD (default: open)"
    )
    refunds.add_argument(
        "--out", type=Path, default=Path("out/reports"), help="folder (default: out/reports)"
    )
    ops_cli.register(commands, endpoint_option)
    portal_cli.register(commands, endpoint_option)
    return parser


def endpoint_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        help="AWS-compatible endpoint, e.g. http://localhost:4566 (default: $AWS_ENDPOINT_URL, "
        "else AWS)",
    )


def process_doc() -> str:
    return (
        "Runs the pipeline on the embedded emulator (or --endpoint) over DIR: reference feeds "
        "first, then ZEMM004/ZSDR002; copies customs_lines.jsonl, the workbook, comparison.json, "
        "quality and rejection reports and the audit records into OUT. Exit 0 when everything "
        "passed, 1 when there were rejections, quality errors, comparison failures or "
        "dead-lettered messages (listed, and in summary.json)."
    )


def _default_samples() -> Path:
    return Path(__file__).resolve().parent.parent / "samples"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = Settings.from_env()
        # Logs go to stderr for people; stdout stays clean for tables and --json output.
        configure_logging(args.settings.level("WARNING"), json=False)
        result: int = args.handler(args)
    except UsageError as exc:
        print(f"ior: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ior: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # every failure: one line for the user, details in the log
        print(f"ior: {_error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    return result


def _error_line(exc: Exception) -> str:
    """The line a user reads for a failure, saying what to do where ior knows it."""
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach {exc.kwargs.get('endpoint_url')}: is it running?"
    if isinstance(exc, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        if error.get("Code") in MISSING_RESOURCE_CODES:
            what = error.get("Message") or error.get("Code")
            return f"{what}: the topology is not provisioned; run ior up"
        return str(exc)
    if isinstance(exc, IorError | BotoCoreError | OSError):
        return str(exc)
    # A bug: the traceback goes to the log.
    structlog.get_logger("ior.cli").exception("cli.crashed")
    return f"unexpected {type(exc).__name__}: {exc}"


if __name__ == "__main__":
    sys.exit(main())
