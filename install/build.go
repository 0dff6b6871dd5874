package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// binaryPath is where the gosys binary goes: PREFIX/bin/gosys, $GOBIN/gosys
// or GOPATH/bin/gosys, as an absolute path.
func binaryPath(prefix string) (string, error) {
	if prefix != "" {
		abs, err := filepath.Abs(prefix)
		if err != nil {
			return "", fmt.Errorf("prefix %s: %w", prefix, err)
		}
		return filepath.Join(abs, "bin", "gosys"), nil
	}
	out, err := goCmd("env", "GOBIN", "GOPATH")
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 {
		return "", fmt.Errorf("go env GOBIN GOPATH: unexpected output %q", out)
	}
	dir := lines[0]
	if dir == "" {
		gopath := filepath.SplitList(lines[1])
		if len(gopath) == 0 || gopath[0] == "" {
			return "", fmt.Errorf("neither GOBIN nor GOPATH is set; use --prefix DIR")
		}
		dir = filepath.Join(gopath[0], "bin")
	}
	abs, err := filepath.Abs(filepath.Join(dir, "gosys"))
	if err != nil {
		return "", fmt.Errorf("binary path: %w", err)
	}
	return abs, nil
}

// build compiles gosys/cmd/gosys of the module at root into bin.
func build(root, bin string) error {
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(bin), err)
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gosys")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd/gosys: %w", bin, err)
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
