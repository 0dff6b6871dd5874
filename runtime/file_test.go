package rt_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	rt "gosys/runtime"
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
			if content, _ := os.ReadFile(path); string(content) != tc.afterWrite {
				t.Errorf("file holds %q after the write; want %q", content, tc.afterWrite)
			}
		})
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
