// Go's runtime would keep two cgroup files open for its GOMAXPROCS updates
// (runtime/cgroup_linux.go), at descriptors 3 and 4 of every process: in a
// session or a forked child those numbers are the learner's.
//go:debug containermaxprocs=0

// Command gosys is a Jupyter kernel for Go with real processes, pipes and
// sockets in cells.
//
//	gosys kernel -f CONNECTION_FILE     serve a kernel (what the kernelspec runs)
//	gosys install [--user|--sys-prefix|--prefix DIR] [--name NAME]
//	gosys run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors]
//	gosys version
//	gosys native-warm
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"gosys/kernel"
	"gosys/session"
	"gosys/session/fork"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usageText)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "kernel":
		err = runKernel(args)
	case fork.ChildArg:
		os.Exit(session.RunForkChild())
	case "session":
		os.Exit(runSession(args))
	case "install":
		err = runInstall(args)
	case "run":
		err = runNotebook(args)
	case "version", "--version", "-v":
		fmt.Println("gosys", kernel.Version)
	case "native-warm":
		err = runNativeWarm(args)
	case "help", "-h", "--help":
		fmt.Print(usageText)
	default:
		fmt.Fprintf(os.Stderr, "gosys: unknown command %q\n\n%s", cmd, usageText)
		os.Exit(2)
	}
	os.Exit(exitFor(err))
}

const usageText = `gosys: a Jupyter kernel for Go, with real fork, pipes and sockets in cells.

usage:
  gosys run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors] [--timeout SECONDS]
                       execute a notebook without Python or Jupyter
  gosys install [--user | --sys-prefix | --prefix DIR] [--name NAME]
                       register the kernel with Jupyter
  gosys kernel -f CONNECTION_FILE [limits...]
                       serve a kernel (what Jupyter runs)
  gosys version        print the version
  gosys native-warm [--seed DIR]
                       compile what native cells (%%native) share with gosys into
                       this user's Go build cache (go run ./install does it)

"gosys COMMAND --help" tells more about a command.
`

const kernelUsage = `usage: gosys kernel -f CONNECTION_FILE [--log FILE] [limits...]

Serves one Jupyter kernel on the sockets the connection file names; Jupyter
runs this through the kernelspec ("gosys install"). Cells run in a session
process the kernel starts and restarts. The limits of that session can
also be set with environment variables, e.g. in the kernelspec's "env":
GOSYS_MAX_CHILDREN, GOSYS_MEMORY_LIMIT, GOSYS_MAX_OUTPUT,
GOSYS_INTERRUPT_GRACE, GOSYS_WARM_CHILDREN; a flag wins over its variable.

`

func runKernel(args []string) error {
	limits, err := kernel.LimitsFromEnv()
	if err != nil {
		return err
	}
	fs := newFlags("kernel", kernelUsage)
	conn := fs.String("f", "", "the connection `FILE` Jupyter wrote (required)")
	logFile := fs.String("log", "", "write the kernel's log to `FILE` instead of stderr")
	fs.IntVar(&limits.MaxChildren, "max-children", limits.MaxChildren, "processes rt.Fork may have started and not reaped at once ("+kernel.EnvMaxChildren+")")
	memory := fs.String("memory-limit", "", "memory of the session and its processes, e.g. 2G; 0 for none ("+kernel.EnvMemoryLimit+"; default half the machine's)")
	output := fs.String("max-output", "", "bytes of output one cell may publish, e.g. 100M; 0 for none ("+kernel.EnvMaxOutput+"; default 100M)")
	fs.DurationVar(&limits.InterruptGrace, "interrupt-grace", limits.InterruptGrace, "how long an interrupted cell may take to stop before the session restarts ("+kernel.EnvInterruptGrace+")")
	fs.IntVar(&limits.WarmChildren, "warm-children", limits.WarmChildren, "forked children kept ready for rt.Fork, about 25 MB each; 0 for none ("+kernel.EnvWarmChildren+")")
	if err := fs.parse(args); err != nil {
		return err
	}
	if limits.WarmChildren < 0 || limits.WarmChildren > 64 {
		return fmt.Errorf("--warm-children %d: want 0 to 64", limits.WarmChildren)
	}
	if *conn == "" {
		return &usageError{"kernel", errors.New("-f CONNECTION_FILE is required")}
	}
	if fs.NArg() > 0 {
		return &usageError{"kernel", fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	for _, x := range []struct {
		flag string
		dst  *int64
	}{{*memory, &limits.Memory}, {*output, &limits.MaxOutput}} {
		if x.flag != "" {
			n, err := kernel.ParseBytes(x.flag)
			if err != nil {
				return &usageError{"kernel", err}
			}
			*x.dst = n
		}
	}
	return kernel.Serve(kernel.Options{ConnectionFile: *conn, LogFile: *logFile, Limits: limits})
}

// runSession is the session process the kernel starts; it is not for
// people to run.
func runSession(args []string) int {
	fs := flag.NewFlagSet("session", flag.ContinueOnError)
	var cfg session.Config
	fs.IntVar(&cfg.MaxChildren, "max-children", 0, "")
	fs.Int64Var(&cfg.MemoryLimit, "memory-limit", 0, "")
	fs.IntVar(&cfg.WarmChildren, "warm-children", 0, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return session.Serve(cfg)
}
