package interp

import (
	"fmt"
	"path"
	"reflect"
)

// (gosys patch 6) Binary packages loaded when first used.
//
// Use copies every symbol of every package it is given into the
// interpreter: for the 170 standard packages that is about 15,000 map
// entries and 6 MB per interpreter, and the tables themselves, built by
// init functions of the program, cost every process of the program the
// time and memory to build them, used or not. UseLazy records a function
// per package instead; the package's symbols are built and copied when an
// import (or a type or symbol lookup) first names it.

// LazyExports maps a package key, "importpath/name" as in Exports, to a
// function returning that package's symbols. The function is called at most
// once per interpreter, when the package is first used; the map it returns
// becomes the interpreter's own (it may be modified).
type LazyExports map[string]func() map[string]reflect.Value

type lazyPackage struct {
	name string
	load func() map[string]reflect.Value
}

// UseLazy registers packages whose symbols are loaded on first use. A
// package given to Use as well gets the symbols of both, Use's winning.
// Unlike Use, UseLazy does not compile yaegi's own sources of the generic
// standard packages (cmp, maps, slices): give the interpreter sources of
// its own for them.
func (interp *Interpreter) UseLazy(values LazyExports) error {
	interp.binMu.Lock()
	defer interp.binMu.Unlock()
	for k, load := range values {
		importPath, name := path.Dir(k), path.Base(k)
		if importPath == "." || k == "." {
			return fmt.Errorf("lazy export path %q is missing a package name", k)
		}
		if interp.lazyPkg == nil {
			interp.lazyPkg = map[string]lazyPackage{}
		}
		interp.lazyPkg[importPath] = lazyPackage{name: name, load: load}
		if _, ok := interp.pkgNames[importPath]; !ok {
			interp.pkgNames[importPath] = name
		}
	}
	return nil
}

// binPackage returns the symbols of the binary package importPath, loading
// it first if it is lazy, or nil if there is no such package.
func (interp *Interpreter) binPackage(importPath string) map[string]reflect.Value {
	interp.binMu.RLock()
	p := interp.binPkg[importPath]
	_, lazy := interp.lazyPkg[importPath]
	interp.binMu.RUnlock()
	if !lazy {
		return p
	}
	interp.binMu.Lock()
	defer interp.binMu.Unlock()
	return interp.loadLocked(importPath)
}

// loadLocked loads the lazy package importPath (if it still is) and returns
// its symbols. The caller holds binMu for writing.
func (interp *Interpreter) loadLocked(importPath string) map[string]reflect.Value {
	l, ok := interp.lazyPkg[importPath]
	if !ok {
		return interp.binPkg[importPath]
	}
	delete(interp.lazyPkg, importPath)
	m := l.load()
	if m == nil {
		m = map[string]reflect.Value{}
	}
	for s, v := range interp.binPkg[importPath] {
		m[s] = v
	}
	interp.binPkg[importPath] = m
	interp.pkgNames[importPath] = l.name
	fixStdlibPackage(interp, importPath, m)
	return m
}

// loadAllLazy loads every lazy package (for Symbols of all packages).
func (interp *Interpreter) loadAllLazy() {
	interp.binMu.Lock()
	defer interp.binMu.Unlock()
	for p := range interp.lazyPkg {
		interp.loadLocked(p)
	}
}

// mapTypesOf returns the wrapper types recorded for v.
func (interp *Interpreter) mapTypesOf(v reflect.Value) ([]reflect.Type, bool) {
	interp.binMu.RLock()
	defer interp.binMu.RUnlock()
	t, ok := interp.mapTypes[v]
	return t, ok
}
