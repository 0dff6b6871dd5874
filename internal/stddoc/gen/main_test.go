package main

import (
	"bytes"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"gosys/internal/stddoc"
)

// TestIndexCoversTheSession: every standard package a cell can import has
// its documentation in the embedded index.
func TestIndexCoversTheSession(t *testing.T) {
	have := stddoc.Paths()
	for _, p := range Packages() {
		if !slices.Contains(have, p) {
			t.Errorf("%s is missing from stddoc.bin: run `go generate` in internal/stddoc", p)
		}
	}
}

// TestIndexUpToDate regenerates the index with this toolchain and compares,
// when it is the toolchain the index was made with.
func TestIndexUpToDate(t *testing.T) {
	if runtime.Version() != stddoc.Version() {
		t.Skipf("stddoc.bin is from %s, this is %s: not comparing", stddoc.Version(), runtime.Version())
	}
	if _, err := os.Stat(filepath.Join(build.Default.GOROOT, "src", "fmt")); err != nil {
		t.Skipf("no Go sources in GOROOT %s", build.Default.GOROOT)
	}
	var b bytes.Buffer
	if _, err := Generate(&b); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join("..", "stddoc.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), have) {
		t.Errorf("stddoc.bin differs from what %s generates (%d bytes, %d generated): run `go generate` in internal/stddoc",
			runtime.Version(), len(have), b.Len())
	}
}
