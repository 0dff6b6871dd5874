#!/usr/bin/env bash
# install-prefix.sh PREFIX — build gosys into PREFIX/bin and install its
# kernelspec into PREFIX/share/jupyter/kernels/gosys, the way a user would
# (`gosys install --prefix`). Jupyter then finds it with
# JUPYTER_PATH=PREFIX/share/jupyter. Used by the e2e tests and the benchmark
# so that they always run the binary built from this tree, never an older
# gosys installed for the user.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 PREFIX" >&2
	exit 2
fi
prefix=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mkdir -p "$prefix/bin"
prefix=$(cd "$prefix" && pwd) # the kernelspec must hold an absolute path
(cd "$root" && go run ./install --binary-only "$prefix/bin/gosys")
# The warning that PREFIX is off jupyter's search path is expected: callers
# set JUPYTER_PATH. Errors still go to stderr.
"$prefix/bin/gosys" install --prefix "$prefix" >/dev/null 2> >(grep -v 'not on jupyter.s search path' >&2)
test -f "$prefix/share/jupyter/kernels/gosys/kernel.json"
