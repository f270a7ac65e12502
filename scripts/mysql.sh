#!/usr/bin/env bash
# Start, stop or check a throwaway MariaDB/MySQL for the SQL store tests (optional).
#
#   scripts/mysql.sh start    start it when available, write the env file
#   scripts/mysql.sh stop     stop what `start` started and delete its data
#   scripts/mysql.sh status   say whether it runs
#
# Uses mariadbd or mysqld (SOURCEFLOW_MYSQL_BINDIR, PATH, /usr/sbin,
# /usr/local/mysql/bin). When neither exists and the script runs as root it
# installs the Debian packages mariadb-server-core and mariadb-client-core
# with apt-get (binaries only, no system service; SOURCEFLOW_MYSQL_INSTALL=0
# skips this). The server gets a temporary data directory, 127.0.0.1 on a free
# port, a unix socket in that directory, database `sourceflow` and user
# sourceflow/sourceflow. As root it runs as an unprivileged user.
#
# The env file gets SOURCEFLOW_MYSQL_DSN in go-sql-driver/mysql format:
#   sourceflow:sourceflow@tcp(127.0.0.1:PORT)/sourceflow?parseTime=true
# MySQL is optional: when it is not available the script says so and exits 0
# (set SOURCEFLOW_MYSQL_REQUIRED=1 to make that an error).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=mysql

STATE_FILE="$SF_STATE/mysql.state"
WAIT_SECS="${SOURCEFLOW_MYSQL_WAIT:-90}"
DB_NAME=sourceflow
DB_USER=sourceflow
DB_PASS=sourceflow

# find_server prints the path of mariadbd or mysqld.
find_server() {
	local d n
	local -a dirs=()
	[ -z "${SOURCEFLOW_MYSQL_BINDIR:-}" ] || dirs+=("$SOURCEFLOW_MYSQL_BINDIR")
	for n in mariadbd mysqld; do
		if command -v "$n" >/dev/null 2>&1; then
			dirs+=("$(dirname "$(command -v "$n")")")
		fi
	done
	dirs+=(/usr/sbin /usr/local/sbin /usr/local/mysql/bin /usr/local/bin)
	for d in "${dirs[@]}"; do
		for n in mariadbd mysqld; do
			if [ -x "$d/$n" ]; then
				echo "$d/$n"
				return 0
			fi
		done
	done
	return 1
}

# find_tool NAME... prints the first NAME found beside the server, in PATH or
# in /usr/bin.
find_tool() {
	local server_dir n d
	server_dir=$(dirname "$(state_get server 2>/dev/null || echo /nonexistent)")
	for n in "$@"; do
		for d in "${SOURCEFLOW_MYSQL_BINDIR:-/nonexistent}" "$server_dir" /usr/bin /usr/local/bin /usr/local/mysql/bin /usr/local/mysql/scripts; do
			if [ -x "$d/$n" ]; then
				echo "$d/$n"
				return 0
			fi
		done
		if command -v "$n" >/dev/null 2>&1; then
			command -v "$n"
			return 0
		fi
	done
	return 1
}

unavailable() {
	if [ "${SOURCEFLOW_MYSQL_REQUIRED:-0}" = 1 ]; then
		sf_die "MySQL/MariaDB not available: $1"
	fi
	sf_loud "MySQL/MariaDB not available: MySQL tests of the SQL store will not run ($1)"
	exit 0
}

ours_running() {
	local pid
	[ -f "$STATE_FILE" ] || return 1
	pid=$(state_get pid)
	sf_pid_alive "$pid" && sf_pid_cmd_matches "$pid" "$(basename "$(state_get server)")"
}

# answers succeeds when the test user can run a query (or, without a
# client, when the port accepts connections and the server said it is ready).
answers() {
	local client
	if client=$(find_tool mariadb mysql); then
		"$client" --no-defaults --connect-timeout=2 -h 127.0.0.1 -P "$1" -u "$DB_USER" "-p$DB_PASS" \
			-e 'SELECT 1' "$DB_NAME" >/dev/null 2>&1
	else
		sf_port_busy "$1" && grep -q 'ready for connections' "$2" 2>/dev/null
	fi
}

init_datadir() {
	local server="$1" user="$2" data="$3" log="$4" installdb
	local -a as_user=()
	[ -z "$user" ] || as_user=(--user="$user")
	if "$server" --version 2>/dev/null | grep -qi mariadb; then
		installdb=$(find_tool mariadb-install-db mysql_install_db) || {
			sf_log "mariadb-install-db not found"
			return 1
		}
		"$installdb" --no-defaults --datadir="$data" "${as_user[@]}" --auth-root-authentication-method=normal \
			--skip-test-db --skip-name-resolve >"$log" 2>&1
	else
		"$server" --no-defaults --initialize-insecure --datadir="$data" "${as_user[@]}" >"$log" 2>&1
	fi
}

start_server() {
	local server="$1" user="$2" dir data log port pid deadline
	local -a as_user=()
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sourceflow-mysql.XXXXXX")
	data="$dir/data"
	log="$dir/server.log"
	printf 'dir=%s\nserver=%s\nlog=%s\n' "$dir" "$server" "$log" >"$STATE_FILE"
	[ -z "$user" ] || {
		chown "$user:" "$dir"
		as_user=(--user="$user")
	}
	chmod 0700 "$dir"
	cat >"$dir/init.sql" <<EOF
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'%';
FLUSH PRIVILEGES;
EOF
	chmod 0644 "$dir/init.sql"
	sf_log "initialising $data (server $server, as ${user:-$(id -un)})"
	if ! init_datadir "$server" "$user" "$data" "$dir/install.log"; then
		sf_tail_log "$dir/install.log"
		return 1
	fi
	port=$(sf_free_port) || return 1
	sf_log "starting $(basename "$server") on 127.0.0.1:$port"
	pid=$(sf_spawn "$SF_STATE/mysql.log" "$server" --no-defaults "${as_user[@]}" --datadir="$data" \
		--port="$port" --bind-address=127.0.0.1 --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
		--log-error="$log" --skip-name-resolve --init-file="$dir/init.sql" \
		--innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --max-connections=300)
	printf 'pid=%s\nport=%s\n' "$pid" "$port" >>"$STATE_FILE"
	deadline=$((SECONDS + WAIT_SECS))
	until answers "$port" "$log"; do
		if ! sf_pid_alive "$pid"; then
			sf_log "the server exited during startup"
			sf_tail_log "$log"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			sf_log "the server did not answer within ${WAIT_SECS}s"
			sf_tail_log "$log"
			return 1
		fi
		sleep 0.5
	done
	echo "dsn=$DB_USER:$DB_PASS@tcp(127.0.0.1:$port)/$DB_NAME?parseTime=true" >>"$STATE_FILE"
}

write_env() {
	sf_write_env_fragment mysql <<EOF
# MariaDB/MySQL ($1) from scripts/mysql.sh
export SOURCEFLOW_MYSQL_DSN='$2'
EOF
}

cmd_start() {
	local server user
	sf_init_dirs
	if ours_running; then
		sf_log "$(basename "$(state_get server)") (started earlier by this script) already runs on port $(state_get port)"
		write_env "port $(state_get port)" "$(state_get dsn)"
		return 0
	fi
	[ ! -f "$STATE_FILE" ] || cmd_stop
	if ! server=$(find_server); then
		if [ "${SOURCEFLOW_MYSQL_INSTALL:-1}" = 1 ] &&
			SOURCEFLOW_APT_TIMEOUT="${SOURCEFLOW_MYSQL_APT_TIMEOUT:-300}" \
				sf_apt_install mariadb-server-core mariadb-client-core; then
			server=$(find_server) || unavailable "installed mariadb-server-core but found no mariadbd"
		else
			unavailable "no mariadbd/mysqld binary, and it could not be installed"
		fi
	fi
	user=$(sf_unpriv_user) || unavailable "running as root and no unprivileged user exists to run the server"
	# mysql is the conventional owner when it exists.
	if [ -n "$user" ] && id -u mysql >/dev/null 2>&1 && [ -z "${SOURCEFLOW_DB_USER:-}" ]; then
		user=mysql
	fi
	if ! start_server "$server" "$user"; then
		cmd_stop >/dev/null 2>&1 || true
		unavailable "$server did not start (log above)"
	fi
	write_env "port $(state_get port)" "$(state_get dsn)"
	sf_loud "STARTED: $("$server" --version | sed 's/^.*Ver //') on 127.0.0.1:$(state_get port); SOURCEFLOW_MYSQL_DSN=$(state_get dsn); env file: $SF_ENV_FILE"
}

cmd_stop() { sf_db_stop MySQL/MariaDB sourceflow-mysql stop_server; }

# stop_server stops the recorded server when it is still ours.
stop_server() {
	ours_running || return 0
	sf_log "stopping $(basename "$(state_get server)") (pid $(state_get pid))"
	sf_kill_group "$(state_get pid)" 60
}

cmd_status() { sf_db_status MySQL/MariaDB SOURCEFLOW_MYSQL_DSN; }

# cmd_plan says what `start` would install, before anything is installed.
cmd_plan() {
	find_server >/dev/null 2>&1 && return 0
	[ "${SOURCEFLOW_MYSQL_INSTALL:-1}" = 1 ] || return 0
	echo "MariaDB: the Debian packages mariadb-server-core and mariadb-client-core (apt-get, as root; binaries only; SOURCEFLOW_MYSQL_INSTALL=0 skips them and the MySQL tests)"
}

sf_main "$@"
