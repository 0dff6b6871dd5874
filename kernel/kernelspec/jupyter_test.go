package kernelspec

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestJupyterFindsInstall builds gosys, installs it with --prefix and asks
// the real `jupyter kernelspec list` to find it through JUPYTER_PATH.
func TestJupyterFindsInstall(t *testing.T) {
	const jupyter = "/usr/bin/jupyter"
	if _, err := os.Stat(jupyter); err != nil {
		t.Skipf("%s not installed", jupyter)
	}
	if testing.Short() {
		t.Skip("builds the gosys binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "gosys")
	build := exec.Command("go", "build", "-o", bin, "gosys/cmd/gosys")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if r, err := filepath.EvalSymlinks(bin); err == nil {
		bin = r // what os.Executable reports to gosys install
	}
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix, "--name", "gosys-test").CombinedOutput(); err != nil {
		t.Fatalf("gosys install: %v\n%s", err, out)
	}
	list := exec.Command(jupyter, "kernelspec", "list", "--json")
	list.Env = append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1")
	out, err := list.Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v", err)
	}
	var got struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        struct {
				Argv        []string `json:"argv"`
				DisplayName string   `json:"display_name"`
				Language    string   `json:"language"`
			} `json:"spec"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("jupyter output: %v\n%s", err, out)
	}
	ks, ok := got.Kernelspecs["gosys-test"]
	if !ok {
		t.Fatalf("jupyter does not list gosys-test:\n%s", out)
	}
	if want := filepath.Join(prefix, "share", "jupyter", "kernels", "gosys-test"); ks.ResourceDir != want {
		t.Errorf("resource_dir = %q, want %q", ks.ResourceDir, want)
	}
	if len(ks.Spec.Argv) == 0 || ks.Spec.Argv[0] != bin || ks.Spec.Language != "go" || ks.Spec.DisplayName != "Go (systems) [gosys-test]" {
		t.Errorf("spec = %+v, want argv[0] %s, language go", ks.Spec, bin)
	}
}
