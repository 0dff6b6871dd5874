// Command gen writes the documentation index of package gosys/internal/stddoc
// from the GOROOT of the Go toolchain that runs it:
//
//	go run ./gen -o stddoc.bin     (what `go generate` runs in internal/stddoc)
//
// The packages are those the session provides: every standard package of
// gosys/session/symbols's tables, and the generic ones it interprets from
// source (cmp, iter, maps, slices). Files are selected for linux/amd64, so
// the index does not depend on the machine that generates it.
package main

import (
	"bytes"
	"flag"
	"go/build"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"gosys/internal/stddoc"
	"gosys/session/symbols"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("stddoc gen: ")
	out := flag.String("o", "stddoc.bin", "write the index to `FILE`")
	flag.Parse()

	var b bytes.Buffer
	n, err := Generate(&b)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d packages, %d bytes, from %s", *out, n, b.Len(), runtime.Version())
}

// Generate writes the index to w and returns how many packages it holds.
func Generate(w *bytes.Buffer) (int, error) {
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = "linux", "amd64"
	src := filepath.Join(ctx.GOROOT, "src")
	var pkgs []*stddoc.Package
	for _, path := range Packages() {
		p, err := stddoc.FromSource(&ctx, filepath.Join(src, path), path)
		if err != nil {
			return 0, err
		}
		pkgs = append(pkgs, p)
	}
	return len(pkgs), stddoc.Encode(w, runtime.Version(), pkgs)
}

// Packages lists the import paths to document, sorted.
func Packages() []string {
	seen := map[string]bool{"cmp": true, "iter": true, "maps": true, "slices": true}
	for _, key := range symbols.Keys() {
		i := strings.LastIndexByte(key, '/')
		if i < 0 {
			continue
		}
		path := key[:i]
		if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") || first == "gosys" {
			continue // not the standard library (golang.org/x/sys/unix, gosys's own)
		}
		seen[path] = true
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}
