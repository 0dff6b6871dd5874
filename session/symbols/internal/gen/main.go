// Command gen regenerates the yaegi symbol tables of package
// gosys/session/symbols from the standard library of the Go toolchain that
// runs it.
//
// It is run from the session/symbols directory by `go generate` (see the
// //go:generate line in session/symbols/symbols.go):
//
//	go run ./internal/gen
//
// It uses the public github.com/traefik/yaegi/extract package, the same code
// as yaegi's own stdlib extractor and the `yaegi extract` command, so the
// generated files have the shape interp.Use expects: one
// Symbols["importpath/name"] entry per package, generic functions and types
// skipped, interface wrappers named _importpath_Name.
//
// What it writes, in the current directory:
//
//   - go1_NN_<pkg>.go for every non-internal std package listed by
//     `go list std`, except those in skipPackages;
//   - go1_NN_syscall_<goos>_<goarch>.go for each target in syscallTargets
//     (the file name suffix is a build constraint, so each file only builds on
//     its own platform).
//
// Packages for which the extractor finds no non-generic exported symbol
// (iter, unique, weak, ...) are reported and no file is written for them,
// so that importing them fails as before instead of yielding an empty
// package. Stale go1_*.go files are replaced once everything is extracted.
package main

import (
	"bytes"
	"fmt"
	"go/build"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/traefik/yaegi/extract"
)

// skipPackages are std packages deliberately not extracted.
var skipPackages = map[string]string{
	"syscall":          "extracted per platform, see syscallTargets",
	"unsafe":           "handled by yaegi itself (interp.Options.Unrestricted / stdlib/unsafe)",
	"os/exec":          "left out like in yaegi's stdlib (restricted); see yaegi stdlib/unrestricted",
	"plugin":           "cannot work in an interpreter",
	"runtime/cgo":      "no API",
	"runtime/race":     "no API",
	"runtime/msan":     "no API",
	"runtime/asan":     "no API",
	"runtime/coverage": "left out like in yaegi's stdlib",
	"time/tzdata":      "no API (side-effect import only)",
}

// syscallExclude is empty: unlike yaegi's stdlib/syscall, which leaves out
// what could exit, fork or kill the interpreter's process, a course on
// operating systems needs all of it (Kill, ForkExec, Exec, Syscall...).
// Cells run in a session process the kernel restarts if they end it; Exit
// and Exec get rt's rules there (see process.go).
var syscallExclude []string

// syscallTargets are the GOOS/GOARCH pairs for which syscall is extracted.
var syscallTargets = [][2]string{{"linux", "amd64"}, {"linux", "arm64"}}

var emptyMap = regexp.MustCompile(`(?s)Symbols\["[^"]+"\] = map\[string\]reflect\.Value\{\s*\}`)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	version := runtime.Version()
	parts := strings.Split(version, ".")
	if len(parts) < 2 || !strings.HasPrefix(version, "go") {
		log.Fatalf("unsupported Go version %q (a release is required)", version)
	}
	prefix := parts[0] + "_" + extract.GetMinor(parts[1]) + "_"

	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		log.Fatalf("go list std: %v", err)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		if p == "internal" || strings.HasPrefix(p, "internal/") || strings.Contains(p, "/internal/") ||
			strings.HasSuffix(p, "/internal") || strings.HasPrefix(p, "vendor/") || strings.HasPrefix(p, "cmd/") {
			continue
		}
		if _, skip := skipPackages[p]; skip {
			continue
		}
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)

	files := map[string][]byte{} // written at the end, so a failure leaves the package intact
	var written, empty []string
	for _, p := range pkgs {
		ext := extract.Extractor{Dest: "symbols"}
		ok, err := extractTo(&ext, p, prefix+strings.ReplaceAll(p, "/", "_")+".go", files)
		if err != nil {
			log.Fatalf("%s: %v", p, err)
		}
		if ok {
			written = append(written, p)
		} else {
			empty = append(empty, p)
		}
	}

	hostOS, hostArch := build.Default.GOOS, build.Default.GOARCH
	for _, t := range syscallTargets {
		// The "source" importer used by extract type-checks with
		// build.Default, so retargeting it selects the platform's files.
		build.Default.GOOS, build.Default.GOARCH = t[0], t[1]
		ext := extract.Extractor{Dest: "symbols", Exclude: syscallExclude}
		if _, err := extractTo(&ext, "syscall", prefix+"syscall_"+t[0]+"_"+t[1]+".go", files); err != nil {
			log.Fatalf("syscall %s/%s: %v", t[0], t[1], err)
		}
	}
	// golang.org/x/sys/unix, the module gosys itself builds on: the system
	// calls and constants of Linux that syscall froze before.
	for _, t := range syscallTargets {
		build.Default.GOOS, build.Default.GOARCH = t[0], t[1]
		ext := extract.Extractor{Dest: "symbols"}
		if _, err := extractTo(&ext, "golang.org/x/sys/unix", prefix+"x_sys_unix_"+t[0]+"_"+t[1]+".go", files); err != nil {
			log.Fatalf("golang.org/x/sys/unix %s/%s: %v", t[0], t[1], err)
		}
	}
	build.Default.GOOS, build.Default.GOARCH = hostOS, hostArch

	old, err := filepath.Glob("go1_*.go")
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			log.Fatal(err)
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(name, files[name], 0o644); err != nil {
			log.Fatal(err)
		}
	}

	fmt.Printf("gen: %s: %d packages extracted, syscall and golang.org/x/sys/unix for %v\n", version, len(written), syscallTargets)
	fmt.Printf("gen: no non-generic exported API, not written: %s\n", strings.Join(empty, " "))
}

// extractTo extracts package p into files[name]. It reports false, adding
// nothing, when the package has no symbol to export.
func extractTo(ext *extract.Extractor, p, name string, files map[string][]byte) (bool, error) {
	var buf bytes.Buffer
	if _, err := ext.Extract(p, "", &buf); err != nil {
		return false, err
	}
	src := buf.Bytes()
	if emptyMap.Match(src) {
		return false, nil
	}
	// Name the real generator in the header.
	src = bytes.Replace(src, []byte("// Code generated by 'yaegi extract "+p+"'. DO NOT EDIT."),
		[]byte("// Code generated by gosys/session/symbols/internal/gen ('yaegi extract "+p+"'). DO NOT EDIT."), 1)
	lazy, err := lazyTable(src)
	if err != nil {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	files[name] = lazy
	return true, nil
}

// tableStart is the statement yaegi's extractor writes in its init function.
var tableStart = regexp.MustCompile(`(?m)^\tSymbols\[("[^"]+")\] = map\[string\]reflect\.Value\{$`)

// lazyTable rewrites the extractor's table into a function that builds it
// (interp.UseLazy): the init function of each file then stores a function
// pointer instead of building some hundred map entries, in every process
// of the gosys binary (the kernel never needs them), and an interpreter
// builds a package's table when a cell first imports it.
func lazyTable(src []byte) ([]byte, error) {
	loc := tableStart.FindSubmatchIndex(src)
	if loc == nil {
		return nil, fmt.Errorf("no symbol table found in the extractor's output")
	}
	key := src[loc[2]:loc[3]]
	end := bytes.Index(src[loc[1]:], []byte("\n\t}\n}\n"))
	if end < 0 {
		return nil, fmt.Errorf("the symbol table's end not found")
	}
	end += loc[1]
	var out bytes.Buffer
	out.Write(src[:loc[0]])
	fmt.Fprintf(&out, "\tLazy[%s] = func() map[string]reflect.Value {\n\t\treturn map[string]reflect.Value{", key)
	// The entries, one tab deeper.
	out.Write(bytes.ReplaceAll(src[loc[1]:end], []byte("\n\t"), []byte("\n\t\t")))
	out.WriteString("\n\t\t}\n\t}\n}\n")
	out.Write(src[end+len("\n\t}\n}\n"):])
	return format.Source(out.Bytes())
}
