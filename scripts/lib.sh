# shellcheck shell=bash
# Shared helpers for the scripts that start and stop the test environment.
# Source it; it defines functions and a few variables and runs nothing.
#
# Locations (override with the environment):
#   SOURCEFLOW_CACHE      cached virtualenvs and pip cache
#                         (default ${XDG_CACHE_HOME:-$HOME/.cache}/sourceflow)
#   SOURCEFLOW_STATE_DIR  pid files, logs, env fragments and the combined env file
#                         (default ${TMPDIR:-/tmp}/sourceflow-test-env-$UID)
#   SOURCEFLOW_ENV_FILE   the combined env file to source
#                         (default $SOURCEFLOW_STATE_DIR/env.sh)

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
# contains PATTERN (guards against a recycled pid).
sf_pid_cmd_matches() {
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || ps -o args= -p "$1" 2>/dev/null || true)
	[[ "$cmd" == *"$2"* ]]
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

# sf_rebuild_env concatenates the fragments of the running components into
# SF_ENV_FILE (removed when none is running).
sf_rebuild_env() {
	local f found="" tmp
	[ -d "$SF_STATE" ] || return 0
	tmp="$SF_ENV_FILE.tmp.$$"
	{
		echo "# Generated by scripts/*.sh; source it to reach the test environment."
		for f in "$SF_STATE"/localstack.env "$SF_STATE"/postgres.env "$SF_STATE"/mysql.env "$SF_STATE"/cfnlint.env; do
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

# The database scripts (postgres.sh, mysql.sh) share the frame below. Each
# sets SF_COMPONENT and STATE_FILE and defines state_get KEY (a value from
# STATE_FILE), ours_running and its cmd_plan, cmd_start, cmd_stop and
# cmd_status.

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
