package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gosys/kernel/runner"
)

const runUsage = `usage: gosys run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors] [--timeout SECONDS]

Executes the notebook's code cells in order in a fresh gosys kernel and
writes the executed notebook to a new file, as "jupyter nbconvert --execute"
does: NOTEBOOK.out.ipynb, or OUT.ipynb with -o. --inplace writes it back
over NOTEBOOK.ipynb instead. The first failing cell stops the run with exit
status 1; the notebook, with that cell's error, is still written. With
--allow-errors every cell runs, errors are kept as outputs and the exit
status is 0. A cell running longer than --timeout is interrupted and counts
as failed. Ctrl-C interrupts the running cell and exits without writing.

`

// runNotebook implements `gosys run`.
func runNotebook(args []string) error {
	fs := newFlags("run", runUsage)
	out := fs.String("o", "", "write the executed notebook to `OUT.ipynb` (default NOTEBOOK.out.ipynb)")
	inplace := fs.Bool("inplace", false, "write the executed notebook over NOTEBOOK.ipynb")
	allowErrors := fs.Bool("allow-errors", false, "keep running after a cell fails; exit 0")
	timeout := fs.Float64("timeout", runner.DefaultTimeout.Seconds(), "per-cell time limit in `SECONDS` (0: none)")
	kernelLog := fs.String("kernel-log", "", "append the kernel's own log to `FILE`")
	noTiming := fs.Bool("no-timing", false, "do not record execution timestamps in cell metadata")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"run", fmt.Errorf("want one notebook, got %d arguments", len(pos))}
	}
	if *inplace && *out != "" {
		return &usageError{"run", errors.New("-o and --inplace: choose one")}
	}
	dest := *out
	switch {
	case *inplace:
		dest = pos[0]
	case dest == "":
		dest = strings.TrimSuffix(pos[0], ".ipynb") + ".out.ipynb"
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("run: find this binary: %w", err)
	}
	opts := runner.Options{
		AllowErrors: *allowErrors,
		Timeout:     time.Duration(*timeout * float64(time.Second)),
		Kernel:      []string{exe, "kernel"},
		Progress:    os.Stderr,
		NoTiming:    *noTiming,
	}
	if *timeout <= 0 {
		opts.Timeout = -1
	}
	if *kernelLog != "" {
		f, err := os.OpenFile(*kernelLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer f.Close()
		opts.KernelStderr = f
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.RunFile(ctx, pos[0], dest, opts)
	var cellErr *runner.CellError
	switch {
	case err == nil:
		fmt.Fprintf(os.Stderr, "ran %d cells in %s (%d errors); wrote %s\n",
			res.Executed, res.Duration.Round(time.Millisecond), len(res.Errors), dest)
	case errors.As(err, &cellErr):
		fmt.Fprintf(os.Stderr, "stopped at cell %d; wrote %s\n", cellErr.Cell, dest)
	}
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flags, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
