package rt

import (
	"errors"
	"fmt"
	"gosys/rt/cellctl"
	"io"
	"os"
	"reflect"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// BufSize is the size of a FILE's buffer, as BUFSIZ of glibc's stdio for a
// file (st_blksize, 4096 on the usual file systems).
const BufSize = 4096

// FILE is a C stream, what fopen(3) returns: a descriptor with a buffer in
// the process's own memory. Writes collect in the buffer and reach the
// descriptor (and so the file) only when the buffer is full, at Flush, at
// Close, or when the process ends with rt.Exit, as C's exit(3) flushes
// stdio. A process killed by a signal loses what its buffers hold, as in C.
// Reads take BufSize bytes from the descriptor at a time and hand them out
// from the buffer.
//
// A FILE is an io.Reader, io.Writer, io.StringWriter, io.Seeker and
// io.Closer, so
// fmt.Fprintf(f, ...), bufio and io work with it. Its methods are safe for
// concurrent use. After a fork, parent and child each have their own copy
// of the buffer: text written but not flushed before the fork reaches the
// file twice, once from each process, as in C.
type FILE struct {
	mu     sync.Mutex
	Name   string // the path it was opened with
	fd     int
	read   bool   // opened for reading
	write  bool   // opened for writing
	wbuf   []byte // written, not yet at the descriptor
	rbuf   []byte // read from the descriptor, not yet handed out
	closed bool
}

// streams are this process's open FILEs, which rt.Exit flushes.
var streams struct {
	mu   sync.Mutex
	open map[*FILE]bool
}

// Fopen opens path with a C fopen(3) mode and returns the stream:
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
// The descriptor (Fd) is not close-on-exec and is in blocking mode.
func Fopen(path, mode string) (*FILE, error) {
	flags, ok := fopenFlags(mode)
	if !ok {
		return nil, fmt.Errorf("fopen %s: invalid mode %q: %w", path, mode, syscall.EINVAL)
	}
	fd, err := unix.Open(path, flags, 0o666)
	if err != nil {
		return nil, fmt.Errorf("fopen %s %q: %w", path, mode, err)
	}
	acc := flags & unix.O_ACCMODE
	f := &FILE{Name: path, fd: fd, read: acc != unix.O_WRONLY, write: acc != unix.O_RDONLY}
	track(f)
	return f, nil
}

// A FILE a forked child got from its parent is one of the child's streams
// from the start, and the child's end flushes every stream, as C's exit(3)
// does (rt.Exit, and the end of the child's code, as returning from main).
func init() {
	cellctl.OnInherit(reflect.TypeFor[*FILE](), func(v reflect.Value) {
		if f := v.Interface().(*FILE); !f.closed {
			track(f)
		}
	})
	cellctl.AtExit(flushStreams)
}

// track records f among this process's open streams.
func track(f *FILE) {
	streams.mu.Lock()
	defer streams.mu.Unlock()
	if streams.open == nil {
		streams.open = map[*FILE]bool{}
	}
	streams.open[f] = true
}

// ErrClosedStream is wrapped by the errors of a FILE used after Close.
var ErrClosedStream = errors.New("stream already closed")

// Fd returns the stream's descriptor, as fileno(3) does.
func (f *FILE) Fd() int { return f.fd }

// String names the stream for printing.
func (f *FILE) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("FILE(%s, fd %d, %d bytes buffered)", f.Name, f.fd, len(f.wbuf))
}

// Buffered returns how many written bytes wait in the buffer.
func (f *FILE) Buffered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.wbuf)
}

// Write puts p in the buffer, writing the buffer to the descriptor each
// time it fills, as fwrite(3) does with a fully buffered stream.
func (f *FILE) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(f.write, "write"); err != nil {
		return 0, err
	}
	if err := f.dropReadLocked(); err != nil {
		return 0, err
	}
	n := 0
	for len(p) > 0 {
		room := BufSize - len(f.wbuf)
		k := min(room, len(p))
		f.wbuf = append(f.wbuf, p[:k]...)
		p, n = p[k:], n+k
		if len(f.wbuf) == BufSize {
			if err := f.flushLocked(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// WriteString is Write of a string.
func (f *FILE) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Read hands out buffered bytes, refilling the buffer with one read(2) of
// BufSize bytes when it is empty. It returns 0, io.EOF at end of file.
func (f *FILE) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(f.read, "read"); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// What was written must reach the file before reading from it.
	if err := f.flushLocked(); err != nil {
		return 0, err
	}
	if len(f.rbuf) == 0 {
		buf := make([]byte, BufSize)
		for {
			n, err := unix.Read(f.fd, buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return 0, fmt.Errorf("read %s: %w", f.Name, err)
			}
			if n == 0 {
				return 0, io.EOF
			}
			f.rbuf = buf[:n]
			break
		}
	}
	n := copy(p, f.rbuf)
	f.rbuf = f.rbuf[n:]
	return n, nil
}

// Seek flushes the buffer, drops the read-ahead and moves the descriptor's
// offset, as fseek(3) does; whence is io.SeekStart, io.SeekCurrent or
// io.SeekEnd. It returns the new offset.
func (f *FILE) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, fmt.Errorf("fseek %s: %w", f.Name, ErrClosedStream)
	}
	if err := f.flushLocked(); err != nil {
		return 0, err
	}
	if whence == io.SeekCurrent {
		offset -= int64(len(f.rbuf)) // the reader stands before the read-ahead
	}
	f.rbuf = nil
	off, err := unix.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, fmt.Errorf("fseek %s: %w", f.Name, err)
	}
	return off, nil
}

// Flush writes the buffer to the descriptor, as fflush(3) does.
func (f *FILE) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("fflush %s: %w", f.Name, ErrClosedStream)
	}
	return f.flushLocked()
}

// Close flushes the buffer and closes the descriptor, as fclose(3) does.
func (f *FILE) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("fclose %s: %w", f.Name, ErrClosedStream)
	}
	ferr := f.flushLocked()
	f.closed = true
	streams.mu.Lock()
	delete(streams.open, f)
	streams.mu.Unlock()
	if err := unix.Close(f.fd); err != nil {
		return fmt.Errorf("fclose %s: %w", f.Name, err)
	}
	return ferr
}

func (f *FILE) usable(allowed bool, what string) error {
	switch {
	case f.closed:
		return fmt.Errorf("%s %s: %w", what, f.Name, ErrClosedStream)
	case !allowed:
		return fmt.Errorf("%s %s: not opened for %sing: %w", what, f.Name, what, syscall.EBADF)
	}
	return nil
}

// flushLocked writes out the buffer.
func (f *FILE) flushLocked() error {
	for len(f.wbuf) > 0 {
		n, err := unix.Write(f.fd, f.wbuf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
		f.wbuf = f.wbuf[n:]
	}
	f.wbuf = f.wbuf[:0]
	return nil
}

// dropReadLocked gives back the read-ahead before a write, so that the
// write lands where the reader stood (C requires an fseek between a read
// and a write; this does it).
func (f *FILE) dropReadLocked() error {
	if n := len(f.rbuf); n > 0 {
		f.rbuf = nil
		if _, err := unix.Seek(f.fd, int64(-n), io.SeekCurrent); err != nil {
			return fmt.Errorf("seek %s: %w", f.Name, err)
		}
	}
	return nil
}

// flushStreams flushes every open FILE of this process, as exit(3) does.
func flushStreams() {
	streams.mu.Lock()
	open := make([]*FILE, 0, len(streams.open))
	for f := range streams.open {
		open = append(open, f)
	}
	streams.mu.Unlock()
	for _, f := range open {
		if err := f.Flush(); err != nil && !errors.Is(err, ErrClosedStream) {
			fmt.Fprintln(os.Stderr, "rt.Exit:", err)
		}
	}
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
