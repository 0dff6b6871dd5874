package kernelspec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// sharedDir returns a directory other users can reach (0755, every parent
// passable), as a system-wide prefix is; t.TempDir's are private.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp(os.TempDir(), "kernelspec-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if !visibleToOthers(dir) {
		t.Skipf("%s is not reachable by other users (its parents' modes): cannot test a shared install here", dir)
	}
	return dir
}

// binaryIn writes an executable file dir/gosys (dir made with mode).
func binaryIn(t *testing.T, dir string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gosys")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestSharedKernelspecRefusesPrivateBinary: a kernelspec other users will
// find, pointing at a binary under a 0700 directory (as /root/go/bin is),
// is refused before anything is written, and the error names the
// directory in the way.
func TestSharedKernelspecRefusesPrivateBinary(t *testing.T) {
	shared := sharedDir(t)
	private := filepath.Join(shared, "home", "root")
	bin := binaryIn(t, filepath.Join(private, "go", "bin"), 0o755)
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(shared, "prefix")
	_, err := Install(Options{Scope: Prefix, Prefix: prefix, Binary: bin})
	var nr *NotRunnableError
	if !errors.As(err, &nr) {
		t.Fatalf("Install = %v, want a NotRunnableError", err)
	}
	if nr.Blocker != private || nr.Mode.Perm() != 0o700 || nr.Dir != filepath.Join(prefix, "share", "jupyter", "kernels", "gosys") {
		t.Errorf("error = %+v, want blocker %s mode 0700", nr, private)
	}
	if _, err := os.Stat(prefix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused install left %s behind (%v)", prefix, err)
	}

	// The binary itself without execute permission for others.
	open := binaryIn(t, filepath.Join(shared, "bin"), 0o755)
	if err := os.Chmod(open, 0o750); err != nil {
		t.Fatal(err)
	}
	_, err = Install(Options{Scope: Prefix, Prefix: prefix, Binary: open})
	if !errors.As(err, &nr) || nr.Blocker != open {
		t.Errorf("binary mode 0750: Install = %v, want it refused", err)
	}

	// For the user alone, the same binary is fine.
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(shared, "mine"))
	if _, err := Install(Options{Scope: User, Binary: bin}); err != nil {
		t.Errorf("--user with a private binary: %v", err)
	}
}

// TestSharedKernelspecIsReadableByAll: with a binary everyone can run,
// the shared install works, and the directories it creates are 0755 even
// under a umask of 077 (root's, on some systems), with the env written.
func TestSharedKernelspecIsReadableByAll(t *testing.T) {
	shared := sharedDir(t)
	bin := binaryIn(t, filepath.Join(shared, "bin"), 0o755)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	prefix := filepath.Join(shared, "prefix")
	env := map[string]string{"GOSYS_WARM_CHILDREN": "0", "GOSYS_MEMORY_LIMIT": "1G"}
	inst, err := Install(Options{Scope: Prefix, Prefix: prefix, Binary: bin, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	for d := inst.Dir; d != shared; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %04o, want 0755", d, fi.Mode().Perm())
		}
	}
	var spec Spec
	readJSON(t, filepath.Join(inst.Dir, "kernel.json"), &spec)
	if !reflect.DeepEqual(spec.Env, env) || spec.Argv[0] != bin {
		t.Errorf("kernel.json: env %v argv %v; want %v and %s", spec.Env, spec.Argv, env, bin)
	}
}

// TestPrivatePrefixIsNotChecked: a prefix only its owner can reach (the
// e2e tests' temporary prefix) may point anywhere.
func TestPrivatePrefixIsNotChecked(t *testing.T) {
	prefix := t.TempDir()
	if err := os.Chmod(prefix, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(Options{Scope: Prefix, Prefix: filepath.Join(prefix, "p"), Binary: "/nonexistent/gosys"}); err != nil {
		t.Errorf("private prefix: %v", err)
	}
}

func TestEnvFlag(t *testing.T) {
	var f Flags
	for _, s := range []string{"GOSYS_WARM_CHILDREN=3", "A=b=c", "GOSYS_WARM_CHILDREN=0"} {
		if _, _, err := splitEnv(s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		f.Env = append(f.Env, s)
	}
	if got, want := f.EnvMap(), map[string]string{"GOSYS_WARM_CHILDREN": "0", "A": "b=c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EnvMap = %v, want %v", got, want)
	}
	if got := f.Args(); !reflect.DeepEqual(got, []string{"--env", "GOSYS_WARM_CHILDREN=3", "--env", "A=b=c", "--env", "GOSYS_WARM_CHILDREN=0"}) {
		t.Errorf("Args = %q", got)
	}
	for _, bad := range []string{"", "=x", "NOEQUALS", "A B=c"} {
		if _, _, err := splitEnv(bad); err == nil {
			t.Errorf("splitEnv(%q): no error", bad)
		}
	}
}
