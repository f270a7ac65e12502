# shellcheck shell=bash
# Shared helpers for the scripts that start and stop the test environment.
# Source it; it defines functions and a few variables and runs nothing.
#
# Locations (override with the environment):
#   SOURCEFLOW_CACHE      cached virtualenvs, pip cache and lint tools
#                         (default ${XDG_CACHE_HOME:-$HOME/.cache}/sourceflow)
#   SOURCEFLOW_STATE_DIR  pid files, logs, env fragments and the combined env file
#                         (default ${TMPDIR:-/tmp}/sourceflow-test-env-$UID)
#   SOURCEFLOW_ENV_FILE   the combined env file to source
#                         (default $SOURCEFLOW_STATE_DIR/env.sh, so that each
#                         state directory has its own; one set explicitly is
#                         refused while the environment of another state
#                         directory that it was written for still runs:
#                         see sf_env_runs)

SF_CACHE="${SOURCEFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sourceflow}"
SF_STATE="${SOURCEFLOW_STATE_DIR:-${TMPDIR:-/tmp}/sourceflow-test-env-$(id -u)}"
SF_ENV_FILE="${SOURCEFLOW_ENV_FILE:-$SF_STATE/env.sh}"

sf_log() { printf '[%s] %s\n' "${SF_COMPONENT:-sourceflow}" "$*" >&2; }

# sf_loud prints a framed message that stands out in a CI log.
sf_loud() {
	local line="================================================================"
	printf '%s\n[%s] %s\n%s\n' "$line" "${SF_COMPONENT:-sourceflow}" "$*" "$line" >&2
}

sf_die() {
	sf_loud "ERROR: $*"
	exit 1
}

sf_init_dirs() {
	local other
	other=$(sf_env_foreign)
	[ -z "$other" ] || sf_die "the env file $SF_ENV_FILE (SOURCEFLOW_ENV_FILE) is that of the environment of state directory $other, which still runs: unset SOURCEFLOW_ENV_FILE (this state directory's env file is then $SF_STATE/env.sh) or give it another file, or stop that environment first (SOURCEFLOW_STATE_DIR=$other scripts/test-env.sh stop)"
	mkdir -p "$SF_CACHE" "$SF_STATE"
	# The state directory must be traversable by the unprivileged users the
	# database servers run as when the scripts run as root.
	chmod 0755 "$SF_STATE"
}

# sf_port_busy PORT succeeds when something accepts TCP connections on
# 127.0.0.1:PORT.
sf_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# sf_free_port prints a port on 127.0.0.1 that nothing listens on.
sf_free_port() {
	local port i
	for i in $(seq 1 50); do
		port=$(((RANDOM % 20000) + 20000 + i))
		if ! sf_port_busy "$port"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# sf_pid_alive PID succeeds when PID is a running (non-zombie) process.
sf_pid_alive() {
	local pid="$1" state
	[ -n "$pid" ] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
	case "$state" in Z*) return 1 ;; esac
	return 0
}

# sf_pid_cmd_matches PID PATTERN succeeds when the command line of PID
# contains PATTERN (guards against a recycled pid). An empty PATTERN (a
# state file without one) matches nothing: the process is not known to be
# ours.
sf_pid_cmd_matches() {
	local cmd
	[ -n "$2" ] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || ps -o args= -p "$1" 2>/dev/null || true)
	[[ "$cmd" == *"$2"* ]]
}

# sf_stop_recorded PID MATCH WHAT stops the process group of PID, described
# as WHAT, when PID still runs a command containing MATCH; a recorded pid
# that is gone (or now runs something else) is only reported.
sf_stop_recorded() {
	if sf_pid_alive "$1" && sf_pid_cmd_matches "$1" "$2"; then
		sf_log "stopping $3"
		sf_kill_group "$1"
	else
		sf_log "recorded pid $1 is gone; cleaning up"
	fi
}

# sf_kill_group PID: SIGTERM the process group led by PID (started with
# setsid), wait up to SECS (default 20), then SIGKILL what is left.
sf_kill_group() {
	local pid="$1" secs="${2:-20}" i
	sf_pid_alive "$pid" || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 $((secs * 4))); do
		sf_pid_alive "$pid" || return 0
		sleep 0.25
	done
	sf_log "pid $pid did not stop after ${secs}s; sending SIGKILL"
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	sleep 0.5
}

# sf_spawn LOG CMD...: start CMD detached in its own session (so it outlives
# this script and can be stopped as a group) and print its pid.
sf_spawn() {
	local log="$1"
	shift
	if command -v setsid >/dev/null 2>&1; then
		setsid "$@" </dev/null >>"$log" 2>&1 &
	else
		nohup "$@" </dev/null >>"$log" 2>&1 &
	fi
	echo $!
}

# sf_tail_log FILE prints the last lines of FILE for a failure report.
sf_tail_log() {
	[ -f "$1" ] || return 0
	printf -- '----- last %s lines of %s -----\n' "${2:-60}" "$1" >&2
	tail -n "${2:-60}" "$1" >&2
	printf -- '----- end of %s -----\n' "$1" >&2
}

# sf_unpriv_user prints the user to run database servers as when running as
# root (initdb and mariadbd refuse root); empty when not root.
sf_unpriv_user() {
	local u
	[ "$(id -u)" -eq 0 ] || return 0
	for u in ${SOURCEFLOW_DB_USER:-} postgres mysql nobody; do
		if id -u "$u" >/dev/null 2>&1; then
			echo "$u"
			return 0
		fi
	done
	return 1
}

# sf_as USER CMD...: run CMD as USER (or as the current user when USER is
# empty).
sf_as() {
	local user="$1"
	shift
	if [ -z "$user" ]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u "$user" -- "$@"
	else
		su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
	fi
}

# sf_apt_install PKG...: install Debian packages when running as root with
# apt-get, without letting package scripts start system services.
sf_apt_install() {
	local rc=0 policy=/usr/sbin/policy-rc.d created=""
	[ "$(id -u)" -eq 0 ] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && created=1
	fi
	sf_log "installing $* with apt-get"
	{ DEBIAN_FRONTEND=noninteractive timeout "${SOURCEFLOW_APT_TIMEOUT:-600}" apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive timeout "${SOURCEFLOW_APT_TIMEOUT:-600}" \
			apt-get install -y -qq --no-install-recommends "$@"; } >&2 || rc=$?
	[ -z "$created" ] || rm -f "$policy"
	return "$rc"
}

# sf_write_env_fragment NAME: read `export ...` lines on stdin into the
# component's fragment, then rebuild the combined env file.
sf_write_env_fragment() {
	cat >"$SF_STATE/$1.env"
	sf_rebuild_env
}

sf_remove_env_fragment() {
	rm -f "$SF_STATE/$1.env"
	sf_rebuild_env
}

# sf_dir_id DIR prints DIR's physical path, or nothing when it is no
# directory, so that two spellings of one state directory compare equal.
sf_dir_id() { (cd -P -- "$1" 2>/dev/null && pwd -P) || true; }

# sf_env_foreign prints the state directory that SF_ENV_FILE was written for
# (its "# State directory:" line) when that is another one than SF_STATE
# and its environment still runs (sf_env_runs); nothing otherwise.
sf_env_foreign() {
	local other
	other=$(sed -n 's/^# State directory: //p' "$SF_ENV_FILE" 2>/dev/null | head -n 1)
	[ -n "$other" ] && [ -d "$other" ] || return 0
	[ "$(sf_dir_id "$other")" != "$(sf_dir_id "$SF_STATE")" ] || return 0
	if sf_env_runs "$other"; then
		echo "$other"
	fi
}

# sf_env_runs DIR succeeds when the environment of state directory DIR still
# runs: one of its env fragments is that of a component that records no
# process (no NAME.state beside it: cfn-lint, a DSN given by the caller) or
# whose `status` says it runs. The fragments of a run whose servers died
# (killed, the machine restarted, a recorded pid that now runs something
# else) do not count: such an env file names servers that are gone.
sf_env_runs() {
	local f name
	for f in "$1"/*.env; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .env)
		[ -f "$1/$name.state" ] || return 0
		if [ -f "$SCRIPT_DIR/$name.sh" ] &&
			SOURCEFLOW_STATE_DIR="$1" bash "$SCRIPT_DIR/$name.sh" status >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}

# sf_rebuild_env concatenates the fragments of the running components into
# SF_ENV_FILE (removed when none is running), which names SF_STATE. An env
# file of another state directory whose environment still runs (see
# sf_env_foreign) is left as it is.
sf_rebuild_env() {
	local f found="" tmp other
	[ -d "$SF_STATE" ] || return 0
	other=$(sf_env_foreign)
	if [ -n "$other" ]; then
		sf_log "left $SF_ENV_FILE as it is: it is the env file of state directory $other, which still runs"
		return 0
	fi
	tmp="$SF_ENV_FILE.tmp.$$"
	{
		echo "# Generated by scripts/*.sh; source it to reach the test environment."
		echo "# State directory: $SF_STATE"
		for f in "$SF_STATE"/localstack.env "$SF_STATE"/dynamodb.env "$SF_STATE"/postgres.env \
			"$SF_STATE"/mysql.env "$SF_STATE"/cfnlint.env; do
			if [ -f "$f" ]; then
				cat "$f"
				found=1
			fi
		done
	} >"$tmp"
	if [ -n "$found" ]; then
		mv -f "$tmp" "$SF_ENV_FILE"
	else
		rm -f "$tmp" "$SF_ENV_FILE"
	fi
}

# sf_aws_call PORT OUT SERVICE TARGET CONTENT_TYPE BODY: one
# unsigned-but-well-formed AWS request (SigV4 header with a dummy signature,
# which the emulators accept) to http://127.0.0.1:PORT/; prints the HTTP status
# (000 when nothing answers) and leaves the response body in OUT. TARGET is the
# X-Amz-Target header of JSON protocols, empty for query protocols.
sf_aws_call() {
	local port="$1" out="$2" svc="$3" target="$4" ctype="$5" body="$6" now day
	now=$(date -u +%Y%m%dT%H%M%SZ)
	day=${now%%T*}
	local -a hdr=(-H "Content-Type: $ctype" -H "X-Amz-Date: $now"
		-H "Authorization: AWS4-HMAC-SHA256 Credential=test/$day/us-east-1/$svc/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00")
	[ -z "$target" ] || hdr+=(-H "X-Amz-Target: $target")
	curl -sS --max-time 5 -o "$out" -w '%{http_code}' -X POST \
		"${hdr[@]}" --data "$body" "http://127.0.0.1:$port/" 2>/dev/null || true
}

# state_get KEY prints the value recorded for KEY in the script's STATE_FILE
# (a KEY=value line), or nothing when none is.
state_get() { sed -n "s/^$1=//p" "$STATE_FILE" 2>/dev/null | head -n 1; }

# The database scripts (postgres.sh, mysql.sh) share the frame below. Each
# sets SF_COMPONENT and STATE_FILE and defines ours_running and its
# cmd_plan, cmd_start, cmd_stop and cmd_status.

# sf_main COMMAND runs the script's cmd_COMMAND for plan, start, stop or
# status; otherwise it prints the usage (lines 2-6 of the script's header
# comment) and exits 2.
sf_main() {
	case "${1:-}" in
	plan | start | stop | status) "cmd_$1" ;;
	*)
		sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

# sf_db_stop LABEL TMP_PREFIX STOP_CMD...: run STOP_CMD to stop the server
# recorded in STATE_FILE, then delete its temporary directory (only one named
# TMP_PREFIX.*), the state file and the env fragment. LABEL names the server
# when nothing is recorded.
sf_db_stop() {
	local label="$1" prefix="$2" dir
	shift 2
	if [ ! -f "$STATE_FILE" ]; then
		sf_log "no $label started by this script is recorded; nothing to stop"
		sf_remove_env_fragment "$SF_COMPONENT"
		return 0
	fi
	dir=$(state_get dir)
	"$@"
	case "$dir" in
	*/"$prefix".*) rm -rf "$dir" ;;
	esac
	rm -f "$STATE_FILE"
	sf_remove_env_fragment "$SF_COMPONENT"
	sf_log "stopped"
}

# sf_db_status LABEL DSN_VAR says whether the server this script started
# runs, with its DSN under the name of the variable that exports it; it
# fails when it does not run.
sf_db_status() {
	if ours_running; then
		echo "$SF_COMPONENT: running on 127.0.0.1:$(state_get port); $2=$(state_get dsn)"
	else
		echo "$SF_COMPONENT: not running (no live $1 started by scripts/$SF_COMPONENT.sh)"
		return 1
	fi
}

# ------------------------------------------------------------------- python

# py_ok PY MIN_MINOR MAX_MINOR: PY is a Python 3 in [3.MIN, 3.MAX] with venv.
py_ok() {
	"$1" -c "import sys, venv; v = sys.version_info; sys.exit(0 if v[0] == 3 and $2 <= v[1] <= $3 else 1)" >/dev/null 2>&1
}

pyenv_root() {
	if command -v pyenv >/dev/null 2>&1; then
		pyenv root 2>/dev/null && return 0
	fi
	echo "${PYENV_ROOT:-$HOME/.pyenv}"
}

# find_python MIN MAX prints the newest interpreter in [3.MIN, 3.MAX].
find_python() {
	local min="$1" max="$2" root c
	local -a cands=()
	[ -z "${SOURCEFLOW_PYTHON313:-}" ] || cands+=("$SOURCEFLOW_PYTHON313")
	root=$(pyenv_root)
	if [ -d "$root/versions" ]; then
		while IFS= read -r c; do cands+=("$c"); done < <(
			find "$root/versions" -mindepth 3 -maxdepth 3 -path '*/bin/python3.*' -name 'python3.[0-9]*' \
				! -name '*-config' 2>/dev/null | sort -V -r
		)
	fi
	for c in python3.13 python3.12 python3.11 python3.10; do
		command -v "$c" >/dev/null 2>&1 && cands+=("$(command -v "$c")")
	done
	cands+=(/usr/local/bin/python3 /usr/bin/python3)
	command -v python3 >/dev/null 2>&1 && cands+=("$(command -v python3)")
	for c in "${cands[@]}"; do
		[ -x "$c" ] || continue
		if py_ok "$c" "$min" "$max"; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# ------------------------------------------------------------- virtualenvs

# PIP_OPTS: the options of every `pip install` from PyPI.
PIP_OPTS=(--disable-pip-version-check --prefer-binary --retries 3 --timeout 60)

# venv_ready VENV STAMP MODULE...: the venv exists, was built for STAMP (the
# content of its .sourceflow-stamp) and can import every MODULE.
venv_ready() {
	local venv="$1" stamp="$2"
	shift 2
	[ -x "$venv/bin/python" ] && [ "$(cat "$venv/.sourceflow-stamp" 2>/dev/null)" = "$stamp" ] &&
		"$venv/bin/python" -c 'import importlib.util, sys
sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)' "$@" 2>/dev/null
}

# pip_install VENV ARGS...: `pip install ARGS` into VENV, with the pip cache
# in SF_CACHE.
pip_install() {
	local venv="$1"
	shift
	PIP_CACHE_DIR="$SF_CACHE/pip" "$venv/bin/python" -m pip install -q "${PIP_OPTS[@]}" "$@" >&2
}

# ------------------------------------------------------------------- moto

# moto server runs from one cached virtualenv shared by localstack.sh (its
# opt-in moto mode: SQS, SNS, KMS, CloudFormation) and dynamodb.sh
# (DynamoDB). Besides Flask and flask-cors (moto's `server` extra), DynamoDB's
# PartiQL operations need py-partiql-parser (the version moto's `dynamodb`
# extra names), and CloudFormation needs openapi-spec-validator (moto's
# CloudFormation parser imports the API Gateway models, which import it).
# The rest of those extras (docker, only for Lambda functions and DynamoDB
# Streams in containers; cfn-lint; graphql-core; aws-xray-sdk; ...) is not
# needed by what the tests use.
MOTO_VERSION=5.2.5
MOTO_VENV="$SF_CACHE/moto-venv"
MOTO_MODULES=(moto.server flask_cors py_partiql_parser openapi_spec_validator)

# moto_requirements prints the pinned dependency set, resolved for Python
# 3.10 and installable (wheels) on 3.10 to 3.13.
moto_requirements() {
	cat <<EOF
moto==$MOTO_VERSION
flask==3.1.3
flask-cors==6.0.2
py-partiql-parser==0.6.3
openapi-spec-validator==0.9.0
annotated-types==0.8.0
attrs==26.1.0
blinker==1.9.0
boto3==1.44.8
botocore==1.44.8
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
click==8.5.1
cryptography==50.0.2
idna==3.20
itsdangerous==2.2.0
jinja2==3.1.6
jmespath==1.1.0
jsonschema==4.26.0
jsonschema-path==0.5.0
jsonschema-specifications==2025.9.1
lazy-object-proxy==1.12.0
markupsafe==3.0.4
openapi-schema-validator==0.9.0
pathable==0.6.0
pycparser==3.11
pydantic==2.14.4
pydantic-core==2.50.5
pydantic-settings==2.15.0
python-dateutil==2.9.0.post0
python-dotenv==1.2.4
pyyaml==6.0.4
referencing==0.37.0
requests==2.34.2
responses==0.26.3
rfc3339-validator==0.1.4
rpds-py==0.30.0
s3transfer==0.19.3
six==1.17.0
typing-extensions==4.16.0
typing-inspection==0.4.5
urllib3==2.8.0
werkzeug==3.1.9
xmltodict==1.0.4
EOF
}

moto_stamp() { echo "moto==$MOTO_VERSION req=$(moto_requirements | cksum | cut -d' ' -f1)"; }

moto_venv_ready() { venv_ready "$MOTO_VENV" "$(moto_stamp)" "${MOTO_MODULES[@]}"; }

# moto_plan says what ensure_moto would install; nothing when it is cached.
moto_plan() {
	moto_venv_ready ||
		echo "moto $MOTO_VERSION (pinned dependency set with py-partiql-parser 0.6.3 and openapi-spec-validator 0.9.0): from PyPI into $MOTO_VENV (no root)"
}

# ensure_moto [MODULE...] prints a python that can run moto.server,
# installing the pinned set into MOTO_VENV when needed, under a lock since
# several state directories can share the cache. An existing virtualenv is
# updated in place, so that a moto server running from it (started for
# another state directory) keeps working; it is rebuilt only when that
# fails. When PyPI cannot be reached it falls back to a Python that already
# has moto, flask-cors and every MODULE. The body runs in a subshell, which
# releases the lock.
ensure_moto() (
	local py lock req="$SF_CACHE/moto-requirements.txt" t0=$SECONDS
	if moto_venv_ready; then
		sf_log "reusing cached moto $MOTO_VERSION virtualenv $MOTO_VENV"
		echo "$MOTO_VENV/bin/python"
		exit 0
	fi
	mkdir -p "$SF_CACHE"
	if command -v flock >/dev/null 2>&1; then
		lock="$SF_CACHE/moto-venv.lock"
		exec 9>"$lock"
		if ! flock -w "${SOURCEFLOW_INSTALL_LOCK_WAIT:-900}" 9; then
			sf_log "another install into $MOTO_VENV holds $lock; giving up after ${SOURCEFLOW_INSTALL_LOCK_WAIT:-900}s"
			exit 1
		fi
		if moto_venv_ready; then
			sf_log "moto $MOTO_VERSION virtualenv $MOTO_VENV was installed meanwhile; reusing it"
			echo "$MOTO_VENV/bin/python"
			exit 0
		fi
	fi
	moto_requirements >"$req"
	if "$MOTO_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
		sf_log "updating the moto virtualenv $MOTO_VENV in place to moto $MOTO_VERSION's pinned set"
		if pip_install "$MOTO_VENV" -r "$req" && moto_stamp >"$MOTO_VENV/.sourceflow-stamp" && moto_venv_ready; then
			sf_log "moto virtualenv updated in $((SECONDS - t0))s"
			echo "$MOTO_VENV/bin/python"
			exit 0
		fi
		sf_log "updating $MOTO_VENV in place failed; rebuilding it"
	fi
	if py=$(find_python 10 13); then
		sf_log "installing moto $MOTO_VERSION from PyPI into $MOTO_VENV ($("$py" -V 2>&1))"
		rm -rf "$MOTO_VENV"
		if "$py" -m venv "$MOTO_VENV" >&2; then
			if pip_install "$MOTO_VENV" -r "$req" || {
				sf_log "pinned install failed; retrying with moto==$MOTO_VERSION, its server, DynamoDB and CloudFormation needs and loose dependencies"
				pip_install "$MOTO_VENV" "moto==$MOTO_VERSION" flask==3.1.3 flask-cors==6.0.2 py-partiql-parser==0.6.3 openapi-spec-validator
			}; then
				moto_stamp >"$MOTO_VENV/.sourceflow-stamp"
				sf_log "moto virtualenv installed in $((SECONDS - t0))s"
				echo "$MOTO_VENV/bin/python"
				exit 0
			fi
		fi
		sf_log "pip install of moto $MOTO_VERSION into $MOTO_VENV failed (is PyPI reachable?)"
	else
		sf_log "no Python 3.10..3.13 with venv found to install moto into (set SOURCEFLOW_PYTHON313)"
	fi
	# Offline: a Python that already has moto, flask-cors and MODULE...
	for py in $(find_python 10 14 || true) python3; do
		if "$py" -c "import moto.server, flask_cors${*:+, $(IFS=,; echo "$*")}" >/dev/null 2>&1; then
			sf_log "using the moto $("$py" -c 'import moto; print(moto.__version__)' 2>/dev/null) already installed in $py (not the pinned $MOTO_VERSION)"
			echo "$py"
			exit 0
		fi
	done
	exit 1
)
