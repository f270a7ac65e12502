#!/usr/bin/env bash
# Run the benchmarks (what `make bench` runs).
#
#   scripts/bench.sh [go test flags] [packages]
#
# Starts the test environment (see test-env.sh) so that benchmarks against the
# emulator or a database can run, builds with -tags=integration, and runs
#   go test -run='^$' -bench="${BENCH:-.}" -benchmem -count=1 -timeout=60m [flags] [packages, default ./...]
# BenchmarkTransportsOnAWS (integration/) compares awsbus with watermill-aws on
# the emulator and writes bench/results/transports.md and transports.svg; its
# sizes come from SOURCEFLOW_BENCH_MESSAGES, SOURCEFLOW_BENCH_LATENCY_MESSAGES
# and SOURCEFLOW_BENCH_RATE (short run: BENCH=TransportsOnAWS
# SOURCEFLOW_BENCH_MESSAGES=100 SOURCEFLOW_BENCH_LATENCY_MESSAGES=40 make bench).
# The environment is stopped on exit (components that already ran are left
# running). SOURCEFLOW_BENCH_ENV=0 skips the environment and the tag, for the
# in-process benchmarks only.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=bench
cd "$ROOT"

GO="${GO:-go}"
PRE_RUNNING=""
ENV_STARTED=""

cleanup() {
	local rc=$? c
	[ -n "$ENV_STARTED" ] || exit "$rc"
	for c in mysql postgres dynamodb localstack; do
		[[ " $PRE_RUNNING " == *" $c "* ]] || bash "$SCRIPT_DIR/$c.sh" stop >&2 || true
	done
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

main() {
	local -a tags=() args=("$@") c
	local has_pkg=""
	for c in "${args[@]}"; do
		case "$c" in -*) ;; *) has_pkg=1 ;; esac
	done
	[ -n "$has_pkg" ] || args+=(./...)
	if [ "${SOURCEFLOW_BENCH_ENV:-1}" != 0 ]; then
		for c in localstack dynamodb postgres mysql; do
			if bash "$SCRIPT_DIR/$c.sh" status >/dev/null 2>&1; then PRE_RUNNING+=" $c"; fi
		done
		ENV_STARTED=1
		bash "$SCRIPT_DIR/test-env.sh" start
		# shellcheck disable=SC1090 # generated at run time
		. "$SF_ENV_FILE"
		tags=(-tags=integration)
	fi
	sf_log "$GO test -run=^\$ -bench=${BENCH:-.} -benchmem -count=1 -timeout=60m ${tags[*]} ${args[*]}"
	"$GO" test -run='^$' -bench="${BENCH:-.}" -benchmem -count=1 -timeout=60m "${tags[@]}" "${args[@]}"
	if [ -f "$ROOT/bench/results/transports.md" ]; then sf_log "transport comparison: bench/results/transports.md, bench/results/transports.svg"; fi
}

main "$@"
