#!/usr/bin/env bash
# LocalStack READY hook (docker compose mounts this folder at /etc/localstack/init/ready.d):
# provisions ior's topology with ior's own provisioner - services/runtime/provision.py applying
# contracts/topology.py - from the repository mounted read-only at /opt/ior, with the Python and
# boto3 of the LocalStack image. Idempotent; the compose health check waits for it to succeed.
set -euo pipefail

source_dir="${IOR_SOURCE:-/opt/ior}"
# LocalStack's own venv has boto3; fall back to whatever Python the image puts on PATH.
python=/opt/code/localstack/.venv/bin/python
[[ -x "$python" ]] || python="$(command -v python3)"
PYTHONPATH="$source_dir" \
    AWS_ENDPOINT_URL="http://localhost:4566" \
    AWS_ENDPOINT_URL_DYNAMODB="${IOR_DYNAMODB_URL:-http://dynamodb:8000}" \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION="${AWS_REGION:-us-east-1}" \
    exec "$python" "$source_dir/localstack/init/provision_topology.py"
