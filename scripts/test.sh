#!/usr/bin/env bash
# test.sh [STEP...] — the project's checks, as `make test` and CI run them.
#
# Steps, in this order by default:
#   install the README's install (`go run ./install --user`, as `make` does),
#           then `gosys version` from a new login shell with the system's
#           default PATH: the command is found without any setup
#   vet     go vet ./...
#   fmt     gofmt -l finds nothing
#   gotest  go test -count=1 ./... and the patched third-party packages
#           (third_party/*: github.com/traefik/yaegi/interp, github.com/go-zeromq/zmq4)
#   notebooks the lecture notebooks executed with `gosys run` and with
#           nbconvert, each checked by notebooks/check_notebooks.py
#   browser the lecture notebooks run in Jupyter Notebook by Debian's
#           headless Chromium (browser/run.sh, playwright-core); a full-page
#           screenshot of each in browser/artifacts/, one of each rt view in
#           browser/artifacts/views/
#   e2e     the Python end-to-end tests (e2e/) against a kernel built from
#           this tree and installed with `gosys install --prefix` into a
#           temporary prefix (scripts/with-kernel.sh)
#
# Every step runs even when an earlier one failed, so one run reports all
# problems; the exit status is non-zero if any step failed. The output ends
# with a summary: each step's status, go test's per-package lines and
# pytest's closing line.
#
# Environment: GO (default go), GOTEST_TIMEOUT (per test binary, default
# 10m), E2E_TIMEOUT (seconds for the whole e2e run, default 1500),
# PYTEST_ARGS (extra pytest arguments, e.g. "-k interrupt").
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

GO=${GO:-go}
PYTHON=/usr/bin/python3 # Debian's, which has jupyter_client; not pyenv's
# Leave no __pycache__ or .pytest_cache behind in the work tree.
export PYTHONDONTWRITEBYTECODE=1
GOTEST_TIMEOUT=${GOTEST_TIMEOUT:-10m}
E2E_TIMEOUT=${E2E_TIMEOUT:-1500}

logs=$(mktemp -d "${TMPDIR:-/tmp}/gosys-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT

step_install() {
	"$GO" run ./install --user </dev/null || return 1
	echo "--- gosys from a new login shell (env -i, the system's default PATH)"
	env -i HOME="$HOME" USER="${USER:-$(id -un)}" bash -lc 'command -v gosys && gosys version' </dev/null
}

step_vet() { "$GO" vet ./...; }

step_fmt() {
	local out
	out=$(gofmt -l .) || return 1
	if [[ -n $out ]]; then
		echo "gofmt -l: these files need gofmt -w:"
		echo "$out"
		return 1
	fi
}

step_gotest() {
	"$GO" test -count=1 -timeout "$GOTEST_TIMEOUT" ./... github.com/traefik/yaegi/interp github.com/go-zeromq/zmq4 2>&1 | tee "$logs/gotest.log"
}

step_e2e() {
	# shellcheck disable=SC2086 # PYTEST_ARGS is a list of words on purpose
	timeout --kill-after=30 "$E2E_TIMEOUT" \
		bash scripts/with-kernel.sh "$PYTHON" -m pytest -v -rfExX -p no:cacheprovider ${PYTEST_ARGS:-} e2e \
		</dev/null 2>&1 | tee "$logs/e2e.log"
}

# The lecture notebooks, executed twice (gosys run and nbconvert) and held to
# the expectations in their cells' metadata.
step_notebooks() {
	timeout --kill-after=30 "$E2E_TIMEOUT" bash scripts/with-kernel.sh bash -c '
		export GOSYS_BIN=$GOSYS_PREFIX/bin/gosys
		set -e
		for tool in gosys nbconvert; do
			echo "--- notebooks with $tool"
			'"$PYTHON"' notebooks/check_notebooks.py --run "$tool" --timeout 120 notebooks/*.ipynb
		done' </dev/null 2>&1 | tee "$logs/notebooks.log"
}

# One notebook run in a real browser: Jupyter Notebook 6 and headless
# Chromium, driven by playwright-core (browser/run.sh). Leaves a full-page
# screenshot in browser/artifacts/ for CI to keep.
step_browser() {
	timeout --kill-after=30 "$E2E_TIMEOUT" bash scripts/with-kernel.sh bash browser/run.sh \
		</dev/null 2>&1 | tee "$logs/browser.log"
}

steps=("$@")
if ((${#steps[@]} == 0)); then
	steps=(install vet fmt gotest notebooks browser e2e)
fi
declare -A status
failed=0
for s in "${steps[@]}"; do
	if ! declare -F "step_$s" >/dev/null; then
		echo "test.sh: unknown step $s (install vet fmt gotest notebooks browser e2e)" >&2
		exit 2
	fi
	echo "=== $s"
	start=$SECONDS
	if "step_$s"; then
		status[$s]="ok"
	else
		status[$s]="FAILED"
		failed=1
	fi
	status[$s]+=" ($((SECONDS - start))s)"
done

echo
echo "=== summary"
for s in "${steps[@]}"; do
	printf '%-7s %s\n' "$s" "${status[$s]}"
done
if [[ -f $logs/gotest.log ]]; then
	echo "--- go test"
	grep -E '^(ok|FAIL|--- FAIL|panic:)' "$logs/gotest.log" || echo "(go test printed no package result)"
fi
if [[ -f $logs/e2e.log ]]; then
	echo "--- e2e (pytest)"
	grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$' "$logs/e2e.log" | tail -n1 ||
		echo "(pytest printed no summary line: it did not finish)"
fi
exit "$failed"
