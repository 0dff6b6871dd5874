// Package stddoc gives the documentation of the standard library's
// exported names without the Go source tree: what `fmt.Println?` shows in a
// cell. A compact index (stddoc.bin, embedded) holds, for every package the
// session provides, its synopsis and each exported function's, type's,
// variable's and constant's declaration with its doc comment, rendered as
// go/doc and go/printer render them from GOROOT/src. Each package is
// compressed on its own and decompressed only when asked for.
//
// stddoc.bin is generated from the GOROOT of the Go toolchain that runs
// `go generate` in this directory (the list of packages comes from
// gosys/session/symbols): regenerate it with the toolchain the kernel is
// built with, as the symbol tables are.
package stddoc

//go:generate go run ./gen -o stddoc.bin

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
)

//go:embed stddoc.bin
var index []byte

// Package is the documentation of one package.
type Package struct {
	Path     string
	Synopsis string
	// Members maps each exported name to an index of Texts: the names of
	// one const or var group share their declaration's text.
	Members map[string]int
	Texts   []string
}

// Member returns the declaration and doc comment of an exported name.
func (p *Package) Member(name string) (string, bool) {
	i, ok := p.Members[name]
	if !ok || i < 0 || i >= len(p.Texts) {
		return "", false
	}
	return p.Texts[i], true
}

const magic = "gosys stddoc 1\n"

// header is the parsed table of contents of the embedded index.
type header struct {
	version string
	offsets map[string][2]int // path -> start, end of its compressed blob
	err     error
}

var parsed = sync.OnceValue(func() header { return parseHeader(index) })

// Version returns the Go version whose sources the embedded index was
// generated from ("go1.26.8"), or "" when the index is unreadable.
func Version() string { return parsed().version }

// Paths returns the import paths the embedded index documents, sorted.
func Paths() []string {
	h := parsed()
	paths := make([]string, 0, len(h.offsets))
	for p := range h.offsets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Embedded returns the documentation of the standard package path from
// the embedded index. Each call decompresses it anew: callers cache.
func Embedded(path string) (*Package, bool) {
	h := parsed()
	span, ok := h.offsets[path]
	if !ok {
		return nil, false
	}
	p, err := decodePackage(path, index[span[0]:span[1]])
	if err != nil {
		return nil, false
	}
	return p, true
}

// Encode writes the index of pkgs (in the order given) for Go version.
func Encode(w io.Writer, version string, pkgs []*Package) error {
	var blobs [][]byte
	for _, p := range pkgs {
		var raw bytes.Buffer
		putString(&raw, p.Synopsis)
		putUvarint(&raw, uint64(len(p.Texts)))
		for _, t := range p.Texts {
			putString(&raw, t)
		}
		names := make([]string, 0, len(p.Members))
		for n := range p.Members {
			names = append(names, n)
		}
		sort.Strings(names)
		putUvarint(&raw, uint64(len(names)))
		for _, n := range names {
			putString(&raw, n)
			putUvarint(&raw, uint64(p.Members[n]))
		}
		var z bytes.Buffer
		fw, err := flate.NewWriter(&z, flate.BestCompression)
		if err != nil {
			return err
		}
		fw.Write(raw.Bytes())
		if err := fw.Close(); err != nil {
			return err
		}
		blobs = append(blobs, z.Bytes())
	}
	var head bytes.Buffer
	head.WriteString(magic)
	putString(&head, version)
	putUvarint(&head, uint64(len(pkgs)))
	for i, p := range pkgs {
		putString(&head, p.Path)
		putUvarint(&head, uint64(len(blobs[i])))
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	for _, b := range blobs {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func parseHeader(b []byte) header {
	h := header{offsets: map[string][2]int{}}
	r := bytes.NewReader(b)
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(r, m); err != nil || string(m) != magic {
		h.err = errors.New("stddoc: not an index")
		return h
	}
	var err error
	if h.version, err = getString(r); err != nil {
		h.err = err
		return h
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		h.err = err
		return h
	}
	type entry struct {
		path string
		size int
	}
	var entries []entry
	for i := uint64(0); i < n; i++ {
		path, err := getString(r)
		if err != nil {
			h.err = err
			return h
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			h.err = err
			return h
		}
		entries = append(entries, entry{path, int(size)})
	}
	off := len(b) - r.Len()
	for _, e := range entries {
		if off+e.size > len(b) {
			h.err = errors.New("stddoc: index truncated")
			return h
		}
		h.offsets[e.path] = [2]int{off, off + e.size}
		off += e.size
	}
	return h
}

func decodePackage(path string, blob []byte) (*Package, error) {
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(blob)))
	if err != nil {
		return nil, fmt.Errorf("stddoc %s: %w", path, err)
	}
	r := bytes.NewReader(raw)
	p := &Package{Path: path, Members: map[string]int{}}
	if p.Synopsis, err = getString(r); err != nil {
		return nil, err
	}
	nt, err := binary.ReadUvarint(r)
	if err != nil || nt > uint64(len(raw)) {
		return nil, fmt.Errorf("stddoc %s: bad text count", path)
	}
	p.Texts = make([]string, nt)
	for i := range p.Texts {
		if p.Texts[i], err = getString(r); err != nil {
			return nil, err
		}
	}
	nm, err := binary.ReadUvarint(r)
	if err != nil || nm > uint64(len(raw)) {
		return nil, fmt.Errorf("stddoc %s: bad member count", path)
	}
	for i := uint64(0); i < nm; i++ {
		name, err := getString(r)
		if err != nil {
			return nil, err
		}
		t, err := binary.ReadUvarint(r)
		if err != nil || t >= nt {
			return nil, fmt.Errorf("stddoc %s: bad member %s", path, name)
		}
		p.Members[name] = int(t)
	}
	return p, nil
}

func putUvarint(b *bytes.Buffer, v uint64) {
	b.Write(binary.AppendUvarint(nil, v))
}

func putString(b *bytes.Buffer, s string) {
	putUvarint(b, uint64(len(s)))
	b.WriteString(s)
}

func getString(r *bytes.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return "", errors.New("stddoc: bad string")
	}
	b := make([]byte, n)
	io.ReadFull(r, b)
	return string(b), nil
}
