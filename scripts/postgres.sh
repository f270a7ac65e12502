#!/usr/bin/env bash
# Start, stop or check a throwaway PostgreSQL for the SQL store tests.
#
#   scripts/postgres.sh start    start it (or verify SOURCEFLOW_POSTGRES_DSN), write the env file
#   scripts/postgres.sh stop     stop what `start` started and delete its data
#   scripts/postgres.sh status   say whether it runs
#
# When SOURCEFLOW_POSTGRES_DSN is already set (by the caller, not by an earlier
# run of this script) it is only checked for a working connection. Otherwise
# the script finds initdb/pg_ctl (SOURCEFLOW_PG_BINDIR, PATH, /usr/local/bin,
# /usr/lib/postgresql/*/bin), installs the Debian `postgresql` package with
# apt-get when they are missing and it runs as root, then creates a cluster in
# a temporary directory: 127.0.0.1 on a free port, unix socket in that
# directory, trust authentication, database `sourceflow`. As root the server
# runs as an unprivileged user (SOURCEFLOW_DB_USER, else postgres, mysql or
# nobody) because initdb refuses to run as root.
#
# The env file gets SOURCEFLOW_POSTGRES_DSN, a postgres:// URL for pgx.
# When PostgreSQL cannot start the script fails when CI=true and only warns
# otherwise.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=postgres

STATE_FILE="$SF_STATE/postgres.state"
DB_NAME=sourceflow

# find_bindir prints a directory holding initdb, pg_ctl and postgres.
find_bindir() {
	local d
	local -a dirs=()
	[ -z "${SOURCEFLOW_PG_BINDIR:-}" ] || dirs+=("$SOURCEFLOW_PG_BINDIR")
	if command -v initdb >/dev/null 2>&1; then
		dirs+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
	fi
	dirs+=(/usr/local/bin /usr/local/pgsql/bin)
	while IFS= read -r d; do dirs+=("$d"); done < <(
		find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V -r
	)
	for d in "${dirs[@]}"; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# psql_bin BINDIR prints a psql client, preferring the server's own.
psql_bin() {
	if [ -x "$1/psql" ]; then
		echo "$1/psql"
	elif command -v psql >/dev/null 2>&1; then
		command -v psql
	else
		return 1
	fi
}

ours_running() {
	local data
	[ -f "$STATE_FILE" ] || return 1
	data=$(state_get data)
	[ -d "$data" ] || return 1
	sf_as "$(state_get user)" "$(state_get bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# write_env DESCRIPTION DSN [ours]: SOURCEFLOW_POSTGRES_SCRIPT_DSN marks a DSN
# this script started, so that a later start does not take it for the
# caller's own.
write_env() {
	{
		echo "# PostgreSQL ($1) from scripts/postgres.sh"
		echo "export SOURCEFLOW_POSTGRES_DSN='$2'"
		if [ "${3:-}" = ours ]; then
			echo "export SOURCEFLOW_POSTGRES_SCRIPT_DSN='$2'"
		else
			echo "unset SOURCEFLOW_POSTGRES_SCRIPT_DSN"
		fi
	} | sf_write_env_fragment postgres
}

# unavailable MESSAGE: fail in CI, warn loudly elsewhere.
unavailable() {
	if [ "${CI:-}" = true ]; then
		sf_die "PostgreSQL not available: $1 (CI=true, so this is an error)"
	fi
	sf_loud "PostgreSQL not available: $1. The PostgreSQL tests of the SQL store will fail."
	exit 0
}

verify_dsn() {
	local psql
	if ! psql=$(psql_bin "$(find_bindir 2>/dev/null || echo /nonexistent)"); then
		sf_log "no psql client found; cannot verify SOURCEFLOW_POSTGRES_DSN, using it as given"
		return 0
	fi
	PGCONNECT_TIMEOUT=10 "$psql" "$1" -X -q -t -A -c 'select 1' >/dev/null
}

# start_cluster BINDIR USER: create and start the cluster; prints nothing,
# writes the state file.
start_cluster() {
	local bindir="$1" user="$2" dir data log ilog port attempt psql dsn
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sourceflow-pg.XXXXXX")
	data="$dir/data"
	log="$dir/server.log" # written by the server user
	ilog="$dir/initdb.log"
	[ -z "$user" ] || chown "$user:" "$dir"
	chmod 0700 "$dir"
	printf 'dir=%s\ndata=%s\nuser=%s\nbindir=%s\nlog=%s\n' "$dir" "$data" "$user" "$bindir" "$log" >"$STATE_FILE"
	sf_log "initdb into $data (as ${user:-$(id -un)})"
	if ! sf_as "$user" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
		--locale=C --no-sync >"$ilog" 2>&1; then
		sf_tail_log "$ilog"
		return 1
	fi
	for attempt in 1 2 3; do
		port=$(sf_free_port) || return 1
		sf_log "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
		if sf_as "$user" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >/dev/null; then
			break
		fi
		port=""
	done
	if [ -z "$port" ]; then
		sf_tail_log "$log"
		return 1
	fi
	echo "port=$port" >>"$STATE_FILE"
	psql=$(psql_bin "$bindir") || {
		sf_log "no psql client found to create the database"
		return 1
	}
	sf_as "$user" "$psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
		-c "CREATE DATABASE $DB_NAME" >/dev/null || return 1
	dsn="postgres://postgres@127.0.0.1:$port/$DB_NAME?sslmode=disable"
	verify_dsn "$dsn" || return 1
	echo "dsn=$dsn" >>"$STATE_FILE"
}

cmd_start() {
	local bindir user dsn
	sf_init_dirs
	if ours_running; then
		sf_log "PostgreSQL (started earlier by this script) already runs on port $(state_get port)"
		write_env "port $(state_get port)" "$(state_get dsn)" ours
		return 0
	fi
	if [ -n "${SOURCEFLOW_POSTGRES_DSN:-}" ] &&
		[ "${SOURCEFLOW_POSTGRES_DSN}" != "${SOURCEFLOW_POSTGRES_SCRIPT_DSN:-}" ]; then
		sf_log "SOURCEFLOW_POSTGRES_DSN is set; checking that it connects"
		verify_dsn "$SOURCEFLOW_POSTGRES_DSN" ||
			sf_die "SOURCEFLOW_POSTGRES_DSN is set but does not connect"
		write_env "given by the caller" "$SOURCEFLOW_POSTGRES_DSN"
		sf_loud "USING: the PostgreSQL given in SOURCEFLOW_POSTGRES_DSN; env file: $SF_ENV_FILE"
		return 0
	fi
	[ ! -f "$STATE_FILE" ] || cmd_stop
	if ! bindir=$(find_bindir); then
		if sf_apt_install postgresql; then
			bindir=$(find_bindir) || unavailable "installed the postgresql package but found no initdb"
		else
			unavailable "no initdb/pg_ctl found and they could not be installed (needs root and apt-get)"
		fi
	fi
	user=$(sf_unpriv_user) || unavailable "running as root and no unprivileged user exists to run the server"
	if ! start_cluster "$bindir" "$user"; then
		cmd_stop >/dev/null 2>&1 || true
		unavailable "the server in $bindir did not start (log above)"
	fi
	dsn=$(state_get dsn)
	write_env "port $(state_get port)" "$dsn" ours
	sf_loud "STARTED: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$(state_get port) (data $(state_get data)); SOURCEFLOW_POSTGRES_DSN=$dsn; env file: $SF_ENV_FILE"
}

cmd_stop() { sf_db_stop PostgreSQL sourceflow-pg stop_cluster; }

# stop_cluster stops the recorded cluster with pg_ctl, or kills its
# postmaster when pg_ctl cannot.
stop_cluster() {
	local data user pid
	data=$(state_get data)
	user=$(state_get user)
	[ -f "$data/postmaster.pid" ] || return 0
	sf_log "stopping PostgreSQL ($data)"
	if ! sf_as "$user" "$(state_get bindir)/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1; then
		pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
		if sf_pid_alive "$pid" && sf_pid_cmd_matches "$pid" postgres; then
			sf_log "pg_ctl stop failed; killing postmaster $pid"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
}

cmd_status() { sf_db_status PostgreSQL SOURCEFLOW_POSTGRES_DSN; }

# cmd_plan says what `start` would install, before anything is installed.
cmd_plan() {
	[ -z "${SOURCEFLOW_POSTGRES_DSN:-}" ] || return 0
	find_bindir >/dev/null 2>&1 && return 0
	echo "PostgreSQL: the Debian package postgresql (apt-get, as root; no system service is started)"
}

sf_main "$@"
