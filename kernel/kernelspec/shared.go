package kernelspec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// NotRunnableError is Install's refusal to write a kernelspec other users
// will find but cannot start: its binary, or a directory on the way to
// it, lacks execute permission for others (a binary under /root, say).
// Every student would see the kernel and get "Permission denied".
type NotRunnableError struct {
	// Binary is the kernelspec's binary.
	Binary string
	// Blocker is Binary itself or the directory on its path that others
	// cannot pass; Mode is its permission bits (0 when it could not be
	// read, then Err says why).
	Blocker string
	Mode    fs.FileMode
	Err     error
	// Dir is the kernelspec directory that other users would see.
	Dir string
}

func (e *NotRunnableError) Error() string {
	why := fmt.Sprintf("%s has mode %04o: no execute permission for other users", e.Blocker, e.Mode.Perm())
	if e.Err != nil {
		why = e.Err.Error()
	}
	return fmt.Sprintf("the kernelspec %s is for every user, but other users cannot run %s (%s): each would see the kernel and fail to start it with \"Permission denied\"",
		e.Dir, e.Binary, why)
}

// visibleToOthers reports whether users other than the owner can reach
// dir: each existing directory from / down to dir (or to its deepest
// existing ancestor, when Install is about to create the rest) has execute
// permission for others.
func visibleToOthers(dir string) bool {
	var chain []string
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Stat(chain[i])
		if errors.Is(err, fs.ErrNotExist) {
			return true // created by Install with mode 0755
		}
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
	}
	return true
}

// CheckRunnableByOthers returns a *NotRunnableError (without Dir) unless
// users other than the owner can execute binary: the file and every
// directory above it have execute permission for others.
func CheckRunnableByOthers(binary string) error {
	p := filepath.Clean(binary)
	var chain []string
	for q := p; ; q = filepath.Dir(q) {
		chain = append(chain, q)
		if q == filepath.Dir(q) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Stat(chain[i])
		if err != nil {
			return &NotRunnableError{Binary: binary, Blocker: chain[i], Err: err}
		}
		if fi.Mode().Perm()&0o001 == 0 || (i == 0 && !fi.Mode().IsRegular()) {
			return &NotRunnableError{Binary: binary, Blocker: chain[i], Mode: fi.Mode()}
		}
	}
	return nil
}
