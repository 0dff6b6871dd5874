package rt_test

import (
	"fmt"

	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gosys/rt"
)

func TestFopenModes(t *testing.T) {
	for _, tc := range []struct {
		mode       string
		mustExist  bool   // fails with ENOENT on a missing file
		reads      string // what reading a file holding "old" gives, "" for EOF; "EBADF" if not readable
		writable   bool   // writing "new" at offset 0 succeeds
		afterWrite string // the file's content after that write
	}{
		{mode: "r", mustExist: true, reads: "old", afterWrite: "old"},
		{mode: "rb", mustExist: true, reads: "old", afterWrite: "old"},
		{mode: "w", reads: "EBADF", writable: true, afterWrite: "new"},
		{mode: "wb", reads: "EBADF", writable: true, afterWrite: "new"},
		{mode: "a", reads: "EBADF", writable: true, afterWrite: "oldnew"},
		{mode: "r+", mustExist: true, reads: "old", writable: true, afterWrite: "new"},
		{mode: "rb+", mustExist: true, reads: "old", writable: true, afterWrite: "new"},
		{mode: "r+b", mustExist: true, reads: "old", writable: true, afterWrite: "new"},
		{mode: "w+", reads: "", writable: true, afterWrite: "new"},
		{mode: "w+b", reads: "", writable: true, afterWrite: "new"},
		{mode: "a+", reads: "old", writable: true, afterWrite: "oldnew"},
		{mode: "ab+", reads: "old", writable: true, afterWrite: "oldnew"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()

			missing := filepath.Join(dir, "missing")
			f, err := rt.Fopen(missing, tc.mode)
			switch {
			case tc.mustExist && !errors.Is(err, syscall.ENOENT):
				t.Fatalf("Fopen(missing) = %v; want ENOENT", err)
			case !tc.mustExist && err != nil:
				t.Fatalf("Fopen(missing) = %v; want it created", err)
			case !tc.mustExist:
				f.Close()
				if st, err := os.Stat(missing); err != nil || st.Mode().Perm() != 0o666&^umask() {
					t.Fatalf("created file: %v, %v; want mode %o", st, err, 0o666&^umask())
				}
			}

			path := filepath.Join(dir, "old")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err = rt.Fopen(path, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checkInheritable(t, "Fopen", int(f.Fd()))

			buf := make([]byte, 16)
			n, err := f.Read(buf)
			got := string(buf[:n])
			switch {
			case errors.Is(err, syscall.EBADF):
				got = "EBADF"
			case err != nil && err != io.EOF:
				t.Fatal(err)
			}
			if got != tc.reads {
				t.Errorf("reading gives %q; want %q", got, tc.reads)
			}

			if _, err := f.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("new")); tc.writable != (err == nil) {
				t.Errorf("Write = %v; want writable %v", err, tc.writable)
			}
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			if content, _ := os.ReadFile(path); string(content) != tc.afterWrite {
				t.Errorf("file holds %q after the write; want %q", content, tc.afterWrite)
			}
		})
	}
}

// TestFileBuffering is the lecture's experiment: what fprintf wrote is in
// the process, not the file, until the buffer fills or is flushed.
func TestFileBuffering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes")
	f, err := rt.Fopen(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "hello %d\n", 42)
	if got, _ := os.ReadFile(path); len(got) != 0 || f.Buffered() != 9 {
		t.Fatalf("after fprintf the file holds %q, %d bytes buffered; want nothing yet, 9", got, f.Buffered())
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "hello 42\n" {
		t.Fatalf("after fflush: %q", got)
	}
	// Past the buffer's size, full buffers go out; the rest waits.
	f.Write(make([]byte, rt.BufSize+100))
	if st, _ := os.Stat(path); st.Size() != 9+rt.BufSize || f.Buffered() != 100 {
		t.Fatalf("file size %d, %d buffered; want %d, 100", st.Size(), f.Buffered(), 9+rt.BufSize)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != 9+rt.BufSize+100 {
		t.Fatalf("after fclose: size %d", st.Size())
	}
	if err := f.Close(); !errors.Is(err, rt.ErrClosedStream) {
		t.Fatalf("second fclose: %v", err)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, rt.ErrClosedStream) {
		t.Fatalf("write after fclose: %v", err)
	}
}

func TestFileReadAndWriteInTurn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("abcdef"), 0o644)
	f, err := rt.Fopen(path, "r+")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 2)
	if n, _ := f.Read(b); string(b[:n]) != "ab" {
		t.Fatalf("read %q", b[:n])
	}
	// The write lands where the reader stood, not after the read-ahead.
	f.WriteString("XY")
	if n, _ := f.Read(b); string(b[:n]) != "ef" {
		t.Fatalf("read after write %q", b[:n])
	}
	f.Flush()
	if got, _ := os.ReadFile(path); string(got) != "abXYef" {
		t.Fatalf("file %q", got)
	}
	if off, err := f.Seek(0, io.SeekCurrent); off != 6 || err != nil {
		t.Fatalf("Seek current = %d, %v", off, err)
	}
}

func TestFopenBadMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for _, mode := range []string{"", "x", "rw", "r++", "rbb", "+r", "R", "w+x"} {
		_, err := rt.Fopen(path, mode)
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "\""+mode+"\"") {
			t.Errorf("Fopen(%q) = %v; want EINVAL naming the mode", mode, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a bad mode created the file: %v", err)
	}
}

func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}
