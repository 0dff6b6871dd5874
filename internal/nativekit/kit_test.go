package nativekit

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMake writes the kit of this module and checks what a plugin build
// needs is there, and that the stamp is the kit's and follows its content.
func TestMake(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "native")
	stamp, err := Make(root, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum", "vendor/modules.txt", "rt/fork.go", "rt/cellctl", "vendor/golang.org/x/sys/unix/syscall_linux.go", ManifestName} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("kit lacks %s: %v", f, err)
		}
	}
	m, err := ReadManifest(dst)
	if err != nil {
		t.Fatal(err)
	}
	if m.Stamp != stamp || m.GoVersion == "" || m.GOROOT == "" {
		t.Errorf("manifest %+v, stamp %s", m, stamp)
	}
	if again, err := Stamp(dst); err != nil || again != stamp {
		t.Errorf("Stamp = %s, %v; Make said %s", again, err, stamp)
	}
	if err := os.WriteFile(filepath.Join(dst, "rt", "extra.go"), []byte("package rt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, _ := Stamp(dst); changed == stamp {
		t.Error("a file added to the kit left its stamp")
	}
	if got := Dir("/usr/local/bin/gosys"); got != "/usr/local/lib/gosys/native" {
		t.Errorf("Dir = %s", got)
	}
}
