#!/usr/bin/env bash
# peers.sh PREFIX — build the Go kernels gosys is compared with (gophernotes,
# GoNB and the goimports GoNB runs) at fixed versions, and register their
# kernelspecs under PREFIX/share/jupyter/kernels, beside gosys's, for
# bench/kernel_bench.py.
#
# The builds are cached in ${XDG_CACHE_HOME:-~/.cache}/gosys-bench (modules
# of their own that require the peers; nothing of theirs enters gosys's
# go.mod). Versions are exact: the module proxy here serves those but
# refuses to list versions ("go install pkg@v" asks for the list and fails),
# so this builds inside a module instead. Exits 0 with a message when a
# build fails, so the benchmark goes on without the peers.
set -uo pipefail

prefix=${1:?usage: $0 PREFIX}
GO=${GO:-go}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/gosys-bench
bin=$cache/bin
GOPHERNOTES=v0.7.5
GONB=v0.11.1
TOOLS=v0.29.0 # golang.org/x/tools, for goimports: the version GoNB requires
# gophernotes v0.7.5's interpreter (gomacro of 2022) panics at start on the
# type aliases and type parameters of a newer Go's standard library
# ("Converter.Type(): unsupported types.Type: *types.Alias"); built with Go
# 1.22 (which the go command fetches from the module proxy) it runs.
GOPHERNOTES_GO=go1.22.12

# module DIR GOVERSION REQUIRE... — writes a module that only requires.
module() {
	local dir=$1 version=$2
	shift 2
	mkdir -p "$dir"
	{
		printf 'module gosysbenchpeers\n\ngo %s\n\nrequire (\n' "$version"
		printf '\t%s\n' "$@"
		printf ')\n'
	} >"$dir/go.mod"
	{
		printf '//go:build tools\n\n// Package peers only names the programs this module builds.\npackage peers\n\nimport (\n'
		for r in "$@"; do printf '\t_ "%s"\n' "${r%% *}"; done
		printf ')\n'
	} >"$dir/tools.go"
}

stamp="gophernotes $GOPHERNOTES $GOPHERNOTES_GO gonb $GONB tools $TOOLS $($GO env GOVERSION)"
if [[ "$(cat "$bin/.built" 2>/dev/null)" != "$stamp" ]]; then
	echo "peers: building gophernotes $GOPHERNOTES (with $GOPHERNOTES_GO), gonb $GONB and goimports (x/tools $TOOLS) into $bin" >&2
	mkdir -p "$bin"
	module "$cache/gophernotes" 1.22 "github.com/gopherdata/gophernotes $GOPHERNOTES"
	module "$cache/gonb" 1.26 "github.com/janpfeifer/gonb $GONB" "golang.org/x/tools $TOOLS"
	sed -i 's|"golang.org/x/tools"|"golang.org/x/tools/cmd/goimports"|' "$cache/gonb/tools.go"
	if ! (cd "$cache/gophernotes" && export GOTOOLCHAIN=$GOPHERNOTES_GO &&
		timeout 900 "$GO" mod tidy </dev/null &&
		timeout 900 "$GO" build -o "$bin/" github.com/gopherdata/gophernotes </dev/null) ||
		! (cd "$cache/gonb" && timeout 900 "$GO" mod tidy </dev/null &&
			timeout 900 "$GO" build -o "$bin/" github.com/janpfeifer/gonb \
				golang.org/x/tools/cmd/goimports </dev/null); then
		echo "peers: build failed; the benchmark runs without gophernotes and GoNB" >&2
		exit 0
	fi
	echo "$stamp" >"$bin/.built"
fi

kernels=$prefix/share/jupyter/kernels
mkdir -p "$kernels/gophernotes" "$kernels/gonb"
cat >"$kernels/gophernotes/kernel.json" <<EOF
{"argv": ["$bin/gophernotes", "{connection_file}"], "display_name": "Go (gophernotes $GOPHERNOTES)", "language": "go"}
EOF
# GoNB runs goimports and go from PATH.
cat >"$kernels/gonb/kernel.json" <<EOF
{"argv": ["$bin/gonb", "--kernel", "{connection_file}"], "display_name": "Go (GoNB $GONB)", "language": "go", "interrupt_mode": "message", "env": {"PATH": "$bin:$(dirname "$(command -v "$GO")"):/usr/local/bin:/usr/bin:/bin"}}
EOF
echo "peers: gophernotes and gonb registered in $kernels" >&2
