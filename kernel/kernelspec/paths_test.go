package kernelspec

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDataDir(t *testing.T) {
	home := t.TempDir()
	home, _ = filepath.EvalSymlinks(home)
	cases := []struct {
		name   string
		scope  Scope
		prefix string
		env    map[string]string
		want   string
	}{
		{name: "system", scope: System, want: "/usr/local/share/jupyter"},
		{name: "system ignores JUPYTER_DATA_DIR", scope: System, env: map[string]string{"JUPYTER_DATA_DIR": "/x"}, want: "/usr/local/share/jupyter"},
		{name: "user default", scope: User, want: filepath.Join(home, ".local", "share", "jupyter")},
		{name: "user XDG", scope: User, env: map[string]string{"XDG_DATA_HOME": "/xdg"}, want: "/xdg/jupyter"},
		{name: "user JUPYTER_DATA_DIR wins", scope: User, env: map[string]string{"XDG_DATA_HOME": "/xdg", "JUPYTER_DATA_DIR": "/jd"}, want: "/jd"},
		{name: "user ignores JUPYTER_PATH", scope: User, env: map[string]string{"JUPYTER_PATH": "/jp"}, want: filepath.Join(home, ".local", "share", "jupyter")},
		{name: "prefix", scope: Prefix, prefix: "/opt/env", want: "/opt/env/share/jupyter"},
		{name: "relative prefix made absolute", scope: Prefix, prefix: "rel", want: filepath.Join(mustGetwd(t), "rel", "share", "jupyter")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			for _, k := range []string{"JUPYTER_DATA_DIR", "XDG_DATA_HOME", "JUPYTER_PATH"} {
				t.Setenv(k, c.env[k])
			}
			got, err := DataDir(c.scope, c.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("DataDir(%v, %q) = %q, want %q", c.scope, c.prefix, got, c.want)
			}
		})
	}
	if _, err := DataDir(Prefix, ""); err == nil {
		t.Error("DataDir(Prefix, \"\") succeeded, want an error")
	}
}

// TestSysPrefix puts a fake jupyter whose #! names a fake python first in
// PATH: --sys-prefix must ask that python.
func TestSysPrefix(t *testing.T) {
	dir := t.TempDir()
	py := filepath.Join(dir, "python3.99")
	writeExec(t, py, "#!/bin/sh\necho /opt/fake-env\n")
	writeExec(t, filepath.Join(dir, "jupyter"), "#!"+py+"\n# fake jupyter\n")
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	got, err := DataDir(SysPrefix, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/opt/fake-env/share/jupyter"; got != want {
		t.Errorf("DataDir(SysPrefix) = %q, want %q", got, want)
	}
}

func TestShebangPython(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ script, want string }{
		{"#!/usr/bin/python3\nimport x\n", "/usr/bin/python3"},
		{"#!/opt/conda/bin/python3.11 -E\n", "/opt/conda/bin/python3.11"},
		{"#!/bin/sh\nexec python3 \"$@\"\n", ""},
		{"no shebang\n", ""},
		{"", ""},
	}
	for i, c := range cases {
		p := filepath.Join(dir, "s"+string(rune('a'+i)))
		writeExec(t, p, c.script)
		if got := shebangPython(p); got != c.want {
			t.Errorf("shebangPython(%q) = %q, want %q", c.script, got, c.want)
		}
	}
}

func TestSearchPath(t *testing.T) {
	home := t.TempDir()
	home, _ = filepath.EvalSymlinks(home)
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("JUPYTER_DATA_DIR", "/jd")
	t.Setenv("JUPYTER_PATH", "/a/"+string(os.PathListSeparator)+"/b")
	t.Setenv("PYTHONUSERBASE", "")
	t.Setenv("PYTHONNOUSERSITE", "")
	got := SearchPath()
	wantPrefix := []string{"/a/kernels", "/b/kernels", "/jd/kernels", filepath.Join(home, ".local/share/jupyter/kernels")}
	if len(got) < len(wantPrefix)+2 || !slices.Equal(got[:len(wantPrefix)], wantPrefix) {
		t.Fatalf("SearchPath() = %q, want it to start with %q", got, wantPrefix)
	}
	if tail := got[len(got)-2:]; !slices.Equal(tail, []string{"/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"}) {
		t.Errorf("SearchPath() ends with %q, want the system directories", tail)
	}
}

func writeExec(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
