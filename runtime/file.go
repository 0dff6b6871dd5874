package rt

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Fopen opens path with a C fopen(3) mode and returns it as an *os.File:
//
//	r   read; the file must exist
//	w   write; created or truncated
//	a   append; created if missing
//	r+  read and write; the file must exist
//	w+  read and write; created or truncated
//	a+  read and append; created if missing; reads start at the beginning
//
// A "b" after the first letter ("rb", "r+b", "rb+") is accepted and changes
// nothing, as on POSIX. A file Fopen creates has permissions 0666 less the
// umask. Any other mode gives an error naming it that wraps syscall.EINVAL.
// The descriptor (File.Fd) is not close-on-exec and is in blocking mode.
func Fopen(path, mode string) (*os.File, error) {
	flags, ok := fopenFlags(mode)
	if !ok {
		return nil, fmt.Errorf("fopen %s: invalid mode %q: %w", path, mode, syscall.EINVAL)
	}
	fd, err := unix.Open(path, flags, 0o666)
	if err != nil {
		return nil, fmt.Errorf("fopen %s %q: %w", path, mode, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// fopenFlags returns the open(2) flags of a fopen(3) mode.
func fopenFlags(mode string) (flags int, ok bool) {
	if mode == "" {
		return 0, false
	}
	plus, b := false, false
	for _, c := range mode[1:] {
		switch {
		case c == '+' && !plus:
			plus = true
		case c == 'b' && !b:
			b = true
		default:
			return 0, false
		}
	}
	access := unix.O_WRONLY
	if plus {
		access = unix.O_RDWR
	}
	switch mode[0] {
	case 'r':
		if !plus {
			access = unix.O_RDONLY
		}
		return access, true
	case 'w':
		return access | unix.O_CREAT | unix.O_TRUNC, true
	case 'a':
		return access | unix.O_CREAT | unix.O_APPEND, true
	}
	return 0, false
}
