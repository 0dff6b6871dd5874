#!/usr/bin/env bash
# with-kernel.sh COMMAND [ARGS...] — run COMMAND against a gosys kernel built
# from this tree and installed into a temporary prefix, removed afterwards.
#
# COMMAND sees:
#   GOSYS_PREFIX  the prefix (gosys is GOSYS_PREFIX/bin/gosys)
#   JUPYTER_PATH  GOSYS_PREFIX/share/jupyter first, so kernel name "gosys"
#                 means this build whatever else is installed
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 COMMAND [ARGS...]" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

GOSYS_PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/gosys-prefix.XXXXXX")
trap 'rm -rf "$GOSYS_PREFIX"' EXIT
bash "$here/install-prefix.sh" "$GOSYS_PREFIX"

export GOSYS_PREFIX
export JUPYTER_PATH="$GOSYS_PREFIX/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
# Not exec: the trap must still remove the prefix when COMMAND ends.
"$@"
