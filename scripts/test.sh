#!/usr/bin/env bash
# Run every test the project has (what `make test` runs).
#
# 1. Unit tests: `go test -race -shuffle=on -count=1 ./...` with the test
#    environment variables removed, so no unit test can depend on them.
# 2. Fuzz targets: every `func FuzzX(f *testing.F)` of the module, found with
#    `go test -list` on the packages whose test files declare one, runs for
#    SOURCEFLOW_FUZZTIME (default 10000x: ten thousand inputs) with one worker:
#    `go test -run='^$' -fuzz='^FuzzX$' -fuzztime=... -parallel=1 PKG`, one
#    target per invocation, as Go requires. A failing target is named in the
#    summary; the input that failed is written to PKG/testdata/fuzz/FuzzX/,
#    where `go test` replays it from then on. (The committed corpus also runs
#    as ordinary tests in the unit phase.)
#    The default budget counts inputs, not seconds: with a duration, Go 1.26's
#    fuzz coordinator can end a clean run with a bare "context deadline
#    exceeded" failure when the deadline races a busy worker
#    (https://go.dev/issue/75804, fixed in Go 1.27). A duration still works;
#    a run that fails that way, writes no failing input and replays its
#    corpus cleanly is reported as passed, with the race named.
# 3. The test environment: scripts/test-env.sh starts the AWS emulator
#    (LocalStack 4.14.0, or moto when asked for), the DynamoDB emulator (moto
#    server), PostgreSQL, cfn-lint and, when available, MariaDB/MySQL; a trap
#    stops what this run started on exit, whatever happens (components
#    already running from an earlier `scripts/test-env.sh start` are reused
#    and left running).
# 4. Integration tests: `go test -race -shuffle=on -count=1 -tags=integration
#    -timeout=50m -p 1` with the env file sourced, on every package whose build
#    changes under the `integration` tag (found by comparing `go list` with
#    and without the tag), i.e. ./integration/... and any other package that
#    has `//go:build integration` test files. Every package whose tests need
#    the environment carries that tag, so each of them gets the environment;
#    their untagged unit tests run a second time there, which is cheap.
#    The packages run one after another (-p 1): they share one PostgreSQL
#    database, and a watermill-sql reader there (sqlbus, the outbox) sees no
#    row newer than the oldest transaction open on it, so
#    a package whose tests hold transactions open on purpose (a slow or
#    killed handler in one) would hold up the deliveries another package's
#    tests wait for.
#
# Every phase always runs; the script prints a summary and exits non-zero when
# anything failed or the environment could not start.
#
# Extra arguments are passed to the unit and integration `go test` runs (e.g.
# -run 'TestX' -v), not to the fuzz runs.
# SOURCEFLOW_TEST_PHASES="unit fuzz integration" (default) selects phases;
# SOURCEFLOW_FUZZTIME sets each fuzz target's -fuzztime (default 10000x; `make
# fuzz` runs the fuzz phase alone with 500000x); GO names the go binary. Settings
# of the environment: see test-env.sh.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT="test"
cd "$ROOT"

GO="${GO:-go}"
PHASES=" ${SOURCEFLOW_TEST_PHASES:-unit fuzz integration} "
FUZZTIME="${SOURCEFLOW_FUZZTIME:-10000x}"
ENV_VARS=(AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB SOURCEFLOW_EMULATOR SOURCEFLOW_DYNAMODB_ENDPOINT SOURCEFLOW_POSTGRES_DSN SOURCEFLOW_MYSQL_DSN)
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
		for c in mysql postgres dynamodb localstack; do
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

# fuzz_targets prints "PACKAGE TARGET" for every fuzz target of the module:
# the packages whose test files declare a func Fuzz..., then the targets
# `go test -list` reports for each. It fails when a listing fails.
fuzz_targets() {
	local fmt='{{.ImportPath}}{{range .TestGoFiles}} {{$.Dir}}/{{.}}{{end}}{{range .XTestGoFiles}} {{$.Dir}}/{{.}}{{end}}'
	local pkg files names name
	"$GO" list -e -f "$fmt" ./... | while read -r pkg files; do
		# shellcheck disable=SC2086 # files is a list of paths without spaces
		[ -n "$files" ] && grep -qs '^func Fuzz' $files || continue
		names=$("$GO" test -list '^Fuzz' "$pkg") || {
			printf '%s\n' "$names" >&2
			return 1
		}
		for name in $names; do
			case "$name" in Fuzz*) echo "$pkg $name" ;; esac
		done
	done
}

# fuzz_one runs one fuzz target; its output is copied to LOG. It fails when
# `go test -fuzz` fails, except for Go's deadline race (see the top of this
# file): a bare "context deadline exceeded" with no new input in the
# target's corpus directory and a clean replay of that corpus.
fuzz_one() {
	local pkg=$1 name=$2 log=$3 dir before after
	shift 3 # the rest: env's arguments removing the test environment
	dir="$("$GO" list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name"
	before=$({ ls "$dir" 2>/dev/null || true; } | wc -l)
	if env "$@" "$GO" test -run='^$' -fuzz="^$name\$" -fuzztime="$FUZZTIME" -parallel=1 "$pkg" 2>&1 | tee "$log"; then
		return 0
	fi
	after=$({ ls "$dir" 2>/dev/null || true; } | wc -l)
	[ "$after" -eq "$before" ] || return 1
	grep -A1 -- "^--- FAIL: $name " "$log" | grep -Eq '^[[:space:]]+context deadline exceeded$' || return 1
	sf_log "$name ended with Go's fuzz deadline race (go.dev/issue/75804) and wrote no failing input; replaying its corpus"
	env "$@" "$GO" test -run="^$name\$" -count=1 "$pkg" || return 1
	FUZZ_RACE=1
}

# run_fuzz runs every fuzz target for FUZZTIME with one worker, one target
# per `go test` invocation; a failure is reported with the target's name.
run_fuzz() {
	local module out pkg name label t0 v log
	local -a unset_env=() targets=()
	for v in "${ENV_VARS[@]}"; do unset_env+=(-u "$v"); done
	module=$("$GO" list -m)
	if ! out=$(fuzz_targets); then
		note "fuzz targets" "FAIL (go test -list failed; see above)"
		FAILED=1
		return
	fi
	mapfile -t targets < <(printf '%s\n' "$out" | sed '/^$/d')
	if [ "${#targets[@]}" -eq 0 ]; then
		sf_loud "ERROR: no fuzz target found (func FuzzX(f *testing.F) in a _test.go file)"
		note "fuzz targets" "FAIL (none found)"
		FAILED=1
		return
	fi
	log=$(mktemp)
	sf_log "fuzzing ${#targets[@]} target(s), -fuzztime=$FUZZTIME each"
	for out in "${targets[@]}"; do
		read -r pkg name <<<"$out"
		label="fuzz $name (${pkg#"$module"/})"
		t0=$SECONDS
		FUZZ_RACE=0
		sf_log "go test -run='^\$' -fuzz='^$name\$' -fuzztime=$FUZZTIME -parallel=1 $pkg"
		if fuzz_one "$pkg" "$name" "$log" "${unset_env[@]}"; then
			if [ "$FUZZ_RACE" -eq 1 ]; then
				note "$label" "PASS ($((SECONDS - t0))s; ended by go.dev/issue/75804)"
			else
				note "$label" "PASS ($((SECONDS - t0))s)"
			fi
		else
			sf_loud "FAIL: fuzz target $name in $pkg. An input that fails is written to ${pkg#"$module"/}/testdata/fuzz/$name/: fix the code and commit the input with the fix."
			note "$label" "FAIL ($((SECONDS - t0))s)"
			FAILED=1
		fi
	done
	rm -f "$log"
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

	if phase_enabled fuzz; then
		run_fuzz
	fi

	if phase_enabled integration; then
		mapfile -t pkgs < <(integration_packages)
		if [ "${#pkgs[@]}" -eq 0 ]; then
			sf_loud "ERROR: no package has integration tests (//go:build integration)"
			note "integration tests" "FAIL (no integration packages found)"
			FAILED=1
		else
			for v in localstack dynamodb postgres mysql; do
				if bash "$SCRIPT_DIR/$v.sh" status >/dev/null 2>&1; then PRE_RUNNING+=" $v"; fi
			done
			ENV_STARTED=1
			if bash "$SCRIPT_DIR/test-env.sh" start; then
				# shellcheck disable=SC1090 # generated at run time
				. "$SF_ENV_FILE"
				note "AWS emulator" "${SOURCEFLOW_EMULATOR:-?} at ${AWS_ENDPOINT_URL:-?}"
				note "DynamoDB emulator" "moto at ${SOURCEFLOW_DYNAMODB_ENDPOINT:-?}"
				note "PostgreSQL" "${SOURCEFLOW_POSTGRES_DSN:-NOT AVAILABLE: PostgreSQL tests fail}"
				note "MariaDB/MySQL" "${SOURCEFLOW_MYSQL_DSN:-not available: MySQL tests do not run}"
				run_labelled "integration tests (${#pkgs[@]} package(s), -tags=integration)" \
					"$GO" test -race -shuffle=on -count=1 -tags=integration -timeout=50m -p 1 "$@" "${pkgs[@]}"
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
