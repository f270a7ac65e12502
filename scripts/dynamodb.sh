#!/usr/bin/env bash
# Start, stop or check the DynamoDB emulator (moto server) the integration tests use.
#
#   scripts/dynamodb.sh start    start it, wait until DynamoDB answers, write the env file
#   scripts/dynamodb.sh stop     stop exactly what `start` started
#   scripts/dynamodb.sh status   say whether it runs and answers
#   scripts/dynamodb.sh plan     say what start would install
#
# moto server 5.2.5 (pinned dependency set with py-partiql-parser, installed
# from PyPI into the cached virtualenv $SOURCEFLOW_CACHE/moto-venv, which
# localstack.sh's moto mode shares; see lib.sh) runs on 127.0.0.1 through
# moto_server.py, which serves one request at a time and checks a
# TransactWriteItems' conditions before it writes (as DynamoDB does; see
# that file for why moto's own server is not enough). `start` waits until a DynamoDB ListTables request
# answers 200, reuses a server it started earlier, refuses a port taken by
# another process, and fails, saying why and printing the log, when moto
# cannot be installed or does not answer in time.
# LocalStack's own DynamoDB is not used: it runs Amazon's DynamoDB Local,
# whose licence is not open source.
#
# Settings: SOURCEFLOW_DYNAMODB_PORT (default 4569), SOURCEFLOW_DYNAMODB_WAIT
# (seconds, default 60), plus SOURCEFLOW_CACHE, SOURCEFLOW_STATE_DIR and
# SOURCEFLOW_ENV_FILE (see lib.sh).
#
# The env file exports SOURCEFLOW_DYNAMODB_ENDPOINT (http://127.0.0.1:PORT),
# which the tests read, and AWS_ENDPOINT_URL_DYNAMODB (the same URL), which
# points every AWS SDK's DynamoDB client at it (the example's -store dynamodb).
# Credentials and region come from the AWS emulator's part of the env file;
# moto accepts any.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=dynamodb

PORT="${SOURCEFLOW_DYNAMODB_PORT:-4569}"
WAIT_SECS="${SOURCEFLOW_DYNAMODB_WAIT:-60}"
STATE_FILE="$SF_STATE/dynamodb.state"
LOG="$SF_STATE/dynamodb.log"
PROBE_OUT="$SF_STATE/dynamodb-probe.out"

# ours_running succeeds when the state file names a live moto server that
# this script started (pid alive and its command line matches).
ours_running() {
	local pid
	[ -f "$STATE_FILE" ] || return 1
	pid=$(state_get pid)
	sf_pid_alive "$pid" && sf_pid_cmd_matches "$pid" "$(state_get match)"
}

# list_tables PORT prints the HTTP status of a DynamoDB ListTables request.
list_tables() {
	sf_aws_call "$1" "$PROBE_OUT" dynamodb DynamoDB_20120810.ListTables application/x-amz-json-1.0 '{}'
}

write_env() {
	sf_write_env_fragment dynamodb <<EOF
# DynamoDB emulator (moto server $MOTO_VERSION) started by scripts/dynamodb.sh
export SOURCEFLOW_DYNAMODB_ENDPOINT=http://127.0.0.1:$1
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$1
EOF
}

describe() { echo "moto server $MOTO_VERSION (pid $(state_get pid))"; }

# stop_ours stops the server recorded in the state file, if it still runs,
# and forgets it.
stop_ours() {
	sf_stop_recorded "$(state_get pid)" "$(state_get match)" "$(describe)"
	rm -f "$STATE_FILE" "$PROBE_OUT"
}

cmd_start() {
	local py pid port code="" why="" t0 deadline
	sf_init_dirs
	command -v curl >/dev/null 2>&1 || sf_die "curl is required to check the DynamoDB emulator"
	if ours_running; then
		port=$(state_get port)
		if [ "$(list_tables "$port")" = 200 ]; then
			[ "$port" = "$PORT" ] || sf_log "note: it runs on port $port, not SOURCEFLOW_DYNAMODB_PORT=$PORT; stop it to move it"
			sf_log "$(describe) (started earlier by this script) already answers on 127.0.0.1:$port"
			write_env "$port"
			return 0
		fi
		sf_log "$(describe), started earlier by this script, runs but does not answer ListTables on port $port; restarting it"
		stop_ours
	fi
	rm -f "$STATE_FILE"
	if sf_port_busy "$PORT"; then
		sf_die "port $PORT is already in use by a process this script did not start; stop it or set SOURCEFLOW_DYNAMODB_PORT. $(ss -ltnp "sport = :$PORT" 2>/dev/null | tail -n +2 || true)"
	fi
	py=$(ensure_moto py_partiql_parser) ||
		sf_die "moto server $MOTO_VERSION could not be installed from PyPI into $MOTO_VENV, and no Python with moto, flask-cors and py-partiql-parser is installed (see the messages above)"
	: >"$LOG"
	sf_log "starting moto server $MOTO_VERSION for DynamoDB on 127.0.0.1:$PORT ($py)"
	pid=$(MOTO_PORT=$PORT sf_spawn "$LOG" "$py" "$SCRIPT_DIR/moto_server.py" 127.0.0.1 "$PORT")
	printf 'pid=%s\nmatch=moto_server.py 127.0.0.1 %s\nport=%s\npython=%s\n' \
		"$pid" "$PORT" "$PORT" "$py" >"$STATE_FILE"
	t0=$SECONDS
	deadline=$((SECONDS + WAIT_SECS))
	while :; do
		code=$(list_tables "$PORT")
		if [ "$code" = 200 ] && ours_running; then
			break
		fi
		if ! sf_pid_alive "$pid"; then
			why="moto server (pid $pid) exited during startup"
			if grep -q 'Address already in use' "$LOG" 2>/dev/null; then why+=" (port $PORT was taken meanwhile)"; fi
			break
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			why="moto server (pid $pid) did not answer DynamoDB ListTables with 200 on 127.0.0.1:$PORT within ${WAIT_SECS}s (last HTTP status: ${code:-none}; set SOURCEFLOW_DYNAMODB_WAIT to wait longer)"
			break
		fi
		sleep 0.5
	done
	if [ -n "$why" ]; then
		sf_tail_log "$LOG"
		sf_kill_group "$pid"
		rm -f "$STATE_FILE"
		sf_die "DynamoDB emulator could not start: $why; log: $LOG"
	fi
	write_env "$PORT"
	sf_log "DynamoDB ListTables answers after $((SECONDS - t0))s"
	sf_loud "STARTED: $(describe) for DynamoDB on http://127.0.0.1:$PORT; env file: $SF_ENV_FILE"
}

cmd_stop() {
	if [ ! -f "$STATE_FILE" ]; then
		sf_log "no DynamoDB emulator started by this script is recorded; nothing to stop"
		sf_remove_env_fragment dynamodb
		return 0
	fi
	stop_ours
	sf_remove_env_fragment dynamodb
	sf_log "stopped"
}

cmd_status() {
	local port
	if ! ours_running; then
		echo "dynamodb: not running (no live moto server started by scripts/dynamodb.sh)"
		return 1
	fi
	port=$(state_get port)
	if [ "$(list_tables "$port")" = 200 ]; then
		echo "dynamodb: $(describe) answers on http://127.0.0.1:$port (SOURCEFLOW_DYNAMODB_ENDPOINT; env file: $SF_ENV_FILE)"
	else
		echo "dynamodb: $(describe) runs but does not answer DynamoDB ListTables on port $port"
		return 1
	fi
}

# cmd_plan says what `start` would install, before anything is installed.
cmd_plan() { moto_plan; }

case "${1:-}" in
plan | start | stop | status) "cmd_$1" ;;
*)
	sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
