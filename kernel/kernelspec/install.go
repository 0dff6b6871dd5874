package kernelspec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Options say what to install where.
type Options struct {
	// Scope and Prefix choose the data directory (see DataDir).
	Scope  Scope
	Prefix string
	// Name is the kernelspec's name; empty means DefaultName. It is
	// lowercased and checked by NormalizeName.
	Name string
	// Binary is the absolute path of the gosys binary kernel.json runs.
	Binary string
	// Env is kernel.json's "env": variables Jupyter adds to the kernel's
	// environment (GOSYS_WARM_CHILDREN=0 for a class, say).
	Env map[string]string
}

// Installed describes a finished install.
type Installed struct {
	Name string
	// Dir is the kernelspec directory, DATA/kernels/NAME.
	Dir string
	// OnSearchPath reports whether jupyter will find Dir's parent without
	// help: false means JUPYTER_PATH must name the data directory.
	OnSearchPath bool
}

// Install writes the kernelspec directory: kernel.json, logo-32x32.png,
// logo-64x64.png and logo-svg.svg. Re-running it rewrites those files in
// place and leaves any other file in the directory alone. It fails if
// Binary is not absolute or the directory cannot be written (a system-wide
// install usually needs root: --user avoids that).
//
// A kernelspec other users can reach (every scope but User, when the
// directories on the way let others through) is refused with a
// *NotRunnableError when other users cannot execute Binary; the
// directories Install creates for it get mode 0755 whatever the umask.
func Install(opts Options) (Installed, error) {
	name, err := NormalizeName(opts.Name)
	if err != nil {
		return Installed{}, err
	}
	if !filepath.IsAbs(opts.Binary) {
		return Installed{}, fmt.Errorf("kernel binary %q: not an absolute path", opts.Binary)
	}
	data, err := DataDir(opts.Scope, opts.Prefix)
	if err != nil {
		return Installed{}, err
	}
	kernels := filepath.Join(data, "kernels")
	dir := filepath.Join(kernels, name)
	spec := NewSpec(opts.Binary, name)
	if len(opts.Env) > 0 {
		spec.Env = opts.Env
	}
	files, err := specFiles(spec)
	if err != nil {
		return Installed{}, err
	}
	shared := opts.Scope != User && visibleToOthers(dir)
	if shared {
		if err := CheckRunnableByOthers(opts.Binary); err != nil {
			err.(*NotRunnableError).Dir = dir
			return Installed{}, err
		}
	}
	created := missingDirs(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Installed{}, permissionHint(opts.Scope, fmt.Errorf("create kernelspec directory: %w", err))
	}
	if shared {
		for _, d := range created {
			if err := os.Chmod(d, 0o755); err != nil {
				return Installed{}, fmt.Errorf("kernelspec directory: %w", err)
			}
		}
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return Installed{}, permissionHint(opts.Scope, err)
		}
	}
	return Installed{Name: name, Dir: dir, OnSearchPath: slices.Contains(SearchPath(), kernels)}, nil
}

// missingDirs lists dir and those of its ancestors that do not exist yet.
func missingDirs(dir string) []string {
	var missing []string
	for p := filepath.Clean(dir); p != filepath.Dir(p); p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
	}
	return missing
}

type specFile struct {
	name string
	data []byte
}

// specFiles renders the files of a kernelspec directory.
func specFiles(spec Spec) ([]specFile, error) {
	js, err := spec.JSON()
	if err != nil {
		return nil, err
	}
	files := []specFile{{"kernel.json", js}}
	for _, size := range []int{32, 64} {
		b, err := LogoPNG(size)
		if err != nil {
			return nil, err
		}
		files = append(files, specFile{fmt.Sprintf("logo-%dx%d.png", size, size), b})
	}
	return append(files, specFile{"logo-svg.svg", LogoSVG()}), nil
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, so a reader never sees a half-written file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// permissionHint adds the usual way out to a permission error of a
// system-wide install.
func permissionHint(scope Scope, err error) error {
	if scope == System && errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w (install system-wide as root, or use --user)", err)
	}
	return err
}
