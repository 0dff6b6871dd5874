package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gosys/kernel/kernelspec"
)

// runInstall implements `gosys install`: it writes a kernelspec that runs
// this very binary.
func runInstall(args []string) error {
	fs := newFlags("install", installUsage)
	var f kernelspec.Flags
	f.Register(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{"install", fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return install(f)
}

const installUsage = `usage: gosys install [--user | --sys-prefix | --prefix DIR] [--name NAME]

Writes the kernelspec DATA/kernels/NAME (kernel.json and logos) pointing at
this binary. DATA is, as for "jupyter kernelspec install":
  (default)      /usr/local/share/jupyter (system-wide; usually needs root)
  --user         $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter
  --sys-prefix   sys.prefix/share/jupyter of the Python that runs jupyter
  --prefix DIR   DIR/share/jupyter (then let jupyter find it with JUPYTER_PATH=DIR/share/jupyter)
Re-running updates the files in place.

`

// install writes the kernelspec.
func install(f kernelspec.Flags) error {
	bin, err := executable()
	if err != nil {
		return err
	}
	opts, err := f.Options(bin)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	inst, err := kernelspec.Install(opts)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	fmt.Printf("Installed kernelspec %s in %s\n  runs %s\n", inst.Name, inst.Dir, bin)
	if !inst.OnSearchPath {
		fmt.Fprintf(os.Stderr, "gosys: warning: %s is not on jupyter's search path; set JUPYTER_PATH=%s\n",
			filepath.Dir(inst.Dir), filepath.Dir(filepath.Dir(inst.Dir)))
	}
	return nil
}

// executable is the absolute path of the running binary with symbolic links
// resolved. A binary that `go run` built in its temporary cache is refused:
// the kernelspec would point at a file that is about to vanish.
func executable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this binary: %w", err)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if strings.Contains(p, string(filepath.Separator)+"go-build") {
		return "", fmt.Errorf("this binary (%s) is a temporary one from `go run`; use `go run ./install` or build gosys first", p)
	}
	return p, nil
}
