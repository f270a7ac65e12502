#!/usr/bin/env bash
# Install and run the static analysis tools `make lint` runs.
#
#   scripts/lint-tools.sh run TOOL ARGS...  install TOOL when needed, then run it with ARGS
#   scripts/lint-tools.sh install           install every tool that is not installed yet
#   scripts/lint-tools.sh status            say which tools are installed, and where
#   scripts/lint-tools.sh plan              say what install would install
#
# TOOL is staticcheck or gosec, at the versions pinned below: built with
# `go install` from the Go module proxy (GOPROXY) into
# $SOURCEFLOW_CACHE/lint-tools/TOOL@VERSION, no root needed. An installed
# binary is reused while it is that module version, built by a Go of the same
# release (go1.N) as the one in use: a tool built by an older Go cannot load
# code written for a newer one. `run` and `install` fail, saying why, when
# the install fails.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=lint-tools

# The pinned versions: the only place they are written.
STATICCHECK_VERSION=v0.8.2
GOSEC_VERSION=v2.30.0

TOOLS=(staticcheck gosec)
TOOLS_DIR="$SF_CACHE/lint-tools"
GO=${GO:-go}

# tool_version, tool_module and tool_package describe TOOL.
tool_version() {
	case "$1" in
	staticcheck) echo "$STATICCHECK_VERSION" ;;
	gosec) echo "$GOSEC_VERSION" ;;
	*) sf_die "unknown tool $1 (one of: ${TOOLS[*]})" ;;
	esac
}

tool_module() {
	case "$1" in
	staticcheck) echo honnef.co/go/tools ;;
	gosec) echo github.com/securego/gosec/v2 ;;
	esac
}

tool_package() {
	case "$1" in
	staticcheck) echo honnef.co/go/tools/cmd/staticcheck ;;
	gosec) echo github.com/securego/gosec/v2/cmd/gosec ;;
	esac
}

tool_bin() { echo "$TOOLS_DIR/$1@$(tool_version "$1")/$1"; }

go_version() { "$GO" env GOVERSION; }

# go_release prints the release (go1.N) of a Go version (go1.N.P).
go_release() { sed -E 's/^(go[0-9]+\.[0-9]+).*/\1/' <<<"$1"; }

# tool_ready TOOL: its binary exists and was built from the pinned module
# version by a Go of the release in use.
tool_ready() {
	local bin info built
	bin=$(tool_bin "$1")
	[ -x "$bin" ] || return 1
	info=$("$GO" version -m "$bin" 2>/dev/null) || return 1
	built=${info%%$'\n'*} # "BIN: go1.N.P"
	[ "$(go_release "${built##*: }")" = "$(go_release "$(go_version)")" ] &&
		awk -F'\t' -v pkg="$(tool_package "$1")" -v mod="$(tool_module "$1")" -v ver="$(tool_version "$1")" '
			$2 == "path" && $3 == pkg { p = 1 }
			$2 == "mod" && $3 == mod && $4 == ver { m = 1 }
			END { exit !(p && m) }' <<<"$info"
}

# ensure_tool TOOL installs TOOL unless it is ready. It builds into a
# temporary directory and renames the binary into place, so a concurrent
# install or run never sees half a file.
ensure_tool() {
	local tool="$1" bin dir tmp pkg t0=$SECONDS
	tool_ready "$tool" && return 0
	bin=$(tool_bin "$tool")
	dir=$(dirname -- "$bin")
	pkg="$(tool_package "$tool")@$(tool_version "$tool")"
	command -v "$GO" >/dev/null 2>&1 || sf_die "cannot install $pkg: no Go toolchain ($GO) on PATH"
	mkdir -p "$dir" || sf_die "cannot create $dir to install $tool into"
	tmp=$(mktemp -d "$dir/.install.XXXXXX") || sf_die "cannot create a temporary directory in $dir"
	sf_log "installing $pkg with $(go_version) from the Go module proxy (GOPROXY=$("$GO" env GOPROXY)) into $dir"
	if ! GOBIN="$tmp" "$GO" install "$pkg" >&2; then
		rm -rf "$tmp"
		sf_die "go install $pkg failed (see above); it needs the Go module proxy, GOPROXY=$("$GO" env GOPROXY)"
	fi
	if ! mv -f "$tmp/$tool" "$bin"; then
		rm -rf "$tmp"
		sf_die "cannot move the built $tool into $bin"
	fi
	rm -rf "$tmp"
	tool_ready "$tool" || sf_die "$bin was built but is not $pkg built by $(go_release "$(go_version)")"
	sf_log "$tool $(tool_version "$tool") installed in $((SECONDS - t0))s: $bin"
}

cmd_run() {
	local tool="${1:-}"
	[ -n "$tool" ] || sf_die "usage: scripts/lint-tools.sh run TOOL ARGS... (TOOL: ${TOOLS[*]})"
	shift
	tool_version "$tool" >/dev/null
	ensure_tool "$tool"
	exec "$(tool_bin "$tool")" "$@"
}

cmd_install() {
	local tool
	for tool in "${TOOLS[@]}"; do
		ensure_tool "$tool"
	done
}

cmd_status() {
	local tool rc=0
	for tool in "${TOOLS[@]}"; do
		if tool_ready "$tool"; then
			echo "$tool: $(tool_version "$tool") installed at $(tool_bin "$tool")"
		else
			echo "$tool: $(tool_version "$tool") not installed for $(go_release "$(go_version)") (scripts/lint-tools.sh install installs it)"
			rc=1
		fi
	done
	return "$rc"
}

cmd_plan() {
	local tool
	for tool in "${TOOLS[@]}"; do
		tool_ready "$tool" ||
			echo "$tool $(tool_version "$tool"): go install $(tool_package "$tool")@$(tool_version "$tool") from the Go module proxy into $(dirname -- "$(tool_bin "$tool")") (no root)"
	done
}

case "${1:-}" in
run)
	shift
	cmd_run "$@"
	;;
install | status | plan) "cmd_$1" ;;
*)
	sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
