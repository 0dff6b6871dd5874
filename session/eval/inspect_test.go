package eval

import (
	"go/build"
	"strings"
	"testing"
)

// TestInspectWithoutGOROOT: documentation of the standard library comes
// from the index built into the binary, with GOROOT an empty directory (a
// course image without a Go toolchain).
func TestInspectWithoutGOROOT(t *testing.T) {
	old := build.Default.GOROOT
	build.Default.GOROOT = t.TempDir()
	defer func() { build.Default.GOROOT = old }()
	s := newTestSession(t)
	cases := []struct{ code, want string }{
		{"fmt.Println", "Println formats using the default formats"},
		{"os.Pipe", "func Pipe() (r *File, w *File, err error)"},
		{"strings", "Package strings implements simple functions"},
		{"syscall.Kill", "func Kill(pid int, sig Signal) (err error)"},
	}
	for _, c := range cases {
		text, ok := s.Inspect(c.code, len(c.code))
		if !ok || !strings.Contains(text, c.want) {
			t.Errorf("inspect %s: %q %v; want it to contain %q", c.code, text, ok, c.want)
		}
	}
}
