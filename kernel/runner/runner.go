// Package runner executes a notebook headless, the way `jupyter nbconvert
// --execute` does, against a gosys kernel it starts itself: it speaks the
// Jupyter protocol over ZeroMQ directly (no Python), turns the kernel's
// messages into nbformat 4.5 outputs as nbclient does, and writes the
// notebook back as nbformat would.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultTimeout is the per-cell time limit when Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Options configure a run. The zero value runs every cell with
// DefaultTimeout, stops at the first error, and starts the kernel from the
// running executable (right for the gosys command itself).
type Options struct {
	// AllowErrors keeps going after a cell fails; the failures are listed
	// in Result.Errors. A cell tagged "raises-exception" may fail either way.
	AllowErrors bool
	// Timeout limits each cell; zero means DefaultTimeout, a negative value
	// no limit. A cell over its time is interrupted (interrupt_request) and
	// fails with a CellTimeoutError output.
	Timeout time.Duration
	// StartupTimeout limits the wait for a new kernel; zero means 60s.
	StartupTimeout time.Duration
	// Kernel is the command that serves a kernel, to which "-f FILE" is
	// appended; empty means {the running executable, "kernel"}.
	Kernel []string
	// KernelStderr receives the kernel process's own stdout and stderr (its
	// log, not cell output). Nil keeps them in a temporary file whose tail
	// is reported if the kernel fails.
	KernelStderr io.Writer
	// Progress receives a line per executed cell, and the error of a cell
	// that fails; nil means silence. On a terminal the line of the running
	// cell is shown while it runs.
	Progress io.Writer
	// NoTiming leaves cells' metadata.execution alone; by default it gets
	// the four timestamps nbclient records.
	NoTiming bool
}

// Result sums up a run.
type Result struct {
	// Executed counts the code cells sent to the kernel.
	Executed int
	// Errors are the cells that failed but did not stop the run
	// (AllowErrors or the raises-exception tag).
	Errors []*CellError
	// CleanShutdown reports that the kernel exited on shutdown_request.
	CleanShutdown bool
	// Duration is the time from starting the kernel to its shutdown.
	Duration time.Duration
}

// CellError is a cell whose execution failed.
type CellError struct {
	// Cell is the cell's position in the notebook, from 1.
	Cell int
	// Ename, Evalue and Traceback are the kernel's error; for a timeout
	// Ename is "CellTimeoutError".
	Ename, Evalue string
	Traceback     []string
	// TimedOut reports that the cell ran past its time limit.
	TimedOut bool
}

// Error returns a one-line description.
func (e *CellError) Error() string {
	if e.Evalue == "" {
		return fmt.Sprintf("cell %d: %s", e.Cell, e.Ename)
	}
	return fmt.Sprintf("cell %d: %s: %s", e.Cell, e.Ename, e.Evalue)
}

// RunFile executes the notebook at path and writes the result to out, or
// back to path when out is empty. The notebook is written when every cell
// ran and when a cell error stopped the run (so the error can be read in
// it); it is not written when ctx ends first or the kernel fails. The
// error is a *CellError when a cell stopped the run.
func RunFile(ctx context.Context, path, out string, opts Options) (Result, error) {
	nb, err := ReadNotebook(path)
	if err != nil {
		return Result{}, err
	}
	res, err := Run(ctx, nb, opts)
	var cellErr *CellError
	if err != nil && !errors.As(err, &cellErr) {
		return res, err
	}
	if out == "" {
		out = path
	}
	if werr := nb.WriteFile(out); werr != nil {
		return res, errors.Join(err, werr)
	}
	return res, err
}

// Run executes nb's code cells in order in a new kernel and records their
// outputs in nb, which it also upgrades to nbformat 4.5 and labels with the
// gosys kernelspec and the kernel's language_info. Empty cells and cells
// tagged "skip-execution" are not run. When ctx ends, the running cell is
// interrupted and Run returns ctx's error. The kernel is always shut down
// before Run returns.
func Run(ctx context.Context, nb *Notebook, opts Options) (res Result, err error) {
	argv := opts.Kernel
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return res, fmt.Errorf("find the gosys binary: %w", err)
		}
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		argv = []string{exe, "kernel"}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	startup := opts.StartupTimeout
	if startup <= 0 {
		startup = 60 * time.Second
	}
	logf := func(format string, args ...any) {
		if opts.KernelStderr != nil {
			fmt.Fprintf(opts.KernelStderr, "gosys run: "+format+"\n", args...)
		}
	}

	nb.upgrade()
	begin := time.Now()
	s, err := startSession(ctx, argv, opts.KernelStderr, startup, logf)
	if err != nil {
		return res, err
	}
	defer func() {
		clean, serr := s.shutdown(5 * time.Second)
		res.CleanShutdown = clean
		res.Duration = time.Since(begin)
		if serr != nil && err == nil && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "warning: %v\n", serr)
		}
	}()
	label(nb, s.kernelInfo)

	e := &executor{s: s, nb: nb, out: newOutputs(nb), timing: !opts.NoTiming}
	var todo []int
	for i := range nb.cells {
		if runnable(nb.cells[i]) {
			todo = append(todo, i)
		}
	}
	prog := newProgress(opts.Progress, len(todo))
	for n, i := range todo {
		if ctx.Err() != nil {
			return res, fmt.Errorf("interrupted: %w", context.Cause(ctx))
		}
		prog.start(n+1, i+1)
		run, err := e.execute(ctx, i, timeout)
		res.Executed++
		if err != nil {
			status := "failed"
			if ctx.Err() != nil {
				status = "interrupted"
			}
			prog.done(n+1, i+1, status, run.duration)
			return res, fmt.Errorf("cell %d: %w", i+1, err)
		}
		if run.err == nil {
			prog.done(n+1, i+1, "ok", run.duration)
			continue
		}
		run.err.Cell = i + 1
		status := "error"
		if run.err.TimedOut {
			status = "timeout"
		}
		prog.done(n+1, i+1, status, run.duration)
		prog.cellError(run.err)
		if !opts.AllowErrors && !hasTag(nb.cells[i], "raises-exception") {
			return res, run.err
		}
		res.Errors = append(res.Errors, run.err)
	}
	return res, nil
}

// runnable reports whether cell is a code cell to execute: not empty, not
// tagged skip-execution (nbclient's rules).
func runnable(cell map[string]any) bool {
	return cell["cell_type"] == "code" && strings.TrimSpace(cellSource(cell)) != "" && !hasTag(cell, "skip-execution")
}

func hasTag(cell map[string]any, tag string) bool {
	for _, t := range cellTags(cell) {
		if t == tag {
			return true
		}
	}
	return false
}

// label records the kernel in the notebook's metadata: language_info from
// kernel_info_reply, and a kernelspec naming gosys. A kernelspec that
// already names a gosys install (its name starts with "gosys" or its
// display name with "Go (systems)", as `gosys install --name` makes them)
// keeps its name.
func label(nb *Notebook, kernelInfo map[string]any) {
	meta := nb.Metadata()
	if li, ok := kernelInfo["language_info"].(map[string]any); ok {
		meta["language_info"] = li
	}
	ks, _ := meta["kernelspec"].(map[string]any)
	name, _ := ks["name"].(string)
	display, _ := ks["display_name"].(string)
	if !strings.HasPrefix(name, "gosys") && !strings.HasPrefix(display, "Go (systems)") {
		ks = map[string]any{"name": "gosys", "display_name": "Go (systems)"}
	}
	ks["language"] = "go"
	meta["kernelspec"] = ks
}
