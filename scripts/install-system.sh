#!/usr/bin/env bash
# install-system.sh [--binary FILE] [--name NAME] [--env NAME=VALUE]... [PREFIX]
#
# Installs gosys for every user of a machine or a container image, with a
# class's settings: the binary as PREFIX/bin/gosys (mode 0755) and the
# kernelspec PREFIX/share/jupyter/kernels/NAME (default gosys). PREFIX
# defaults to /usr/local, where every Jupyter looks (no JUPYTER_PATH
# needed); PREFIX and its parents must let every user through (mode o+x):
# `gosys install` refuses a kernelspec its users could see but not start.
#
# Without --binary it builds gosys from the source tree this script is in
# (Go needed); with it, it installs that file (the Dockerfile's way: built
# in one stage, installed in another).
#
# The kernelspec's env holds the class settings, each changeable with
# --env (see docs/course.md for how to size them):
#   GOSYS_WARM_CHILDREN=0   no forked children kept ready: about 25 MB less
#                           per student, rt.Fork about 10 ms slower
#   GOSYS_MAX_CHILDREN=64   processes rt.Fork may have unreaped at once
#   GOSYS_MEMORY_LIMIT=1G   the session and all its processes, per kernel
#
# Used as is by the Dockerfile and by the class test (e2e/test_hub.py),
# which installs into a temporary prefix instead of /usr/local.
set -euo pipefail

usage() {
	sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

binary=""
name=gosys
env=(GOSYS_WARM_CHILDREN=0 GOSYS_MAX_CHILDREN=64 GOSYS_MEMORY_LIMIT=1G)
prefix=/usr/local
while (($# > 0)); do
	case $1 in
	--binary) binary=${2:?--binary needs a file}; shift 2 ;;
	--name) name=${2:?--name needs a name}; shift 2 ;;
	--env) env+=("${2:?--env needs NAME=VALUE}"); shift 2 ;;
	-h | --help) usage ;;
	-*) echo "install-system.sh: unknown option $1" >&2; usage ;;
	*) prefix=$1; shift ;;
	esac
done

umask 022 # what this creates is for every user
mkdir -p "$prefix/bin"
prefix=$(cd "$prefix" && pwd) # the kernelspec holds absolute paths
bin=$prefix/bin/gosys
# Native cells (%%native) build against the source gosys was built from,
# which go run ./install writes beside the binary: PREFIX/lib/gosys/native.
kit=$prefix/lib/gosys/native
if [[ -n $binary ]]; then
	install -m 0755 "$binary" "$bin.new"
	# A binary built by go run ./install --binary-only has its kit beside it.
	from=$(cd "$(dirname "$binary")/.." && pwd)/lib/gosys/native
	if [[ -d $from && $from != "$kit" ]]; then
		mkdir -p "$prefix/lib/gosys"
		rm -rf "$kit.new"
		cp -R "$from" "$kit.new"
		chmod -R a+rX "$kit.new"
		rm -rf "$kit"
		mv "$kit.new" "$kit"
	fi
else
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	(cd "$root" && go run ./install --binary-only "$bin.new")
	chmod 0755 "$bin.new"
fi
mv -f "$bin.new" "$bin" # a running kernel keeps its old binary

args=(install --prefix "$prefix" --name "$name")
for e in "${env[@]}"; do
	args+=(--env "$e")
done
"$bin" "${args[@]}"
# A seed for native cells: each user's first %%native cell copies it into
# the user's own Go build cache (a second) instead of compiling the
# standard library for plugins (tens of seconds, per student).
seed=$prefix/lib/gosys/go-build-seed
rm -rf "$seed.new"
if "$bin" native-warm --seed "$seed.new" </dev/null; then
	chmod -R a+rX "$seed.new"
	rm -rf "$seed"
	mv "$seed.new" "$seed"
else
	rm -rf "$seed.new"
	echo "install-system.sh: no seed for native cells: each user's first native cell compiles the standard library" >&2
fi
"$bin" version
