"""Waits until LocalStack and DynamoDB Local answer; run by up.sh with the LocalStack venv's Python.

    health.py LOCALSTACK_URL DYNAMODB_URL [--timeout SECONDS] [--only localstack|dynamodb]

LocalStack is healthy when `/_localstack/health` reports s3, sqs, sns and sts as available (or
running); DynamoDB Local when `ListTables` answers. Exit 0 when healthy, 1 with the reason when not
within the timeout (0 checks once).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

REQUIRED_SERVICES = ("s3", "sqs", "sns", "sts")
READY_STATES = {"available", "running"}


def localstack_problem(url: str) -> str | None:
    try:
        health = f"{url}/_localstack/health"
        with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310 - http(s) given
            services = json.load(response).get("services", {})
    except (OSError, ValueError) as exc:
        return f"LocalStack at {url} does not answer /_localstack/health ({exc})"
    missing = [name for name in REQUIRED_SERVICES if services.get(name) not in READY_STATES]
    if missing:
        states = ", ".join(f"{name}={services.get(name, 'absent')}" for name in missing)
        return f"LocalStack at {url} is not ready: {states}"
    return None


def dynamodb_problem(url: str) -> str | None:
    client = boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - DynamoDB Local checks no credentials
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
    )
    try:
        client.list_tables(Limit=1)
    except Exception as exc:
        return f"DynamoDB Local at {url} does not answer ListTables ({type(exc).__name__}: {exc})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("localstack_url")
    parser.add_argument("dynamodb_url")
    parser.add_argument("--timeout", type=float, default=0)
    parser.add_argument("--only", choices=("localstack", "dynamodb"))
    args = parser.parse_args()
    checks = []
    if args.only in (None, "localstack"):
        checks.append(lambda: localstack_problem(args.localstack_url))
    if args.only in (None, "dynamodb"):
        checks.append(lambda: dynamodb_problem(args.dynamodb_url))
    deadline = time.monotonic() + args.timeout
    while True:
        problems = [problem for check in checks if (problem := check())]
        if not problems:
            return 0
        if time.monotonic() >= deadline:
            print("; ".join(problems), file=sys.stderr)
            return 1
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
