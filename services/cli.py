"""The `ior` command: demo, up, push, upload, worker.

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
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from contracts.errors import IorError
from services import ops_cli
from services.runtime import provision
from services.runtime.aws import AwsClients
from services.runtime.context import SERVICE_NAMES, RuntimeContext, available_services
from services.runtime.landing import LandingError, land, push_key, upload_key
from services.runtime.logging import configure_logging
from services.runtime.runner import run_forever
from services.runtime.settings import Settings, SettingsError

EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """The command line asks for something impossible (exit code 2)."""


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
    clients = AwsClients.from_settings(_settings(args))
    for file in args.files:
        print(f"pushed {file} -> {land(clients, _existing(file), push_key(file, args.feed))}")
    return 0


def cmd_upload(args: argparse.Namespace) -> int:
    clients = AwsClients.from_settings(_settings(args))
    uri = land(clients, _existing(args.file), upload_key(args.feed, args.file))
    print(f"uploaded {args.file} -> {uri}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    services = args.services or list(available_services())
    unknown = sorted(set(services) - set(SERVICE_NAMES))
    if unknown:
        raise UsageError(f"unknown service {', '.join(unknown)}; choose from {SERVICE_NAMES}")
    settings = _settings(args)
    configure_logging(settings.level())
    run_forever(RuntimeContext.from_settings(settings), services)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from services.demo import run_demo  # noqa: PLC0415 - loads the emulator only when asked

    return run_demo(samples=args.samples, out=args.out)


def cmd_process(args: argparse.Namespace) -> int:
    from services import process  # noqa: PLC0415 - loads the emulator only when asked

    try:
        files = process.find_extract_files(args.folder)
    except process.ProcessUsageError as exc:
        raise UsageError(str(exc)) from exc
    args.out.mkdir(parents=True, exist_ok=True)
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
    from services.reports import audit_lookup  # noqa: PLC0415 - pandas/openpyxl only when asked

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
    from services import reports  # noqa: PLC0415 - pandas/openpyxl only when asked

    context = RuntimeContext.from_settings(_settings(args))
    report = reports.ieepa_refunds(context, args.date_from, args.date_to)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_file, xlsx_file = args.out / "ieepa-refunds.csv", args.out / "ieepa-refunds.xlsx"
    csv_file.write_text(reports.to_csv(report), encoding="utf-8")
    xlsx_file.write_bytes(reports.to_xlsx(report))
    print(
        f"{len(report.entries)} entries paid IEEPA duties: {report.duty_usd} USD on "
        f"{report.entered_value_usd} USD entered value\n-> {csv_file}\n-> {xlsx_file}"
    )
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


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

    demo = command("demo", cmd_demo, "run the pipeline on the embedded emulator with sample data")
    demo.add_argument("--samples", type=Path, default=_default_samples(), help="sample folder")
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="where reports go")
    run = commands.add_parser(
        "process",
        help="run the whole pipeline over a folder of extract files",
        description=process_doc(),
    )
    run.set_defaults(handler=cmd_process)
    run.add_argument("folder", type=Path, metavar="DIR", help="extract files named by feed")
    run.add_argument("--out", type=Path, required=True, metavar="OUT", help="where results go")
    run.add_argument("--endpoint", help="a running LocalStack instead of the embedded emulator")
    command("up", cmd_up, "provision the topology (idempotent)")
    push = command("push", cmd_push, "push SAP extract JSON files to sap/{FEED}/yyyy/mm/dd/")
    push.add_argument("files", type=Path, nargs="+", metavar="FILE")
    push.add_argument("--feed", help="feed, when the file cannot tell (a broken file)")
    upload = command("upload", cmd_upload, "upload a CSV/XLSX extract to upload/{FEED}/")
    upload.add_argument("feed", metavar="FEED")
    upload.add_argument("file", type=Path, metavar="FILE")
    worker = command("worker", cmd_worker, "run service workers until SIGTERM")
    worker.add_argument("services", nargs="*", metavar="SERVICE", help="default: all available")
    audit = command("audit", cmd_audit, "print the audit record(s) of a calculation")
    audit.add_argument("calc_id", nargs="?", metavar="CALC-ID")
    audit.add_argument("--po", help="every calculation that declared this PO number")
    audit.add_argument("--file", help="every calculation that read this input file")
    report = commands.add_parser("report", help="reports from the audit records")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    refunds = kinds.add_parser(
        "ieepa-refunds", help="every entry and line that paid an IEEPA layer (CSV + Excel)"
    )
    refunds.set_defaults(handler=cmd_ieepa_refunds)
    endpoint_option(refunds)
    refunds.add_argument("--from", dest="date_from", type=_date, help="first entry date")
    refunds.add_argument("--to", dest="date_to", type=_date, help="last entry date")
    refunds.add_argument("--out", type=Path, default=Path("out/reports"), help="output folder")
    ops_cli.register(commands, endpoint_option)
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
    except EndpointConnectionError as exc:
        print(
            f"ior: cannot reach {exc.kwargs.get('endpoint_url')}: is it running?", file=sys.stderr
        )
        return EXIT_FAILED
    except (IorError, LandingError, SettingsError, ClientError, BotoCoreError, OSError) as exc:
        print(f"ior: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        structlog.get_logger("ior.cli").exception("cli.crashed")
        print(f"ior: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return result


if __name__ == "__main__":
    sys.exit(main())
