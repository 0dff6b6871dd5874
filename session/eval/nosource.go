package eval

import (
	"io/fs"
)

// noSourceFS is the file system the interpreter loads package source from:
// one that holds nothing. yaegi resolves an import it has no compiled
// symbols for by reading GOPATH/src/<path> from its file system; with the
// real file system and a shared GOPATH (it used to be /tmp), any local user
// could plant /tmp/src/os/exec/exec.go and have its init run as whoever
// imports "os/exec" next. Every package a cell can import is compiled into
// gosys or given as source in Options.Sources; nothing is read from disk.
type noSourceFS struct{}

// noSourceGoPath is the GOPATH the interpreter is told about. No directory
// of that name is read: noSourceFS answers every path with ErrNotExist. It
// only makes yaegi's "unable to find source" message name a path that says
// why.
const noSourceGoPath = "/gosys-loads-no-source-from-disk"

// Open refuses every path.
func (noSourceFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
