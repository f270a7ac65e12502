#!/usr/bin/env bash
# Run every test the project has (what `make test` runs).
#
# 1. Unit tests: `go test -race -shuffle=on -count=1 ./...` with the test
#    environment variables removed, so no unit test can depend on them.
# 2. The test environment: scripts/test-env.sh starts the AWS emulator
#    (LocalStack 4.14.0, else moto), PostgreSQL and, when available,
#    MariaDB/MySQL; a trap stops what this run started on exit, whatever
#    happens (components already running from an earlier
#    `scripts/test-env.sh start` are reused and left running).
# 3. Integration tests: `go test -race -shuffle=on -count=1 -tags=integration
#    -timeout=35m` with the env file sourced, on every package whose build
#    changes under the `integration` tag (found by comparing `go list` with
#    and without the tag), i.e. ./integration/... and any other package that
#    has `//go:build integration` test files. Every package whose tests need
#    the environment carries that tag, so each of them gets the environment;
#    their untagged unit tests run a second time there, which is cheap.
#
# Both phases always run; the script prints a summary and exits non-zero when
# anything failed or the environment could not start.
#
# Extra arguments are passed to both `go test` runs (e.g. -run 'TestX' -v).
# SOURCEFLOW_TEST_PHASES="unit integration" (default) selects phases;
# GO names the go binary. Settings of the environment: see test-env.sh.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT="test"
cd "$ROOT"

GO="${GO:-go}"
PHASES=" ${SOURCEFLOW_TEST_PHASES:-unit integration} "
ENV_VARS=(AWS_ENDPOINT_URL SOURCEFLOW_EMULATOR SOURCEFLOW_POSTGRES_DSN SOURCEFLOW_MYSQL_DSN)
SUMMARY=()
FAILED=0
ENV_STARTED=""
PRE_RUNNING=""

note() { SUMMARY+=("$(printf '%-44s %s' "$1" "$2")"); }

phase_enabled() { [[ "$PHASES" == *" $1 "* ]]; }

# cleanup stops the components this run started; components that already
# ran before (e.g. from `scripts/test-env.sh start`) are reused and left up.
cleanup() {
	local rc=$? c
	if [ -n "$ENV_STARTED" ]; then
		sf_log "stopping the test environment this run started"
		for c in mysql postgres localstack; do
			if [[ " $PRE_RUNNING " == *" $c "* ]]; then
				sf_log "leaving $c running (it ran before this run)"
			else
				bash "$SCRIPT_DIR/$c.sh" stop >&2 || sf_log "stopping $c reported an error"
			fi
		done
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_labelled LABEL CMD...: run CMD, record PASS/FAIL and the duration.
run_labelled() {
	local label="$1" t0=$SECONDS
	shift
	sf_log "$*"
	if "$@"; then
		note "$label" "PASS ($((SECONDS - t0))s)"
	else
		note "$label" "FAIL ($((SECONDS - t0))s)"
		FAILED=1
	fi
}

# integration_packages prints the packages whose build changes under the
# integration tag.
integration_packages() {
	local fmt='{{.ImportPath}} {{join .GoFiles ","}} {{join .TestGoFiles ","}} {{join .XTestGoFiles ","}}'
	comm -13 <("$GO" list -e -f "$fmt" ./... | sort) <("$GO" list -e -tags=integration -f "$fmt" ./... | sort) |
		awk '{print $1}' | sort -u
}

print_summary() {
	local line
	printf '\n==================== SourceFlow test summary ====================\n'
	for line in "${SUMMARY[@]}"; do
		printf '%s\n' "$line"
	done
	if [ "$FAILED" -eq 0 ]; then
		printf 'RESULT: PASS\n'
	else
		printf 'RESULT: FAIL\n'
	fi
	printf '=================================================================\n'
}

main() {
	local -a pkgs=()
	local v
	sf_log "$("$GO" version) in $ROOT"

	if phase_enabled unit; then
		local -a unset_env=()
		for v in "${ENV_VARS[@]}"; do unset_env+=(-u "$v"); done
		run_labelled "unit tests (-race -shuffle=on ./...)" \
			env "${unset_env[@]}" "$GO" test -race -shuffle=on -count=1 "$@" ./...
	fi

	if phase_enabled integration; then
		mapfile -t pkgs < <(integration_packages)
		if [ "${#pkgs[@]}" -eq 0 ]; then
			sf_loud "ERROR: no package has integration tests (//go:build integration)"
			note "integration tests" "FAIL (no integration packages found)"
			FAILED=1
		else
			for v in localstack postgres mysql; do
				if bash "$SCRIPT_DIR/$v.sh" status >/dev/null 2>&1; then PRE_RUNNING+=" $v"; fi
			done
			ENV_STARTED=1
			if bash "$SCRIPT_DIR/test-env.sh" start; then
				# shellcheck disable=SC1090 # generated at run time
				. "$SF_ENV_FILE"
				note "AWS emulator" "${SOURCEFLOW_EMULATOR:-?} at ${AWS_ENDPOINT_URL:-?}"
				note "PostgreSQL" "${SOURCEFLOW_POSTGRES_DSN:-NOT AVAILABLE: PostgreSQL tests fail}"
				note "MariaDB/MySQL" "${SOURCEFLOW_MYSQL_DSN:-not available: MySQL tests do not run}"
				run_labelled "integration tests (${#pkgs[@]} package(s), -tags=integration)" \
					"$GO" test -race -shuffle=on -count=1 -tags=integration -timeout=35m "$@" "${pkgs[@]}"
			else
				note "test environment" "FAIL (could not start; see the log above)"
				FAILED=1
			fi
		fi
	fi

	print_summary
	return "$FAILED"
}

main "$@"
