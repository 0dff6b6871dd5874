#!/usr/bin/env bash
# browser/run.sh — run the lecture notebooks (notebooks/*.ipynb) in a real
# browser: Debian's Jupyter Notebook server (6.x) with the gosys kernel,
# driven by Debian's headless Chromium through playwright-core
# (run-notebook.mjs).
#
# Expects GOSYS_PREFIX and JUPYTER_PATH from scripts/with-kernel.sh, which
# scripts/test.sh (step browser) runs this under. A full-page screenshot of
# each notebook goes to browser/artifacts/NAME.png, one of each rt view to
# browser/artifacts/views/VIEW.png (CI keeps them as artifacts).
#
# Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TIMEOUT
# (seconds for the browser part, default 240).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# Every view of rt must be drawn by some notebook cell tagged with it.
views="fds fdsof procs sockets trace-pipe trace-tcp trace-http lanes bar line"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BROWSER_TIMEOUT=${BROWSER_TIMEOUT:-240}

: "${GOSYS_PREFIX:?run under scripts/with-kernel.sh}"
for tool in /usr/bin/jupyter "$CHROMIUM" node npm; do
	command -v "$tool" >/dev/null || { echo "browser: $tool is missing (scripts/deps.sh)" >&2; exit 1; }
done
/usr/bin/jupyter notebook --version >/dev/null 2>&1 ||
	{ echo "browser: 'jupyter notebook' is missing (Debian package jupyter-notebook)" >&2; exit 1; }

# playwright-core from package-lock.json; never a browser download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -f $here/node_modules/playwright-core/package.json ||
	$here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
	echo "--- npm ci (playwright-core)"
	(cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error </dev/null)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gosys-browser.XXXXXX")
server=
cleanup() {
	if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
		kill -TERM "$server" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/nb" "$work/config" "$work/runtime" "$work/home"
cp "$root"/notebooks/*.ipynb "$work/nb/"
notebooks=$(cd "$work/nb" && echo *.ipynb)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(24))')

# Config and runtime dirs of its own, so no user config changes the server.
JUPYTER_CONFIG_DIR=$work/config JUPYTER_RUNTIME_DIR=$work/runtime IPYTHONDIR=$work/home \
	/usr/bin/jupyter notebook --no-browser --allow-root --ip=127.0.0.1 --port="$port" \
	--port-retries=0 --NotebookApp.token="$token" --notebook-dir="$work/nb" \
	</dev/null >"$work/server.log" 2>&1 &
server=$!

echo "--- jupyter notebook on port $port (pid $server)"
up=
for _ in $(seq 300); do # 30 s
	if ! kill -0 "$server" 2>/dev/null; then break; fi
	if /usr/bin/python3 - "$port" "$token" <<'PY' 2>/dev/null; then
import sys, urllib.request
port, token = sys.argv[1:]
urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2).read()
PY
		up=1
		break
	fi
	sleep 0.1
done
if [[ -z $up ]]; then
	echo "browser: the notebook server did not answer within 30 s; its log:" >&2
	cat "$work/server.log" >&2
	exit 1
fi

mkdir -p "$here/artifacts"
status=0
rm -rf "$here/artifacts/views"
PORT=$port TOKEN=$token NOTEBOOKS=$notebooks VIEWS=$views ARTIFACTS=$here/artifacts \
	timeout --kill-after=10 "$BROWSER_TIMEOUT" node "$here/run-notebook.mjs" </dev/null || status=$?
if ((status != 0)); then
	echo "--- notebook server log"
	cat "$work/server.log"
fi
exit "$status"
