"""The `ior` command as a user runs it: real process, real exit codes, one-line errors."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.topology import BUCKET_RAW, EXTRACT_ACCEPTED, QUEUE_INGESTION
from services.runtime.aws.queues import queue_depth
from services.runtime.operations.observer import EventObserver
from tests.conftest import wait_for
from tests.hostile_files import nested_json

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def ior(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def test_up_is_idempotent(emulator, settings):
    assert ior("up", "--endpoint", emulator).returncode == 0
    again = ior("up", "--endpoint", emulator)
    assert again.returncode == 0 and "topology applied" in again.stdout


def test_push_lands_the_file_where_sap_would(context, emulator, tmp_path):
    file = tmp_path / "ZSDR010-20261122-0009.json"
    file.write_text(json.dumps({"feed": "ZSDR010", "extracted_at": "2026-11-22T02:00:00Z"}))
    result = ior("push", str(file), "--endpoint", emulator)
    assert result.returncode == 0, result.stderr
    key = "sap/ZSDR010/2026/11/22/ZSDR010-20261122-0009.json"
    assert context.clients.s3.head_object(Bucket=BUCKET_RAW, Key=key)


def test_push_of_json_nested_too_deeply_to_read_its_feed_asks_for_the_feed_in_one_line(
    emulator, tmp_path
):
    file = tmp_path / "nested.json"
    file.write_bytes(nested_json(100_000))
    result = ior("push", str(file), "--endpoint", emulator)
    assert result.returncode == 1
    assert result.stderr == f"ior: {file}: cannot tell its feed from the file; pass --feed\n"


def test_push_of_json_nested_too_deeply_lands_it_for_ingestion_to_quarantine(
    context, emulator, tmp_path
):
    file = tmp_path / "ZSDR010-nested.json"
    file.write_bytes(nested_json(100_000))
    result = ior("push", str(file), "--feed", "ZSDR010", "--endpoint", emulator)
    assert result.returncode == 0, result.stderr
    [key] = re.findall(r"s3://ior-raw/(\S+)", result.stdout)
    assert key.startswith("sap/ZSDR010/") and key.endswith("/ZSDR010-nested.json")
    assert context.clients.s3.head_object(Bucket=BUCKET_RAW, Key=key)


def test_upload_refuses_a_file_that_is_not_csv_or_xlsx(context, emulator, tmp_path):
    file = tmp_path / "x.txt"
    file.write_text("a")
    result = ior("upload", "ZSDR010", str(file), "--endpoint", emulator)
    assert result.returncode == 1
    assert result.stderr.strip() == f"ior: {file}: uploads must be .csv or .xlsx"


def test_missing_file_is_a_usage_error_in_one_line(emulator):
    result = ior("push", "/nonexistent.json", "--endpoint", emulator)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"), [("IOR_LOG_LEVEL", "verbose"), ("IOR_WORKER_CONCURRENCY", "0")]
)
def test_a_nonsense_setting_is_one_line_naming_the_variable(emulator, variable, value):
    result = ior("status", "--endpoint", emulator, env={variable: value})
    assert result.returncode == 1
    assert result.stderr.startswith(f"ior: {variable}=") and result.stderr.count("\n") == 1


def test_unreachable_endpoint_is_one_clear_line():
    result = ior("up", "--endpoint", "http://127.0.0.1:9", env={"AWS_MAX_ATTEMPTS": "1"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "cannot reach" in result.stderr


def test_worker_stops_gracefully_on_sigterm_and_leaves_nothing_in_flight(
    context, emulator, tmp_path
):
    env = {"IOR_RECEIVE_WAIT_SECONDS": "1", "IOR_LOG_LEVEL": "INFO"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "worker", "ingestion", "--endpoint", emulator],
        cwd=REPO,
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with EventObserver(context.clients, context.names) as observer:
            body = json.dumps(
                {
                    "feed": "ZSDR010",
                    "extract_id": "ZSDR010-20261122-0001",
                    "extracted_at": "2026-11-22T02:00:00Z",
                    "sap_system": "PRD",
                    "record_count": 0,
                    "records": [],
                }
            ).encode()
            context.clients.s3.put_object(
                Bucket=BUCKET_RAW,
                Key="sap/ZSDR010/2026/11/22/ZSDR010-20261122-0001.json",
                Body=body,
            )
            wait_for(lambda: queue_depth(context.clients, context.names, QUEUE_INGESTION).idle)
            events = wait_for(lambda: observer.collect() or observer.events)
            assert [e.type for e in events] == [EXTRACT_ACCEPTED]
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0
    assert '"worker.stopped"' in stderr
    depth = queue_depth(context.clients, context.names, QUEUE_INGESTION)
    assert depth.idle


def test_demo_ends_with_a_summary_and_leaves_only_this_runs_outputs(tmp_path):
    out = tmp_path / "demo"
    (out / "quality").mkdir(parents=True)
    (out / "quality" / "ZEMM004-0.json").write_text("{}")  # a report of an earlier run
    (out / "CALC-20200101-000000-OLD1.xlsx").write_text("old")
    (out / "notes.txt").write_text("the user's own file")

    result = ior("demo", "--out", str(out), timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Extracts" in result.stdout and "total:" in result.stdout
    assert "Quarantine reports" in result.stdout and ".report.json" in result.stdout
    assert "output(s) of an earlier run" in result.stdout
    assert list((out / "rejections").glob("*.report.json"))
    assert not (out / "quarantine").exists()
    assert (out / "comparison.xlsx").is_file() and (out / "comparison.json").is_file()
    assert not (out / "CALC-20200101-000000-OLD1.xlsx").exists()
    assert not (out / "quality" / "ZEMM004-0.json").exists()
    assert (out / "notes.txt").read_text() == "the user's own file"
    # One copy per quality report, under its own name (not a second one as FEED-n.json).
    quality = [path.name for path in (out / "quality").iterdir()]
    assert quality and not [name for name in quality if re.fullmatch(r"[A-Z0-9]+-\d+\.json", name)]


def test_no_credentials_against_a_local_endpoint_names_the_variables(settings, emulator):
    result = ior(
        "status",
        "--endpoint",
        emulator,
        env={
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SESSION_TOKEN": "",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in result.stderr


def test_topology_not_provisioned_says_run_ior_up(settings, emulator, tmp_path):
    file = tmp_path / "ZSDR010-20261122-0009.json"
    file.write_text(json.dumps({"feed": "ZSDR010", "extracted_at": "2026-11-22T02:00:00Z"}))

    result = ior("push", str(file), "--endpoint", emulator)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.rstrip().endswith("the topology is not provisioned; run ior up")


def test_dlq_ls_and_status_answer_for_every_service(context, emulator):
    listing = ior("dlq", "ls", "--endpoint", emulator)
    assert listing.returncode == 0, listing.stderr
    assert "ior-ingestion-dlq" in listing.stdout
    status = ior("status", "--json", "--endpoint", emulator)
    assert status.returncode == 0, status.stderr
    services = {row["service"] for row in json.loads(status.stdout)["services"]}
    assert {"ingestion", "audit"} <= services


def test_dlq_replay_of_an_unknown_service_is_one_line(context, emulator):
    result = ior("dlq", "replay", "nope", "--endpoint", emulator)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
