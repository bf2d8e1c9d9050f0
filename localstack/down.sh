#!/usr/bin/env bash
# Stops the LocalStack and DynamoDB Local that localstack/up.sh started (found by their pid files):
# SIGTERM first, SIGKILL after IOR_LOCALSTACK_STOP_TIMEOUT seconds (default 30). Instances that
# up.sh only reused (started elsewhere, e.g. by docker compose) are left alone.
set -euo pipefail

# shellcheck source=localstack/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STOP_TIMEOUT="${IOR_LOCALSTACK_STOP_TIMEOUT:-30}"

# Signals the process group that up.sh created with setsid, or the process alone without one.
signal() {
    kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true
}

stop() {
    local name="$1" pidfile="$2" mark="$3" pid deadline
    if ! pid="$(live_pid "$pidfile" "$mark")"; then
        rm -f "$pidfile"
        say "$name is not running"
        return
    fi
    signal TERM "$pid"
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT} s: killing it"
        signal KILL "$pid"
    fi
    rm -f "$pidfile"
    say "$name (pid $pid) stopped"
}

mkdir -p "$IOR_LOCALSTACK_HOME"
exec 9>"$IOR_LOCALSTACK_HOME/.lock"
# up.sh holds the lock while it re-creates the venv and calls this script: do not wait for it then.
[[ "${1:-}" == "--locked" ]] || flock 9
stop LocalStack "$LOCALSTACK_PID" "$LOCALSTACK_MARK"
stop "DynamoDB Local" "$DYNAMODB_PID" "$DYNAMODB_MARK"
