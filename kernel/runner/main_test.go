package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// gosysBin is the gosys binary TestMain builds for the tests that run a
// real kernel.
var gosysBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gosys-runner-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gosysBin = filepath.Join(dir, "gosys")
	build := exec.Command("go", "build", "-o", gosysBin, "gosys/cmd/gosys")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build gosys: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
