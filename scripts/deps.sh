#!/usr/bin/env bash
# deps.sh — install what building and testing gosys needs on Debian/Ubuntu.
#
# Idempotent: when every package is already installed it touches nothing
# (no apt-get update, no root needed), so `make` and `make test` can call it
# on every run. Non-interactive: never reads stdin, never prompts.
#
# The Jupyter side comes from Debian packages on purpose: those are the
# Python tools the e2e tests and benchmarks run with (/usr/bin/python3,
# /usr/bin/jupyter), independent of any pyenv/venv python3 first on PATH.
set -euo pipefail

# Python modules: jupyter_client (KernelManager for the e2e tests and the
# benchmark), jupyter_kernel_test (conformance suite), nbclient/nbconvert
# (notebook execution to compare with `gosys run`), pyzmq (raw frames for the
# forged-signature tests), ipykernel (the benchmark's reference kernel) and
# pytest (test runner whose summary line CI reads). jupyter-notebook (the
# Notebook 6 server) and chromium are for the browser test (browser/run.sh),
# which gets playwright-core from npm but never a browser; jupyter-console
# is the terminal frontend the README offers (tested in e2e/test_console.py);
# tmux drives it in that test. jupyterhub (with its configurable-http-proxy)
# and python3-websocket (a kernel's websocket through the hub) are for the
# class test, e2e/test_hub.py: a hub, real users, their servers and kernels.
PACKAGES=(
	python3-jupyter-client
	python3-jupyter-kernel-test
	python3-nbclient
	python3-nbformat
	jupyter-client
	jupyter-nbconvert
	python3-zmq
	python3-ipykernel
	python3-pytest
	jupyter-notebook
	jupyter-console
	chromium
	tmux
	jupyterhub
	python3-websocket
)

# Commands some steps need, with the Debian package that provides each. A
# command already on PATH (node from another source, say) is left alone:
# installing Debian's package over it could conflict.
declare -A COMMANDS=(
	[node]=nodejs
	[npm]=npm
	[make]=make
	[cc]=gcc
)

log() { printf 'deps: %s\n' "$*" >&2; }

# missing prints the packages of PACKAGES that dpkg does not report installed.
missing() {
	local p
	for p in "${PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed; then
			printf '%s\n' "$p"
		fi
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	log "not a Debian/Ubuntu system (no dpkg-query): install by hand the equivalents of: ${PACKAGES[*]}"
	exit 1
fi

mapfile -t todo < <(missing)
for c in "${!COMMANDS[@]}"; do
	if ! command -v "$c" >/dev/null 2>&1; then
		todo+=("${COMMANDS[$c]}")
	fi
done
if ((${#todo[@]} > 0)); then
	log "installing: ${todo[*]}"
	# Root installs directly; anyone else goes through sudo -n, which fails
	# at once instead of prompting for a password on a terminal we must not read.
	SUDO=()
	if [[ $(id -u) -ne 0 ]]; then
		if ! command -v sudo >/dev/null 2>&1; then
			log "need root to install ${todo[*]} and sudo is not available"
			exit 1
		fi
		SUDO=(sudo -n)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${todo[@]}" </dev/null
	mapfile -t still < <(missing)
	for c in "${!COMMANDS[@]}"; do
		command -v "$c" >/dev/null 2>&1 || still+=("$c (${COMMANDS[$c]})")
	done
	if ((${#still[@]} > 0)); then
		log "still missing after apt-get install: ${still[*]}"
		exit 1
	fi
else
	log "Debian packages present"
fi

# Go is not installed here: the project pins a toolchain version (go.mod)
# that a distribution package would rarely match.
if ! command -v go >/dev/null 2>&1; then
	log "go is not on PATH: install Go (see go.mod for the version) and retry"
	exit 1
fi
for tool in /usr/bin/python3 /usr/bin/jupyter; do
	if [[ ! -x $tool ]]; then
		log "$tool is missing after installing the packages"
		exit 1
	fi
done
log "$(go version)"
