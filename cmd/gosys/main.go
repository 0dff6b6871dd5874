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
	"gosys/kernel/fork"
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
		os.Exit(kernel.RunForkChild())
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
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	conn := fs.String("f", "", "connection file")
	logFile := fs.String("log", "", "write the kernel's log to this file instead of stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conn == "" {
		return fmt.Errorf("kernel: -f CONNECTION_FILE is required")
	}
	return kernel.Serve(kernel.Options{ConnectionFile: *conn, LogFile: *logFile})
}
