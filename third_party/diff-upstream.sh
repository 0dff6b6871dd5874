#!/usr/bin/env bash
# diff-upstream.sh MODULE — writes third_party/MODULE.patch, the difference
# between the upstream module (from the Go module cache, downloaded if
# needed) and the patched copy in third_party/MODULE. Upstream files that
# the copy leaves out (tests, generated tables) are not part of the patch.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:?usage: $0 yaegi|zmq4}
case $name in
yaegi) mod=github.com/traefik/yaegi@v0.16.1 ;;
zmq4) mod=github.com/go-zeromq/zmq4@v0.17.0 ;;
*) echo "unknown module $name" >&2; exit 2 ;;
esac
upstream=$(cd "$root" && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
copy=$root/third_party/$name
out=$root/third_party/$name.patch
: >"$out"
(cd "$copy" && find . -type f ! -name PATCHES.md | sort) | while read -r f; do
	f=${f#./}
	if [[ -f $upstream/$f ]]; then
		diff -u --label "a/$f" --label "b/$f" "$upstream/$f" "$copy/$f" >>"$out" || true
	else
		diff -u --label "a/$f" --label "b/$f" /dev/null "$copy/$f" >>"$out" || true
	fi
done
echo "wrote $out ($(grep -c '^@@' "$out") hunks)"
