package kernelspec

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"", "gosys", true},
		{"gosys", "gosys", true},
		{"GoSys-Dev_1.2", "gosys-dev_1.2", true},
		{"a b", "", false},
		{"go/sys", "", false},
		{"gö", "", false},
	}
	for _, c := range cases {
		got, err := NormalizeName(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestInstallFiles(t *testing.T) {
	cases := []struct {
		name        string
		wantDir     string
		wantDisplay string
	}{
		{"", "gosys", "Go (systems)"},
		{"gosys", "gosys", "Go (systems)"},
		{"Dev", "dev", "Go (systems) [dev]"},
	}
	for _, c := range cases {
		t.Run(c.wantDir, func(t *testing.T) {
			prefix := t.TempDir()
			inst, err := Install(Options{Scope: Prefix, Prefix: prefix, Name: c.name, Binary: "/opt/bin/gosys"})
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(prefix, "share", "jupyter", "kernels", c.wantDir); inst.Dir != want {
				t.Errorf("Dir = %q, want %q", inst.Dir, want)
			}
			var spec map[string]any
			readJSON(t, filepath.Join(inst.Dir, "kernel.json"), &spec)
			want := map[string]any{
				"argv":           []any{"/opt/bin/gosys", "kernel", "-f", "{connection_file}"},
				"display_name":   c.wantDisplay,
				"language":       "go",
				"interrupt_mode": "message",
				"metadata":       map[string]any{"debugger": false},
			}
			if !reflect.DeepEqual(spec, want) {
				t.Errorf("kernel.json = %v, want %v", spec, want)
			}
			for _, size := range []int{32, 64} {
				checkPNG(t, filepath.Join(inst.Dir, fmt.Sprintf("logo-%dx%d.png", size, size)), size)
			}
			checkSVG(t, filepath.Join(inst.Dir, "logo-svg.svg"))
		})
	}
}

// TestReinstall checks that a second install rewrites the kernelspec's
// files and keeps a file the user added.
func TestReinstall(t *testing.T) {
	prefix := t.TempDir()
	first, err := Install(Options{Scope: Prefix, Prefix: prefix, Binary: "/old/gosys"})
	if err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(first.Dir, "notes.txt")
	if err := os.WriteFile(extra, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(first.Dir, "logo-32x32.png"), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := Install(Options{Scope: Prefix, Prefix: prefix, Binary: "/new/gosys"})
	if err != nil {
		t.Fatal(err)
	}
	if second.Dir != first.Dir {
		t.Fatalf("reinstall went to %s, first install to %s", second.Dir, first.Dir)
	}
	var spec Spec
	readJSON(t, filepath.Join(second.Dir, "kernel.json"), &spec)
	if spec.Argv[0] != "/new/gosys" {
		t.Errorf("argv[0] = %q after reinstall, want /new/gosys", spec.Argv[0])
	}
	checkPNG(t, filepath.Join(second.Dir, "logo-32x32.png"), 32)
	if b, err := os.ReadFile(extra); err != nil || string(b) != "mine" {
		t.Errorf("user file after reinstall: %q, %v; want it kept", b, err)
	}
	entries, err := os.ReadDir(second.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestInstallErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts Options
	}{
		{"relative binary", Options{Scope: Prefix, Prefix: dir, Binary: "gosys"}},
		{"bad name", Options{Scope: Prefix, Prefix: dir, Name: "a/b", Binary: "/bin/gosys"}},
		{"unwritable", Options{Scope: Prefix, Prefix: blocker, Binary: "/bin/gosys"}},
	}
	for _, c := range cases {
		if _, err := Install(c.opts); err == nil {
			t.Errorf("%s: Install succeeded, want an error", c.name)
		}
	}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		args      []string
		scope     Scope
		prefix    string
		wantError bool
		passOn    []string
	}{
		{args: nil, scope: System, passOn: nil},
		{args: []string{"--user"}, scope: User, passOn: []string{"--user"}},
		{args: []string{"--sys-prefix", "--name", "X"}, scope: SysPrefix, passOn: []string{"--sys-prefix", "--name", "X"}},
		{args: []string{"--prefix=/p"}, scope: Prefix, prefix: "/p", passOn: []string{"--prefix", "/p"}},
		{args: []string{"--user", "--prefix", "/p"}, wantError: true},
		{args: []string{"--name", "no spaces"}, wantError: true},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f Flags
		f.Register(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		opts, err := f.Options("/bin/gosys")
		if c.wantError {
			if err == nil {
				t.Errorf("%q: no error", c.args)
			}
			continue
		}
		if err != nil || opts.Scope != c.scope || opts.Prefix != c.prefix {
			t.Errorf("%q: Options = %+v, %v; want scope %v prefix %q", c.args, opts, err, c.scope, c.prefix)
		}
		if got := f.Args(); !reflect.DeepEqual(got, c.passOn) {
			t.Errorf("%q: Args() = %q, want %q", c.args, got, c.passOn)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func checkPNG(t *testing.T, path string, size int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
		t.Errorf("%s is %dx%d, want %dx%d", path, r.Dx(), r.Dy(), size, size)
	}
	// The centre is part of the drawing, the corner is transparent.
	if _, _, _, a := img.At(size/2, size/2).RGBA(); a == 0 {
		t.Errorf("%s: centre pixel transparent", path)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("%s: corner pixel opaque, want the rounded corner transparent", path)
	}
}

func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", path, root)
	}
}
