package native

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gosys/internal/nativekit"
)

// TestCheckKit: a kit is refused before any build when it is not the
// binary's (another install) or was changed since it was installed.
func TestCheckKit(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "native")
	stamp, err := nativekit.Make(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nativekit.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkKit(dir, m, stamp); err != nil {
		t.Fatalf("the binary's own kit: %v", err)
	}
	if err := checkKit(dir, m, "0123"); err == nil || !strings.Contains(err.Error(), "installed again since this kernel started") {
		t.Errorf("another install's kit: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rt", "doc.go"), []byte("package rt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkKit(dir, m, stamp); err == nil || !strings.Contains(err.Error(), "was changed since gosys was installed") {
		t.Errorf("an edited kit: %v", err)
	}
}
