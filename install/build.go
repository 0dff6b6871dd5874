package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"gosys/internal/nativekit"
)

// modulePath is the module whose gosys command is built.
const modulePath = "gosys"

// moduleRoot returns the directory of the gosys module that the current
// directory belongs to.
func moduleRoot() (string, error) {
	out, err := goCmd("list", "-m", "-f", "{{.Path}} {{.Dir}}")
	if err != nil {
		return "", fmt.Errorf("find the gosys module (run this inside its source tree): %w", err)
	}
	path, dir, ok := strings.Cut(strings.TrimSpace(out), " ")
	if !ok || path != modulePath || dir == "" {
		return "", fmt.Errorf("current module is %q, not %s: run this inside the gosys source tree", path, modulePath)
	}
	return dir, nil
}

// binaryPath is where the gosys binary goes, as an absolute path:
// PREFIX/bin/gosys with a prefix; else a directory on the default PATH of a
// new shell, so that the README's "gosys run" works at once: /usr/local/bin
// for root, ~/.local/bin (where pip install --user puts commands) for a
// user.
func binaryPath(prefix string) (string, error) {
	if prefix != "" {
		abs, err := filepath.Abs(prefix)
		if err != nil {
			return "", fmt.Errorf("prefix %s: %w", prefix, err)
		}
		return filepath.Join(abs, "bin", "gosys"), nil
	}
	if os.Geteuid() == 0 {
		return "/usr/local/bin/gosys", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for ~/.local/bin (use --prefix DIR): %w", err)
	}
	return filepath.Join(home, ".local", "bin", "gosys"), nil
}

// onPath reports whether dir is one of $PATH's directories.
func onPath(dir string) bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if filepath.Clean(d) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}

// build compiles gosys/cmd/gosys of the module at root into bin, and
// writes beside it (nativekit.Dir) the source native cells are built
// against. The binary is built with -trimpath, so that its compiled
// packages do not name the directory they were compiled in and a plugin
// built from the kit matches them; the kit's stamp is compiled in, so
// the binary refuses a kit of another build.
func build(root, bin string) error {
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(bin), err)
	}
	kit := nativekit.Dir(bin)
	if err := os.MkdirAll(filepath.Dir(kit), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(kit), err)
	}
	stamp, err := nativekit.Make(root, kit)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-X gosys/session/native.kitStamp="+stamp, "-o", bin, "./cmd/gosys")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -trimpath -o %s ./cmd/gosys: %w", bin, err)
	}
	// Whatever the umask: a kernelspec shared with other users needs a
	// binary they can run (gosys install checks it).
	if err := os.Chmod(bin, 0o755); err != nil {
		return err
	}
	// This user's first native cell would compile the standard library for
	// plugins: do it now. Not fatal: gosys works without native cells.
	fmt.Println("Preparing native cells (%%native): the first time, the standard library is compiled for plugins (up to a minute)")
	if err := runBinary(bin, []string{"native-warm"}); err != nil {
		fmt.Fprintf(os.Stderr, "install: native cells will not work until this is fixed: %v\n", err)
	}
	return nil
}

// runBinary runs bin with args, its output going to ours.
func runBinary(bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", bin, quoteArgs(args), err)
	}
	return nil
}

// goCmd runs the go command and returns its standard output.
func goCmd(args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// quoteArgs renders args for a message, quoting those that need it.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$") {
			a = strconv.Quote(a)
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
