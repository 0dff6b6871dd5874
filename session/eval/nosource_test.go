package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSourceFromDisk plants packages where yaegi used to look for
// source (GOPATH=/tmp, and the working directory's GOPATH layout) whose
// init would leave a marker file, then imports them: the import must fail
// with a clear error and the planted code must never run.
func TestNoSourceFromDisk(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "planted-init-ran")
	plant := func(root, importPath string) {
		dir := filepath.Join(root, "src", importPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(filepath.Join(root, "src", strings.SplitN(importPath, "/", 2)[0])) })
		src := "package " + filepath.Base(importPath) + "\n\nimport \"os\"\n\nfunc init() { os.WriteFile(" +
			`"` + marker + `"` + ", []byte(\"x\"), 0o644) }\n\nfunc Hello() string { return \"planted\" }\n"
		if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The old GoPath, and the working directory.
	plant(os.TempDir(), "gosysplanted/evil")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	plant(wd, "gosysplantedwd/evil")

	s := newTestSession(t)
	for _, path := range []string{"gosysplanted/evil", "gosysplantedwd/evil", "os/exec"} {
		out := s.Execute(context.Background(), "import \""+path+"\"\nevil.Hello()")
		if out.Err == nil {
			t.Fatalf("import %q succeeded: %+v", path, out.Result)
		}
		want := `cannot import "` + path + `": gosys does not provide this package`
		if !strings.Contains(out.Err.Value, want) {
			t.Errorf("import %q: error %q, want it to contain %q", path, out.Err.Value, want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a planted package's init ran")
	}
}
