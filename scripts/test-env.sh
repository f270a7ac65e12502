#!/usr/bin/env bash
# Start, stop or check the whole test environment: the AWS emulator, the
# DynamoDB emulator, PostgreSQL, (when available) MariaDB/MySQL, and the
# cfn-lint tool.
#
#   scripts/test-env.sh start    start them all, then: . "$(scripts/test-env.sh env-file)"
#   scripts/test-env.sh stop     stop everything the scripts started
#   scripts/test-env.sh status   say what runs
#   scripts/test-env.sh plan     say what start would install
#   scripts/test-env.sh env-file print the path of the env file
#
# start fails when the AWS emulator, the DynamoDB emulator or cfn-lint cannot
# start, and when PostgreSQL cannot start with CI=true; it then stops what it
# already started. MySQL is optional. See localstack.sh, dynamodb.sh,
# postgres.sh, mysql.sh and cfnlint.sh for their settings.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=test-env

usage() {
	sed -n '6,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cmd_stop() {
	local rc=0
	bash "$SCRIPT_DIR/cfnlint.sh" stop || rc=1
	bash "$SCRIPT_DIR/mysql.sh" stop || rc=1
	bash "$SCRIPT_DIR/postgres.sh" stop || rc=1
	bash "$SCRIPT_DIR/dynamodb.sh" stop || rc=1
	bash "$SCRIPT_DIR/localstack.sh" stop || rc=1
	return "$rc"
}

# cmd_plan prints what starting the environment will install, if anything,
# so that nothing is installed unannounced (a line two components share, such
# as moto's for localstack.sh's moto mode and dynamodb.sh, is printed once).
cmd_plan() {
	local c plan=""
	for c in localstack dynamodb postgres mysql cfnlint; do
		plan+=$(bash "$SCRIPT_DIR/$c.sh" plan 2>/dev/null || true)
		plan+=$'\n'
	done
	plan=$(printf '%s' "$plan" | sed '/^$/d' | awk '!seen[$0]++')
	if [ -n "$plan" ]; then
		sf_loud "the test environment will now install:"$'\n'"$plan"
	fi
}

cmd_start() {
	local c
	cmd_plan
	for c in localstack dynamodb postgres mysql cfnlint; do
		if ! bash "$SCRIPT_DIR/$c.sh" start; then
			sf_loud "ERROR: $c.sh start failed; stopping what was started"
			cmd_stop || true
			return 1
		fi
	done
	[ -f "$SF_ENV_FILE" ] || sf_die "no env file was written ($SF_ENV_FILE)"
	sf_log "test environment ready; source $SF_ENV_FILE"
}

cmd_status() {
	local rc=0
	bash "$SCRIPT_DIR/localstack.sh" status || rc=1
	bash "$SCRIPT_DIR/dynamodb.sh" status || rc=1
	bash "$SCRIPT_DIR/postgres.sh" status || rc=1
	bash "$SCRIPT_DIR/mysql.sh" status || true
	bash "$SCRIPT_DIR/cfnlint.sh" status || rc=1
	[ ! -f "$SF_ENV_FILE" ] || echo "env file: $SF_ENV_FILE"
	return "$rc"
}

case "${1:-}" in
plan) cmd_plan ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env-file) echo "$SF_ENV_FILE" ;;
*) usage ;;
esac
