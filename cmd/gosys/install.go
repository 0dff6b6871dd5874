package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gosys/kernel"
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

const installUsage = `usage: gosys install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--env NAME=VALUE]...

Writes the kernelspec DATA/kernels/NAME (kernel.json and logos) pointing at
this binary. DATA is, as for "jupyter kernelspec install":
  (default)      /usr/local/share/jupyter (system-wide; usually needs root)
  --user         $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter
  --sys-prefix   sys.prefix/share/jupyter of the Python that runs jupyter
  --prefix DIR   DIR/share/jupyter (then let jupyter find it with JUPYTER_PATH=DIR/share/jupyter)
Re-running updates the files in place. --env puts a setting into the
kernelspec's "env", e.g. --env GOSYS_WARM_CHILDREN=0 for a class.

A kernelspec other users will see (system-wide, or a prefix they can
reach) is refused when they cannot run this binary: install the binary
where everyone can (/usr/local/bin) and run "install" from that copy.

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
	if err := kernel.CheckEnv(opts.Env); err != nil {
		return fmt.Errorf("install: --env %w", err)
	}
	for name := range opts.Env {
		if strings.HasPrefix(name, "GOSYS_") && !slices.Contains(kernel.LimitNames, name) {
			fmt.Fprintf(os.Stderr, "gosys: warning: --env %s: not one of the kernel's settings (%s)\n",
				name, strings.Join(kernel.LimitNames, ", "))
		}
	}
	inst, err := kernelspec.Install(opts)
	var nr *kernelspec.NotRunnableError
	if errors.As(err, &nr) {
		return fmt.Errorf("install: %w\n%s", err, runnableHint(f, bin))
	}
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

// runnableHint tells the commands that install a kernelspec every user
// can start: the binary copied where everyone can run it, then installed
// from there with the same flags; or the kernel for this user only.
func runnableHint(f kernelspec.Flags, bin string) string {
	dest := "/usr/local/bin/gosys"
	if f.Prefix != "" {
		if abs, err := filepath.Abs(f.Prefix); err == nil {
			dest = filepath.Join(abs, "bin", "gosys")
		}
	}
	mine := f
	mine.User, mine.SysPrefix, mine.Prefix = true, false, ""
	return fmt.Sprintf("Install the binary where every user can run it, then register that copy:\n"+
		"    install -D -m 0755 %s %s && %s\n"+
		"or register the kernel for yourself only:\n"+
		"    %s",
		shellQuote(bin), shellQuote(dest), shellCommand(dest, append([]string{"install"}, f.Args()...)),
		shellCommand(bin, append([]string{"install"}, mine.Args()...)))
}

// shellCommand renders a command line a shell runs as given.
func shellCommand(name string, args []string) string {
	q := []string{shellQuote(name)}
	for _, a := range args {
		q = append(q, shellQuote(a))
	}
	return strings.Join(q, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=+:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
