// Go's runtime would keep two cgroup files open for its GOMAXPROCS updates
// (runtime/cgroup_linux.go), at descriptors 3 and 4 of every process: in a
// session or a forked child those numbers are the learner's.
//go:debug containermaxprocs=0

// Command gosys is a Jupyter kernel for Go with real processes, pipes and
// sockets in cells.
//
//	gosys kernel -f CONNECTION_FILE     serve a kernel (what the kernelspec runs)
//	gosys install [--user|--sys-prefix|--prefix DIR] [--name NAME]
//	gosys run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors]
//	gosys version
package main

import (
	"flag"
	"fmt"
	"os"

	"gosys/kernel"
	"gosys/session"
	"gosys/session/fork"
)

func main() {
	if len(os.Args) < 2 {
		usage()
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
	case "help", "-h", "--help":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "gosys: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosys:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  gosys kernel -f CONNECTION_FILE [--log FILE]
  gosys install [--user | --sys-prefix | --prefix DIR] [--name NAME]
  gosys run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors] [--timeout SECONDS]
  gosys version
`)
}

func runKernel(args []string) error {
	limits, err := kernel.LimitsFromEnv()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	conn := fs.String("f", "", "connection file")
	logFile := fs.String("log", "", "write the kernel's log to this file instead of stderr")
	fs.IntVar(&limits.MaxChildren, "max-children", limits.MaxChildren, "processes rt.Fork may have started and not reaped at once ("+kernel.EnvMaxChildren+")")
	memory := fs.String("memory-limit", "", "memory of the session and its processes, e.g. 2G; 0 for none ("+kernel.EnvMemoryLimit+")")
	output := fs.String("max-output", "", "bytes of output one cell may publish, e.g. 100M; 0 for none ("+kernel.EnvMaxOutput+")")
	fs.DurationVar(&limits.InterruptGrace, "interrupt-grace", limits.InterruptGrace, "how long an interrupted cell may take to stop before the session restarts ("+kernel.EnvInterruptGrace+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conn == "" {
		return fmt.Errorf("kernel: -f CONNECTION_FILE is required")
	}
	for _, x := range []struct {
		flag string
		dst  *int64
	}{{*memory, &limits.Memory}, {*output, &limits.MaxOutput}} {
		if x.flag != "" {
			n, err := kernel.ParseBytes(x.flag)
			if err != nil {
				return err
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
