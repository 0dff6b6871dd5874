package rt_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"syscall"
	"testing"

	"gosys/rt"

	"golang.org/x/sys/unix"
)

func TestPipeEOFAfterLastWriterCloses(t *testing.T) {
	r, w := pipe(t)
	w2, err := rt.Dup(w)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "hello")
	rt.Close(w)
	mustWrite(t, w2, ", world")
	rt.Close(w2)
	mustRead(t, r, "hello, world")
	n, err := rt.Read(r, make([]byte, 8))
	if n != 0 || err != io.EOF {
		t.Fatalf("Read after last writer closed = %d, %v; want 0, io.EOF", n, err)
	}
}

func TestWriteWithoutReaderIsEPIPE(t *testing.T) {
	r, w := pipe(t)
	rt.Close(r)
	n, err := rt.Write(w, []byte("x"))
	if n != 0 || !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Write = %d, %v; want 0, EPIPE", n, err)
	}
}

func TestDefaultSIGPIPEKillsChild(t *testing.T) {
	status, out := runRole(t, "sigpipe")
	if !status.Signaled() || status.Signal() != syscall.SIGPIPE {
		t.Fatalf("child status %v (signaled %v), output %q; want killed by SIGPIPE", status, status.Signaled(), out)
	}
}

func TestDefaultSIGPIPEIgnoredInKernel(t *testing.T) {
	rt.DefaultSIGPIPE()
	r, w := pipe(t)
	rt.Close(r)
	if _, err := rt.Write(w, []byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Write after DefaultSIGPIPE in the kernel = %v; want EPIPE", err)
	}
}

func TestWriteLargeThroughPipe(t *testing.T) {
	for _, cell := range []bool{false, true} {
		t.Run(map[bool]string{false: "no cell", true: "in cell"}[cell], func(t *testing.T) {
			if cell {
				inCell(t)
			}
			r, w := pipe(t)
			want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
			errc := make(chan error, 1)
			go func() {
				n, err := rt.Write(w, want)
				if err == nil && n != len(want) {
					err = io.ErrShortWrite
				}
				rt.Close(w)
				errc <- err
			}()
			var got []byte
			buf := make([]byte, 10000)
			for {
				n, err := rt.Read(r, buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, not the %d written", len(got), len(want))
			}
		})
	}
}

func TestNonblockingReadIsEAGAIN(t *testing.T) {
	inCell(t)
	r, _ := pipe(t)
	if err := unix.SetNonblock(r, true); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Read(r, make([]byte, 1)); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("Read on empty non-blocking pipe = %v; want EAGAIN", err)
	}
}

func TestDupAndDup2Redirect(t *testing.T) {
	r, w := pipe(t)
	other, err := rt.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(other) })
	d, err := rt.Dup(w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(d) })

	mustWrite(t, d, "via dup;")
	if err := rt.Dup2(w, other); err != nil { // other now writes into the pipe
		t.Fatal(err)
	}
	mustWrite(t, other, "via dup2;")
	if err := rt.Dup2(w, w); err != nil {
		t.Fatalf("Dup2(w, w) = %v", err)
	}
	mustRead(t, r, "via dup;via dup2;")

	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Dup2 from closed fd", rt.Dup2(987, other)},
		{"Dup2 to itself closed", rt.Dup2(987, 987)},
		{"Close closed", rt.Close(987)},
		{"Read closed", func() error { _, err := rt.Read(987, make([]byte, 1)); return err }()},
		{"Write closed", func() error { _, err := rt.Write(987, []byte("x")); return err }()},
	} {
		if !errors.Is(tc.err, syscall.EBADF) {
			t.Errorf("%s: %v; want EBADF", tc.name, tc.err)
		}
	}
}

func TestOpenError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing")
	_, err := rt.Open(path, syscall.O_RDONLY, 0)
	if !errors.Is(err, syscall.ENOENT) || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Fatalf("Open(missing) = %v; want ENOENT naming the path", err)
	}
}

// TestDescriptorsInheritable checks that rt's descriptors are not
// close-on-exec and are blocking, as in C.
func TestDescriptorsInheritable(t *testing.T) {
	r, w := pipe(t)
	open, err := rt.Open(filepath.Join(t.TempDir(), "f"), syscall.O_CREAT|syscall.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	dup, err := rt.Dup(r)
	if err != nil {
		t.Fatal(err)
	}
	dup2 := dup + 10
	if err := rt.Dup2(w, dup2); err != nil {
		t.Fatal(err)
	}
	sock, err := rt.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, fd := range map[string]int{"pipe r": r, "pipe w": w, "open": open, "dup": dup, "dup2": dup2, "socket": sock} {
		checkInheritable(t, name, fd)
		if fd != r && fd != w {
			rt.Close(fd)
		}
	}
}

func checkInheritable(t *testing.T, name string, fd int) {
	t.Helper()
	fdflags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil || fdflags&unix.FD_CLOEXEC != 0 {
		t.Errorf("%s fd %d: F_GETFD = %#x, %v; want no FD_CLOEXEC", name, fd, fdflags, err)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_NONBLOCK != 0 {
		t.Errorf("%s fd %d: F_GETFL = %#x, %v; want blocking", name, fd, flags, err)
	}
}
