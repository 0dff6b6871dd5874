package native

import (
	"debug/buildinfo"
	"fmt"
	"path/filepath"
	"plugin"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
)

// Package is a native cell's package, loaded in this process.
type Package struct {
	// Path is its import path, for Go and for the interpreter alike.
	Path string
	// Name is its package name, the last element of Path: compiled types
	// print as Name.T.
	Name string
	// Dir is its cache entry: the generated source and plugin.so.
	Dir string
	// Symbols are its names' values, as interp.Use takes them.
	Symbols map[string]reflect.Value
	// Decls are its top-level names by name, Order the same in the order
	// the cell declares them.
	Decls map[string]Decl
	Order []Decl
	// Deps are the earlier native cells it was built with.
	Deps []*Package
	// Cached is set when Build found it built already.
	Cached bool
}

// Plugin returns the plugin file of the package in dir.
func Plugin(dir string) string { return filepath.Join(dir, "plugin.so") }

// differentVersion is the runtime's refusal of a plugin built from other
// source than the process.
var differentVersion = regexp.MustCompile(`plugin was built with a different version of package (\S+)`)

// Load opens the plugin of the package path built in dir (a cache entry)
// and returns its symbols. It checks the plugin's toolchain and module
// versions against the binary's first: a mismatch is an error, never a
// crash. Loading a plugin again returns the one loaded.
func Load(path, dir string) (*Package, error) {
	file := Plugin(dir)
	if err := checkVersions(file); err != nil {
		return nil, err
	}
	pl, err := plugin.Open(file)
	if err != nil {
		if m := differentVersion.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("native cell: the compiled cell does not match this gosys: its package %s was compiled from other source than gosys's own (%v); the source gosys builds native cells against must be the one it was built from: reinstall gosys (go run ./install) and restart the kernel", m[1], err)
		}
		return nil, fmt.Errorf("native cell: load %s: %w", file, err)
	}
	sym, err := pl.Lookup("Symbols")
	if err != nil {
		return nil, fmt.Errorf("native cell: %s: %w", file, err)
	}
	syms, ok := sym.(*map[string]reflect.Value)
	if !ok {
		return nil, fmt.Errorf("native cell: %s: Symbols is a %T", file, sym)
	}
	return &Package{Path: path, Name: filepath.Base(path), Dir: dir, Symbols: *syms}, nil
}

// checkVersions compares the plugin's build information with the
// binary's: the toolchain, and the version of each module both have.
func checkVersions(file string) error {
	pi, err := buildinfo.ReadFile(file)
	if err != nil {
		return fmt.Errorf("native cell: read %s: %w", file, err)
	}
	if pi.GoVersion != runtime.Version() {
		return fmt.Errorf("native cell: %s was built by %s, but gosys by %s: a plugin loads only into a binary of its own toolchain", file, pi.GoVersion, runtime.Version())
	}
	host, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	mine := map[string]string{}
	for _, d := range host.Deps {
		mine[d.Path] = d.Version
	}
	for _, d := range pi.Deps {
		if v, ok := mine[d.Path]; ok && v != d.Version {
			return fmt.Errorf("native cell: %s was built with %s %s, but gosys with %s: reinstall gosys and restart the kernel", file, d.Path, d.Version, v)
		}
	}
	return nil
}
