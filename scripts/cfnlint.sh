#!/usr/bin/env bash
# Install or check cfn-lint, the CloudFormation linter the export tests run.
#
#   scripts/cfnlint.sh start    install cfn-lint when needed; export its path in the env file
#   scripts/cfnlint.sh stop     drop it from the env file (the cached virtualenv stays)
#   scripts/cfnlint.sh status   say whether it is installed
#   scripts/cfnlint.sh plan     say what start would install
#
# cfn-lint comes from PyPI, with a pinned dependency set, into a cached
# virtualenv ($SOURCEFLOW_CACHE/cfnlint-venv) built with any Python 3.10..3.13.
# The env file then exports SOURCEFLOW_CFN_LINT (the cfn-lint executable).
# `start` fails, saying why, when no Python is found or the install fails.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh
SF_COMPONENT=cfn-lint

CFNLINT_VERSION=1.58.0
VENV="$SF_CACHE/cfnlint-venv"

requirements() {
	cat <<EOF2
cfn-lint==$CFNLINT_VERSION
jsonpatch==1.48
jsonpointer==3.12
mpmath==1.3.0
networkx==3.6.1
PyYAML==6.0.4
regex==2026.11.19
sympy==1.14.0
typing_extensions==4.16.0
EOF2
}

stamp() { requirements | cksum | cut -d' ' -f1; }

installed() {
	[ -x "$VENV/bin/cfn-lint" ] && [ "$(cat "$VENV/.sourceflow-stamp" 2>/dev/null)" = "$(stamp)" ] &&
		"$VENV/bin/cfn-lint" --version >/dev/null 2>&1
}

cmd_start() {
	local py req t0=$SECONDS
	sf_init_dirs
	if ! installed; then
		py=$(find_python 10 13) || sf_die "cfn-lint needs a Python 3.10..3.13 with venv; none was found (set SOURCEFLOW_PYTHON313)"
		sf_log "installing cfn-lint $CFNLINT_VERSION from PyPI into $VENV ($("$py" -V 2>&1))"
		rm -rf "$VENV"
		req="$SF_CACHE/cfnlint-requirements.txt"
		requirements >"$req"
		"$py" -m venv "$VENV" >&2 || sf_die "could not create the virtualenv $VENV with $py"
		pip_install "$VENV" -r "$req" ||
			sf_die "pip install of cfn-lint $CFNLINT_VERSION failed (is PyPI reachable?)"
		stamp >"$VENV/.sourceflow-stamp"
		sf_log "cfn-lint installed in $((SECONDS - t0))s"
	fi
	sf_write_env_fragment cfnlint <<EOF2
# cfn-lint installed by scripts/cfnlint.sh
export SOURCEFLOW_CFN_LINT=$VENV/bin/cfn-lint
EOF2
	sf_log "cfn-lint $CFNLINT_VERSION ready: $VENV/bin/cfn-lint"
}

cmd_stop() {
	sf_remove_env_fragment cfnlint
}

cmd_status() {
	if installed; then
		echo "cfn-lint: $CFNLINT_VERSION installed at $VENV/bin/cfn-lint"
	else
		echo "cfn-lint: not installed (scripts/cfnlint.sh start installs it)"
		return 1
	fi
}

cmd_plan() {
	installed || echo "cfn-lint $CFNLINT_VERSION: from PyPI into $VENV (no root)"
}

case "${1:-}" in
plan | start | stop | status) "cmd_$1" ;;
*)
	sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
