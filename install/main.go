// Command install builds gosys and registers it with Jupyter in one step:
//
//	go run ./install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--env NAME=VALUE]...
//	go run ./install --binary-only FILE
//
// It builds the gosys command of the module it is run in with `go build`
// into a stable place, then runs `BINARY install FLAGS` so that the
// kernelspec points at that binary. The binary goes to DIR/bin/gosys with
// --prefix DIR, otherwise to /usr/local/bin/gosys for root and
// ~/.local/bin/gosys for a user: on the PATH of a new shell (it says so
// when ~/.local/bin is not on PATH yet), with mode 0755 whatever the umask:
// `gosys install` refuses a kernelspec other users will see (system-wide,
// or in a prefix they can reach) whose binary they cannot run. The
// kernelspec scopes and --env are those of `gosys install`.
//
// Beside the binary (PREFIX/lib/gosys/native for PREFIX/bin/gosys) it
// writes the source that native cells are built against (see
// internal/nativekit). --binary-only FILE builds FILE and its kit, and
// installs no kernelspec: the scripts that install gosys in their own way
// (scripts/install-prefix.sh, scripts/install-system.sh, the Dockerfile)
// build through it, so that every gosys binary can build native cells.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gosys/kernel"
	"gosys/kernel/kernelspec"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "install:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	var f kernelspec.Flags
	f.Register(fs)
	binaryOnly := fs.String("binary-only", "", "build the binary `FILE` (and its native kit beside it), install no kernelspec")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: go run ./install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--env NAME=VALUE]...

Builds gosys (into DIR/bin with --prefix DIR, else /usr/local/bin for root
and ~/.local/bin for a user) and installs its kernelspec with
"gosys install" and the same flags.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Check the flags before spending time on the build.
	opts, err := f.Options("/")
	if err != nil {
		return err
	}
	if err := kernel.CheckEnv(opts.Env); err != nil {
		return fmt.Errorf("--env %w", err)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if *binaryOnly != "" {
		bin, err := filepath.Abs(*binaryOnly)
		if err != nil {
			return err
		}
		return build(root, bin)
	}
	bin, err := binaryPath(f.Prefix)
	if err != nil {
		return err
	}
	fmt.Printf("Building gosys from %s into %s\n", root, bin)
	fmt.Println("(the first build compiles the Go standard library's tables for the interpreter: a minute or two; later builds take seconds)")
	start := time.Now()
	if err := build(root, bin); err != nil {
		return err
	}
	fmt.Printf("Built in %s\n", time.Since(start).Round(time.Second))
	fmt.Printf("Running %s install %s\n", bin, quoteArgs(f.Args()))
	if err := runBinary(bin, append([]string{"install"}, f.Args()...)); err != nil {
		return err
	}
	if dir := filepath.Dir(bin); f.Prefix == "" && !onPath(dir) {
		fmt.Printf("Note: %s is not on your PATH yet: a new login shell has it (Debian's ~/.profile adds it when it exists), or add it: export PATH=\"%s:$PATH\"\n", dir, dir)
	}
	return nil
}
