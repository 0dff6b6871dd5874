// Package nativekit is the source a gosys binary builds native cells
// against (%%native, see session/native): the packages a cell may share
// with the binary (gosys/rt and what it imports, golang.org/x/sys/unix),
// copied from the source tree gosys was built from, with x/sys vendored so
// that a build needs neither the network nor a module cache.
//
// A Go plugin loads only if every package it shares with the process was
// compiled from the same source with the same flags. The install step
// builds gosys with -trimpath (file names in the compiled packages do not
// depend on where the source is) and writes the kit beside the binary
// (Dir); a kit's Stamp is compiled into the binary, so a kit that does not
// match it is refused before anything is built.
package nativekit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ManifestName is the file of a kit that describes it (Manifest); it is
// not part of the kit's Stamp.
const ManifestName = "gosys-native.json"

// Manifest describes a kit.
type Manifest struct {
	// Stamp is the kit's Stamp when it was made.
	Stamp string `json:"stamp"`
	// GoVersion is the toolchain that built gosys ("go1.26.8"); GOROOT
	// where it was, so that a kernel started without go on its PATH finds
	// it.
	GoVersion string `json:"go_version"`
	GOROOT    string `json:"goroot"`
}

// Dir returns where the kit of the gosys binary bin is:
// PREFIX/lib/gosys/native for PREFIX/bin/gosys.
func Dir(bin string) string {
	return filepath.Join(filepath.Dir(filepath.Dir(bin)), "lib", "gosys", "native")
}

// Roots are the packages whose source (with all they import outside the
// standard library) a kit holds.
var Roots = []string{"gosys/rt", "golang.org/x/sys/unix"}

// listed is what `go list -json` says of a package, as much as Make uses.
type listed struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct {
		Path      string
		Version   string
		GoVersion string
	}
	GoFiles, SFiles, HFiles, CFiles, CgoFiles, EmbedFiles, SysoFiles []string
}

// Make writes the kit of the gosys module at root into dst (replacing
// what was there) and returns its stamp. It runs the go command in root.
func Make(root, dst string) (string, error) {
	out, err := goOutput(root, append([]string{"list", "-deps", "-json"}, Roots...)...)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".native-kit-")
	if err != nil {
		return "", fmt.Errorf("native kit: %w", err)
	}
	defer os.RemoveAll(tmp)
	// Whatever the umask: every user of a shared install builds against it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("native kit: %w", err)
	}
	type module struct{ version, goVersion string }
	vendored := map[string]module{}       // module path → version
	vendoredPkgs := map[string][]string{} // module path → packages
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("native kit: go list: %w", err)
		}
		if p.Standard {
			continue
		}
		var rel string
		switch {
		case p.ImportPath == "gosys" || strings.HasPrefix(p.ImportPath, "gosys/"):
			rel = strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, "gosys"), "/")
		case p.Module != nil:
			rel = filepath.Join("vendor", p.ImportPath)
			vendored[p.Module.Path] = module{p.Module.Version, p.Module.GoVersion}
			vendoredPkgs[p.Module.Path] = append(vendoredPkgs[p.Module.Path], p.ImportPath)
		default:
			return "", fmt.Errorf("native kit: package %s is in no module", p.ImportPath)
		}
		for _, files := range [][]string{p.GoFiles, p.SFiles, p.HFiles, p.CFiles, p.CgoFiles, p.EmbedFiles, p.SysoFiles} {
			for _, f := range files {
				if err := copyFile(filepath.Join(p.Dir, f), filepath.Join(tmp, rel, f)); err != nil {
					return "", err
				}
			}
		}
	}
	goVersion, err := goOutput(root, "list", "-m", "-f", "{{.GoVersion}}")
	if err != nil {
		return "", err
	}
	var mod, sum, txt strings.Builder
	fmt.Fprintf(&mod, "// The source gosys builds native cells against (made by go run ./install).\nmodule gosys\n\ngo %s\n", strings.TrimSpace(string(goVersion)))
	paths := make([]string, 0, len(vendored))
	for p := range vendored {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return "", fmt.Errorf("native kit: %w", err)
	}
	for _, p := range paths {
		m := vendored[p]
		fmt.Fprintf(&mod, "\nrequire %s %s\n", p, m.version)
		fmt.Fprintf(&txt, "# %s %s\n## explicit; go %s\n", p, m.version, m.goVersion)
		pkgs := vendoredPkgs[p]
		sort.Strings(pkgs)
		for _, pkg := range pkgs {
			fmt.Fprintln(&txt, pkg)
		}
		for _, l := range strings.Split(string(sums), "\n") {
			if strings.HasPrefix(l, p+" "+m.version+" ") || strings.HasPrefix(l, p+" "+m.version+"/go.mod ") {
				fmt.Fprintln(&sum, l)
			}
		}
	}
	for name, text := range map[string]string{"go.mod": mod.String(), "go.sum": sum.String(), "vendor/modules.txt": txt.String()} {
		if err := writeFile(filepath.Join(tmp, name), []byte(text)); err != nil {
			return "", err
		}
	}
	// Directories too, whatever the umask (MkdirAll applied it).
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o755)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("native kit: %w", err)
	}
	stamp, err := Stamp(tmp)
	if err != nil {
		return "", err
	}
	env, err := goOutput(root, "env", "GOVERSION", "GOROOT")
	if err != nil {
		return "", err
	}
	ev := strings.Fields(string(env))
	if len(ev) != 2 {
		return "", fmt.Errorf("native kit: go env GOVERSION GOROOT: %q", env)
	}
	m, err := json.MarshalIndent(Manifest{Stamp: stamp, GoVersion: ev[0], GOROOT: ev[1]}, "", "\t")
	if err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(tmp, ManifestName), append(m, '\n')); err != nil {
		return "", err
	}
	// Replace the old kit in two renames; a kernel building at this very
	// moment fails and says so (its binary is the old one anyway).
	old := dst + ".old"
	os.RemoveAll(old)
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("native kit: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("native kit: %w", err)
	}
	os.RemoveAll(old)
	return stamp, nil
}

// Stamp returns a hash of the files of the kit at dir (less its manifest):
// their names and contents.
func Stamp(dir string) (string, error) {
	h := sha256.New()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			if rel != ManifestName {
				files = append(files, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("native kit %s: %w", dir, err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", fmt.Errorf("native kit: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// ReadManifest reads the manifest of the kit at dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("native kit %s: %w", filepath.Join(dir, ManifestName), err)
	}
	return m, nil
}

func goOutput(dir string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Stderr = dir, &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("native kit: go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("native kit: %w", err)
	}
	return writeFile(dst, b)
}

func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("native kit: %w", err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return fmt.Errorf("native kit: %w", err)
	}
	// The umask may have taken some bits: the kit is read by every user.
	return os.Chmod(name, 0o644)
}
