package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeNotebook writes an nbformat 4.4 notebook (no cell ids) of cells,
// each "md:TEXT" for markdown or Go code, and returns its path.
func writeNotebook(t *testing.T, cells ...string) string {
	t.Helper()
	var list []any
	for _, c := range cells {
		if md, ok := strings.CutPrefix(c, "md:"); ok {
			list = append(list, map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": md})
			continue
		}
		list = append(list, map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": c,
			"outputs": []any{}, "execution_count": nil})
	}
	b, err := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 4, "cells": list,
		"metadata": map[string]any{"custom": map[string]any{"kept": true}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func testOptions(t *testing.T) (Options, *bytes.Buffer) {
	var progress bytes.Buffer
	return Options{Kernel: []string{gosysBin, "kernel"}, Progress: &progress}, &progress
}

// outputsOf returns cell i's outputs as JSON-like values, text joined.
func outputsOf(t *testing.T, nb *Notebook, i int) []map[string]any {
	t.Helper()
	raw, _ := nb.Cell(i)["outputs"].([]any)
	var outs []map[string]any
	for _, o := range raw {
		m := o.(map[string]any)
		if l, ok := m["text"].([]any); ok {
			m["text"] = joinLines(l)
		}
		if d, ok := m["data"].(map[string]any); ok {
			for k, v := range d {
				if l, ok := v.([]any); ok {
					d[k] = joinLines(l)
				}
			}
		}
		outs = append(outs, m)
	}
	return outs
}

func joinLines(l []any) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.(string))
	}
	return b.String()
}

func TestRunNotebook(t *testing.T) {
	in := writeNotebook(t,
		"import \"fmt\"\nfmt.Println(\"hello\")\nfmt.Println(\"world\")",
		"x := 40\nx + 2",
		"md:# A heading\nSome *text*.",
		`rt.HTML("<b>bold</b>")`,
		"import \"os\"\nfmt.Fprintln(os.Stderr, \"to stderr\")",
		"",
	)
	out := filepath.Join(filepath.Dir(in), "out.ipynb")
	opts, progress := testOptions(t)
	res, err := RunFile(context.Background(), in, out, opts)
	if err != nil {
		t.Fatalf("RunFile: %v\nprogress:\n%s", err, progress)
	}
	if res.Executed != 4 || len(res.Errors) != 0 || !res.CleanShutdown {
		t.Errorf("Result = %+v, want 4 cells, no errors, clean shutdown", res)
	}
	if !strings.Contains(progress.String(), "[4/4] cell 5 ... ok") {
		t.Errorf("progress lacks the last cell:\n%s", progress)
	}
	nb, err := ReadNotebook(out)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cell  int
		typ   string
		field string // "name=value" of the output, or data mime type
		want  string
	}{
		{0, "stream", "stdout", "hello\nworld\n"},
		{1, "execute_result", "text/plain", "42"},
		{3, "display_data", "text/html", "<b>bold</b>"},
		{4, "stream", "stderr", "to stderr\n"},
	}
	for _, c := range cases {
		outs := outputsOf(t, nb, c.cell)
		if len(outs) != 1 {
			t.Errorf("cell %d: %d outputs %v, want 1", c.cell+1, len(outs), outs)
			continue
		}
		o := outs[0]
		got := ""
		switch c.typ {
		case "stream":
			if o["name"] == c.field {
				got, _ = o["text"].(string)
			}
		default:
			got, _ = o["data"].(map[string]any)[c.field].(string)
		}
		if o["output_type"] != c.typ || got != c.want {
			t.Errorf("cell %d: output %v, want %s %s %q", c.cell+1, o, c.typ, c.field, c.want)
		}
	}
	if n := nb.Cell(1)["execution_count"]; n != json.Number("2") {
		t.Errorf("cell 2 execution_count %v, want 2", n)
	}
	if r := outputsOf(t, nb, 1)[0]; r["execution_count"] != json.Number("2") {
		t.Errorf("execute_result execution_count %v, want 2", r["execution_count"])
	}
	if _, ok := nb.Cell(2)["outputs"]; ok {
		t.Error("markdown cell got outputs")
	}
	if nb.Cell(5)["execution_count"] != nil {
		t.Error("empty cell was executed")
	}
	meta := nb.Metadata()
	ks, _ := meta["kernelspec"].(map[string]any)
	li, _ := meta["language_info"].(map[string]any)
	if ks["name"] != "gosys" || ks["language"] != "go" || ks["display_name"] != "Go (systems)" || li["name"] != "go" {
		t.Errorf("metadata kernelspec %v language_info %v", ks, li)
	}
	if meta["custom"] == nil {
		t.Error("unknown notebook metadata lost")
	}
	if exec, _ := nb.Cell(0)["metadata"].(map[string]any)["execution"].(map[string]any); len(exec) != 4 {
		t.Errorf("cell 1 metadata.execution = %v, want 4 timestamps", exec)
	}
	validate(t, out)
}

// validate runs nbformat's validator on the notebook at path.
func validate(t *testing.T, path string) {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import nbformat").Run(); err != nil {
		t.Logf("skipping nbformat validation: %s cannot import nbformat", python)
		return
	}
	cmd := exec.Command(python, "-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("nbformat.validate(%s): %v\n%s", path, err, out)
	}
}

func TestErrorStopsRun(t *testing.T) {
	cells := []string{"a := 1\na", "panic(\"boom\")", "a + 1"}
	cases := []struct {
		name        string
		allowErrors bool
		wantErr     bool
		lastRuns    bool
	}{
		{"stop", false, true, false},
		{"allow errors", true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writeNotebook(t, cells...)
			opts, progress := testOptions(t)
			opts.AllowErrors = c.allowErrors
			res, err := RunFile(context.Background(), in, "", opts)
			var cellErr *CellError
			if c.wantErr {
				if !errors.As(err, &cellErr) || cellErr.Cell != 2 || !strings.Contains(cellErr.Error(), "boom") {
					t.Fatalf("err = %v, want a CellError for cell 2 mentioning boom", err)
				}
			} else if err != nil || len(res.Errors) != 1 || res.Errors[0].Cell != 2 {
				t.Fatalf("err = %v, Errors = %v; want nil and one error in cell 2", err, res.Errors)
			}
			if !strings.Contains(progress.String(), "boom") {
				t.Errorf("progress does not show the error:\n%s", progress)
			}
			nb, err := ReadNotebook(in) // written in place, even when stopped
			if err != nil {
				t.Fatal(err)
			}
			if outs := outputsOf(t, nb, 1); len(outs) != 1 || outs[0]["output_type"] != "error" || outs[0]["evalue"] == "" {
				t.Errorf("cell 2 outputs %v, want one error", outs)
			}
			ran := nb.Cell(2)["execution_count"] != nil
			if ran != c.lastRuns {
				t.Errorf("cell 3 ran = %v, want %v", ran, c.lastRuns)
			}
			validate(t, in)
		})
	}
}

// TestTimeoutInterrupts runs an endless loop with a 2 s limit: the cell is
// interrupted and reported, the next cell still runs in the same kernel,
// and the kernel shuts down on request.
func TestTimeoutInterrupts(t *testing.T) {
	in := writeNotebook(t, "n := 5", "for {}", "n * 2")
	opts, progress := testOptions(t)
	opts.Timeout = 2 * time.Second
	opts.AllowErrors = true
	begin := time.Now()
	res, err := RunFile(context.Background(), in, "", opts)
	if err != nil {
		t.Fatalf("RunFile: %v\n%s", err, progress)
	}
	if d := time.Since(begin); d > 15*time.Second {
		t.Errorf("run took %v", d)
	}
	if len(res.Errors) != 1 || !res.Errors[0].TimedOut || res.Errors[0].Cell != 2 {
		t.Errorf("Errors = %v, want a timeout in cell 2", res.Errors)
	}
	if !res.CleanShutdown {
		t.Error("kernel did not shut down cleanly after the interrupt")
	}
	nb, err := ReadNotebook(in)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range outputsOf(t, nb, 1) {
		found = found || o["ename"] == "CellTimeoutError"
	}
	if !found {
		t.Errorf("cell 2 outputs %v lack a CellTimeoutError", outputsOf(t, nb, 1))
	}
	if outs := outputsOf(t, nb, 2); len(outs) != 1 || outs[0]["data"].(map[string]any)["text/plain"] != "10" {
		t.Errorf("cell 3 outputs %v, want 10: the session should survive the interrupt", outs)
	}
	validate(t, in)

	// Without AllowErrors the timeout stops the run.
	opts.AllowErrors = false
	_, err = RunFile(context.Background(), in, "", opts)
	var cellErr *CellError
	if !errors.As(err, &cellErr) || !cellErr.TimedOut {
		t.Errorf("err = %v, want a timeout CellError", err)
	}
}

// TestCancelInterrupts cancels the run during an endless loop, as Ctrl-C
// does: Run returns soon, the kernel shuts down, nothing is written.
func TestCancelInterrupts(t *testing.T) {
	in := writeNotebook(t, "for {}")
	before, _ := os.ReadFile(in)
	opts, _ := testOptions(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	begin := time.Now()
	res, err := RunFile(ctx, in, "", opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("cancel took %v", d)
	}
	if !res.CleanShutdown {
		t.Error("kernel not shut down cleanly")
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
		t.Error("notebook written after cancel")
	}
}

// TestCLI runs `gosys run` itself: exit status and output file.
func TestCLI(t *testing.T) {
	cases := []struct {
		name     string
		cells    []string
		args     []string
		wantExit int
	}{
		{"ok", []string{"1 + 1"}, nil, 0},
		{"error", []string{"undefinedName"}, nil, 1},
		{"error allowed", []string{"undefinedName", "2"}, []string{"--allow-errors"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writeNotebook(t, c.cells...)
			out := filepath.Join(t.TempDir(), "out.ipynb")
			args := append([]string{"run", in, "-o", out, "--timeout", "30"}, c.args...)
			cmd := exec.Command(gosysBin, args...)
			stderr, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.wantExit {
				t.Errorf("exit %d, want %d\n%s", code, c.wantExit, stderr)
			}
			if _, err := os.Stat(out); err != nil {
				t.Errorf("no output notebook: %v\n%s", err, stderr)
			}
			validate(t, out)
		})
	}
}

func TestKernelThatFailsToStart(t *testing.T) {
	nb, err := ParseNotebook([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": []}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), nb, Options{Kernel: []string{"/bin/sh", "-c", "echo cannot start >&2; exit 3", "sh"}, StartupTimeout: 10 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "cannot start") {
		t.Errorf("err = %v, want the kernel's death with its stderr", err)
	}
}
