package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// usageError is a command-line mistake: main prints it once, with a hint
// to the command's help, and exits with status 2.
type usageError struct {
	cmd string
	err error
}

func (e *usageError) Error() string { return e.err.Error() }

// errHelp means the help was asked for and printed: exit 0.
var errHelp = errors.New("help printed")

// flags is a subcommand's flag set with its usage text.
type flags struct {
	*flag.FlagSet
	usage string
}

// newFlags returns a flag set for subcommand cmd whose help is usage
// followed by the flags' defaults. Parse errors are not printed by the
// flag package: parse returns them once, as a usageError.
func newFlags(cmd, usage string) *flags {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on errors too: see parse
	return &flags{fs, usage}
}

// printUsage writes the usage and flags to stdout.
func (f *flags) printUsage() {
	fmt.Fprint(os.Stdout, f.usage)
	f.SetOutput(os.Stdout)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// parse parses args: -h or --help prints the usage and returns errHelp; a
// bad flag returns a usageError.
func (f *flags) parse(args []string) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.printUsage()
		return errHelp
	case err != nil:
		return &usageError{cmd: f.Name(), err: err}
	}
	return nil
}

// exitFor prints err (if any) and returns the process's exit status.
func exitFor(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "gosys %s: %v\n(see gosys %s --help)\n", ue.cmd, ue.err, ue.cmd)
		return 2
	default:
		fmt.Fprintln(os.Stderr, "gosys:", err)
		return 1
	}
}
