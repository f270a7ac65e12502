#!/usr/bin/env bash
# Start, stop or check the AWS emulator (SQS, SNS, KMS, CloudFormation) the integration tests use.
#
#   scripts/localstack.sh start    start it, wait until it answers, write the env file
#   scripts/localstack.sh stop     stop exactly what `start` started
#   scripts/localstack.sh status   say what runs and whether it answers
#   scripts/localstack.sh probe    exercise SQS, SNS->SQS raw delivery and KMS
#
# Which emulator (first that works):
#   1. LocalStack 4.14.0 in Docker, only when a Docker engine answers `docker info`;
#   2. LocalStack 4.14.0 on the host (Python 3.13, installed from PyPI into a
#      cached virtualenv with a pinned dependency set).
# When neither starts, `start` fails and says why. moto server is an explicit
# opt-in (SOURCEFLOW_EMULATOR_MODE=moto), never a silent fallback: it deviates
# from AWS in ways some tests check (it drops a queue Policy when only a
# RedrivePolicy is set; it decrypts with a disabled KMS key), and those tests
# skip on moto with that reason.
# SOURCEFLOW_EMULATOR_MODE=auto|docker|host|moto forces one (default auto).
#
# Settings: SOURCEFLOW_AWS_PORT (default 4566), SOURCEFLOW_EMULATOR_WAIT
# (seconds, default 180), SOURCEFLOW_PYTHON313 (a Python 3.13 interpreter),
# SOURCEFLOW_PYENV_INSTALL=0 (never run `pyenv install`), plus SOURCEFLOW_CACHE,
# SOURCEFLOW_STATE_DIR and SOURCEFLOW_ENV_FILE (see lib.sh).
#
# The env file exports AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and SOURCEFLOW_EMULATOR
# (localstack|moto).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=aws-emulator

PORT="${SOURCEFLOW_AWS_PORT:-4566}"
MODE="${SOURCEFLOW_EMULATOR_MODE:-auto}"
WAIT_SECS="${SOURCEFLOW_EMULATOR_WAIT:-180}"
LS_VERSION=4.14.0
LS_IMAGE="localstack/localstack:$LS_VERSION"
LS_VENV="$SF_CACHE/localstack-venv"
STATE_FILE="$SF_STATE/localstack.state"
LOG="$SF_STATE/localstack.log"
# moto (MOTO_VERSION, MOTO_VENV, ensure_moto) and the virtualenv helpers
# (PIP_OPTS, venv_ready, pip_install) live in lib.sh, shared with dynamodb.sh.

# LocalStack 4.14.0 base-runtime set, compiled for Python 3.13. pyopenssl must
# stay at 25.x (26 removed X509.add_extensions, which LocalStack uses).
localstack_requirements() {
	cat <<'EOF'
localstack-core[base-runtime]==4.14.0
annotated-types==0.7.0
asn1crypto==1.5.1
attrs==25.4.0
aws-sam-translator==1.105.0
awscrt==0.31.2
boto3==1.42.54
botocore==1.42.54
cachetools==7.0.1
cbor2==5.8.0
certifi==2026.1.4
cffi==2.0.0
charset-normalizer==3.4.4
click==8.3.1
constantly==23.10.4
cryptography==46.0.5
dill==0.3.6
dnslib==0.9.26
dnspython==2.8.0
docker==7.1.0
h11==0.16.0
h2==4.3.0
hpack==4.1.0
hypercorn==0.18.0
hyperframe==6.1.0
hyperlink==21.0.0
idna==3.11
incremental==24.11.0
isodate==0.7.2
jinja2==3.1.6
jmespath==1.1.0
jsonpatch==1.33
jsonpath-ng==1.16.0
jsonpointer==3.0.0
jsonschema==4.26.0
jsonschema-path==0.3.4
jsonschema-specifications==2025.9.1
lazy-object-proxy==1.12.0
localstack-twisted==25.5.0
markdown-it-py==4.0.0
markupsafe==3.0.3
mdurl==0.1.2
more-itertools==10.8.0
moto-ext==5.1.22
openapi-core==0.22.0
openapi-schema-validator==0.6.3
openapi-spec-validator==0.7.2
packaging==26.0
pathable==0.4.4
plux==1.14.0
priority==1.3.0
psutil==7.2.2
pycparser==3.0
pydantic==2.12.5
pydantic-core==2.41.5
pygments==2.19.2
pyopenssl==25.3.0
python-dateutil==2.9.0.post0
python-dotenv==1.2.1
pyyaml==6.0.3
readerwriterlock==1.0.9
referencing==0.36.2
requests==2.32.5
requests-aws4auth==1.3.1
responses==0.26.3
rfc3339-validator==0.1.4
rich==14.3.3
rolo==0.8.1
rpds-py==0.30.0
s3transfer==0.16.0
semver==3.0.4
six==1.17.0
typing-extensions==4.15.0
typing-inspection==0.4.2
urllib3==2.6.3
werkzeug==3.1.6
wsproto==1.3.2
xmltodict==1.0.4
zope-interface==8.2
EOF
}

usage() {
	sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# ---------------------------------------------------------------- state file

# ours_running succeeds when the state file names a live emulator we started.
ours_running() {
	local runner pid cid
	[ -f "$STATE_FILE" ] || return 1
	runner=$(state_get runner)
	if [ "$runner" = docker ]; then
		cid=$(state_get container)
		[ -n "$cid" ] && [ "$(docker inspect -f '{{.State.Running}}' "$cid" 2>/dev/null)" = true ]
		return
	fi
	pid=$(state_get pid)
	sf_pid_alive "$pid" && sf_pid_cmd_matches "$pid" "$(state_get match)"
}

write_env() {
	local kind="$1" port="$2"
	sf_write_env_fragment localstack <<EOF
# AWS emulator ($kind) started by scripts/localstack.sh
export AWS_ENDPOINT_URL=http://localhost:$port
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export SOURCEFLOW_EMULATOR=$kind
unset AWS_PROFILE AWS_SESSION_TOKEN
EOF
}

# ------------------------------------------------------------------- probes

# aws_call SERVICE TARGET CONTENT_TYPE BODY: one unsigned-but-well-formed AWS
# request (sf_aws_call in lib.sh); prints the HTTP status and leaves the body
# in $SF_STATE/probe.out.
aws_call() { sf_aws_call "$PORT" "$SF_STATE/probe.out" "$@"; }

# api_answers succeeds when SQS ListQueues, SNS ListTopics, KMS ListKeys and
# CloudFormation ListStacks all return 200.
api_answers() {
	[ "$(aws_call sqs AmazonSQS.ListQueues application/x-amz-json-1.0 '{}')" = 200 ] || return 1
	[ "$(aws_call sns '' application/x-www-form-urlencoded 'Action=ListTopics&Version=2010-03-31')" = 200 ] || return 1
	[ "$(aws_call kms TrentService.ListKeys application/x-amz-json-1.1 '{}')" = 200 ] || return 1
	[ "$(aws_call cloudformation '' application/x-www-form-urlencoded 'Action=ListStacks&Version=2010-05-15')" = 200 ] || return 1
}

localstack_healthy() {
	local h svc
	h=$(curl -fsS --max-time 3 "http://127.0.0.1:$PORT/_localstack/health" 2>/dev/null) || return 1
	for svc in sqs sns kms cloudformation; do
		grep -Eq "\"$svc\": *\"running\"" <<<"$h" || return 1
	done
}

moto_healthy() {
	curl -fsS --max-time 3 -o /dev/null "http://127.0.0.1:$PORT/moto-api/" 2>/dev/null
}

# wait_ready KIND: wait until the emulator we just started answers real
# requests; fail when it dies or the deadline passes.
wait_ready() {
	local kind="$1" deadline=$((SECONDS + WAIT_SECS)) started=$SECONDS
	while :; do
		if "${kind}_healthy" && api_answers; then
			sf_log "$kind answers SQS, SNS, KMS and CloudFormation on 127.0.0.1:$PORT after $((SECONDS - started))s"
			return 0
		fi
		if ! ours_running; then
			sf_log "$kind exited during startup"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			sf_log "$kind did not answer within ${WAIT_SECS}s"
			return 1
		fi
		sleep 0.5
	done
}

# ----------------------------------------------------------------- pythons

find_python313() {
	local py
	if py=$(find_python 13 13); then
		echo "$py"
		return 0
	fi
	if [ "${SOURCEFLOW_PYENV_INSTALL:-1}" != 0 ] && command -v pyenv >/dev/null 2>&1; then
		sf_log "no Python 3.13 found; trying \`pyenv install -s 3.13\`"
		if timeout "${SOURCEFLOW_PYENV_INSTALL_TIMEOUT:-900}" pyenv install -s 3.13 >&2; then
			find_python 13 13 && return 0
		fi
		sf_log "pyenv install 3.13 failed"
	fi
	return 1
}

# ensure_localstack_venv PY prints the venv's python, installing when needed.
ensure_localstack_venv() {
	local py="$1" stamp req="$SF_CACHE/localstack-requirements.txt" t0=$SECONDS
	localstack_requirements >"$req"
	stamp="localstack-core==$LS_VERSION req=$(cksum <"$req" | cut -d' ' -f1) py=$("$py" -c 'import sys; print(sys.version.split()[0])')"
	if venv_ready "$LS_VENV" "$stamp" localstack.runtime.main; then
		sf_log "reusing cached LocalStack $LS_VERSION virtualenv $LS_VENV"
		echo "$LS_VENV/bin/python"
		return 0
	fi
	sf_log "installing LocalStack $LS_VERSION from PyPI into $LS_VENV ($("$py" -V 2>&1))"
	rm -rf "$LS_VENV"
	"$py" -m venv "$LS_VENV" >&2
	if ! pip_install "$LS_VENV" -r "$req"; then
		sf_log "pinned install failed; retrying with localstack-core[base-runtime]==$LS_VERSION and loose dependencies"
		pip_install "$LS_VENV" "localstack-core[base-runtime]==$LS_VERSION" 'pyopenssl>=25,<26' jinja2 || return 1
	fi
	echo "$stamp" >"$LS_VENV/.sourceflow-stamp"
	sf_log "LocalStack virtualenv installed in $((SECONDS - t0))s"
	echo "$LS_VENV/bin/python"
}

# ------------------------------------------------------------------ starters

start_docker() {
	local cid
	if ! command -v docker >/dev/null 2>&1 || ! timeout 20 docker info >/dev/null 2>&1; then
		[ "$MODE" != docker ] || sf_log "no Docker engine answers \`docker info\`"
		[ "$MODE" != auto ] || sf_log "no Docker engine answers; LocalStack will run on the host"
		return 1
	fi
	sf_log "a Docker engine answers; starting $LS_IMAGE"
	cid=$(timeout 300 docker run -d --rm -p "127.0.0.1:$PORT:4566" \
		-e SERVICES=sqs,sns,kms,cloudformation -e EAGER_SERVICE_LOADING=1 -e DISABLE_EVENTS=1 \
		-e SQS_ENDPOINT_STRATEGY=path -e "LOCALSTACK_HOST=localhost:$PORT" \
		"$LS_IMAGE" 2>>"$LOG") || {
		sf_log "docker run $LS_IMAGE failed (see $LOG)"
		return 1
	}
	printf 'kind=localstack\nrunner=docker\ncontainer=%s\nport=%s\n' "$cid" "$PORT" >"$STATE_FILE"
	if wait_ready localstack; then
		return 0
	fi
	docker logs "$cid" >>"$LOG" 2>&1 || true
	sf_tail_log "$LOG"
	docker rm -f "$cid" >/dev/null 2>&1 || true
	rm -f "$STATE_FILE"
	return 1
}

start_localstack_host() {
	# hypercorn binds the address GATEWAY_LISTEN names; the default twisted
	# gateway ignores the host part and listens on all interfaces.
	local py313 py pid fs="$SF_CACHE/localstack-fs"
	if ! py313=$(find_python313); then
		sf_log "no Python 3.13 available: LocalStack $LS_VERSION cannot run on the host"
		return 1
	fi
	py=$(ensure_localstack_venv "$py313") || {
		sf_log "could not install LocalStack $LS_VERSION"
		return 1
	}
	mkdir -p "$fs"
	sf_log "starting LocalStack $LS_VERSION on the host ($py)"
	pid=$(sf_spawn "$LOG" env SERVICES=sqs,sns,kms,cloudformation EAGER_SERVICE_LOADING=1 STRICT_SERVICE_LOADING=1 \
		GATEWAY_LISTEN="127.0.0.1:$PORT" LOCALSTACK_HOST="localhost:$PORT" \
		SQS_ENDPOINT_STRATEGY=path SQS_DISABLE_CLOUDWATCH_METRICS=1 \
		PERSISTENCE=0 DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 DNS_ADDRESS=0 \
		OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$fs" GATEWAY_SERVER=hypercorn \
		"$py" -m localstack.runtime.main)
	printf 'kind=localstack\nrunner=host\npid=%s\nmatch=localstack.runtime.main\nport=%s\npython=%s\n' \
		"$pid" "$PORT" "$py" >"$STATE_FILE"
	if wait_ready localstack; then
		return 0
	fi
	sf_tail_log "$LOG"
	grep -qiE 'exit code 55|license activation' "$LOG" &&
		sf_log "this LocalStack build requires an auth token; only $LS_VERSION is supported"
	sf_kill_group "$pid"
	rm -f "$STATE_FILE"
	return 1
}

start_moto() {
	local py pid
	py=$(ensure_moto openapi_spec_validator) || {
		sf_log "moto is not installable and not installed"
		return 1
	}
	sf_log "starting moto server for SQS, SNS, KMS and CloudFormation ($py)"
	pid=$(sf_spawn "$LOG" "$py" -m moto.server -H 127.0.0.1 -p "$PORT")
	printf 'kind=moto\nrunner=host\npid=%s\nmatch=moto.server -H 127.0.0.1 -p %s\nport=%s\npython=%s\n' \
		"$pid" "$PORT" "$PORT" "$py" >"$STATE_FILE"
	if wait_ready moto; then
		return 0
	fi
	sf_tail_log "$LOG"
	sf_kill_group "$pid"
	rm -f "$STATE_FILE"
	return 1
}

# --------------------------------------------------------------- subcommands

cmd_start() {
	local kind started=""
	sf_init_dirs
	command -v curl >/dev/null 2>&1 || sf_die "curl is required to check the emulator"
	if ours_running; then
		kind=$(state_get kind)
		sf_log "$kind (started earlier by this script) already runs on port $(state_get port)"
		write_env "$kind" "$(state_get port)"
		return 0
	fi
	rm -f "$STATE_FILE"
	if sf_port_busy "$PORT"; then
		sf_die "port $PORT is already in use by a process this script did not start; stop it or set SOURCEFLOW_AWS_PORT. $(ss -ltnp "sport = :$PORT" 2>/dev/null | tail -n +2 || true)"
	fi
	: >"$LOG"
	case "$MODE" in
	auto)
		start_docker && started=1
		[ -n "$started" ] || { start_localstack_host && started=1; } ||
			sf_loud "ERROR: LocalStack $LS_VERSION could not start (neither in Docker nor on the host); see $LOG. moto is not used unless asked for: SOURCEFLOW_EMULATOR_MODE=moto (some tests then skip, see scripts/README.md)"
		;;
	docker) start_docker && started=1 ;;
	host) start_localstack_host && started=1 ;;
	moto) start_moto && started=1 ;;
	*) sf_die "SOURCEFLOW_EMULATOR_MODE must be auto, docker, host or moto (got '$MODE')" ;;
	esac
	[ -n "$started" ] || {
		sf_tail_log "$LOG"
		sf_die "no AWS emulator could be started (mode $MODE); log: $LOG"
	}
	kind=$(state_get kind)
	write_env "$kind" "$PORT"
	sf_loud "STARTED: $(describe) on http://localhost:$PORT; env file: $SF_ENV_FILE"
}

describe() {
	case "$(state_get kind)/$(state_get runner)" in
	localstack/docker) echo "LocalStack $LS_VERSION (Docker container $(state_get container | cut -c1-12))" ;;
	localstack/host) echo "LocalStack $LS_VERSION (host mode, pid $(state_get pid))" ;;
	moto/*) echo "moto server (pid $(state_get pid))" ;;
	*) echo "unknown emulator" ;;
	esac
}

cmd_stop() {
	local runner cid
	if [ ! -f "$STATE_FILE" ]; then
		sf_log "no emulator started by this script is recorded; nothing to stop"
		sf_remove_env_fragment localstack
		return 0
	fi
	runner=$(state_get runner)
	if [ "$runner" = docker ]; then
		cid=$(state_get container)
		sf_log "removing Docker container ${cid:0:12}"
		docker rm -f "$cid" >/dev/null 2>&1 || true
	else
		sf_stop_recorded "$(state_get pid)" "$(state_get match)" "$(describe)"
	fi
	rm -f "$STATE_FILE" "$SF_STATE/probe.out"
	sf_remove_env_fragment localstack
	sf_log "stopped"
}

cmd_status() {
	if ! ours_running; then
		echo "aws-emulator: not running (no live emulator started by scripts/localstack.sh)"
		return 1
	fi
	PORT=$(state_get port)
	if api_answers; then
		echo "aws-emulator: $(describe) answers on http://localhost:$PORT (env file: $SF_ENV_FILE)"
	else
		echo "aws-emulator: $(describe) runs but does not answer on port $PORT"
		return 1
	fi
}

cmd_probe() {
	local py
	ours_running || sf_die "no emulator started by this script is running"
	py=$(state_get python)
	if [ -z "$py" ] || ! "$py" -c 'import boto3' >/dev/null 2>&1; then
		py=""
		for c in "$LS_VENV/bin/python" "$MOTO_VENV/bin/python"; do
			if [ -x "$c" ] && "$c" -c 'import boto3' >/dev/null 2>&1; then
				py=$c
				break
			fi
		done
	fi
	[ -n "$py" ] || sf_die "no Python with boto3 found for the probe"
	AWS_ENDPOINT_URL="http://localhost:$(state_get port)" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
		AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "$py" "$SCRIPT_DIR/aws_probe.py"
}

# cmd_plan says what `start` would install, before anything is installed.
cmd_plan() {
	case "$MODE" in
	moto) moto_plan ;;
	*) docker info >/dev/null 2>&1 && return 0
		"$LS_VENV/bin/python" -c 'import localstack.runtime.main' >/dev/null 2>&1 ||
			echo "LocalStack $LS_VERSION: from PyPI into $LS_VENV (no root; a Python 3.13 through pyenv when none is found)" ;;
	esac
}

case "${1:-}" in
plan) cmd_plan ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
probe) cmd_probe ;;
*) usage ;;
esac
