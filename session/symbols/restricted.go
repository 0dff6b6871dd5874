package symbols

// Restricted replacements for std symbols that would stop or escape the
// kernel process. The extractor (github.com/traefik/yaegi/extract) maps
// os.Exit, os.FindProcess, log.Fatal*, log.New and log.Logger to the
// unexported package-level names osExit, osFindProcess, logFatal, ... of
// the destination package, so these names must exist here. Behaviour
// matches yaegi's own stdlib: exiting becomes a panic the kernel can
// recover from.

import (
	"gosys/rt/cellctl"
	"os"

	"fmt"
	"io"
	"log"
)

// osExit replaces os.Exit: in the session process it panics instead of
// ending it (the cell ends with an error); in a forked child it exits.
func osExit(code int) {
	if cellctl.IsChild() {
		os.Exit(code)
	}
	panic(fmt.Sprintf("os.Exit(%d)", code))
}

// logFatal, logFatalf and logFatalln replace log.Fatal*: they panic
// (log.Panic*) instead of exiting.
func logFatal(v ...any)            { log.Panic(v...) }
func logFatalf(f string, v ...any) { log.Panicf(f, v...) }
func logFatalln(v ...any)          { log.Panicln(v...) }

// logLogger is what interpreted code sees as log.Logger: a *log.Logger
// whose Fatal methods panic instead of exiting.
type logLogger struct{ l *log.Logger }

// logNew replaces log.New.
func logNew(out io.Writer, prefix string, flag int) *logLogger {
	return &logLogger{l: log.New(out, prefix, flag)}
}

func (w *logLogger) Fatal(v ...any)                   { w.l.Panic(v...) }
func (w *logLogger) Fatalf(f string, v ...any)        { w.l.Panicf(f, v...) }
func (w *logLogger) Fatalln(v ...any)                 { w.l.Panicln(v...) }
func (w *logLogger) Flags() int                       { return w.l.Flags() }
func (w *logLogger) Output(depth int, s string) error { return w.l.Output(depth+1, s) }
func (w *logLogger) Panic(v ...any)                   { w.l.Panic(v...) }
func (w *logLogger) Panicf(f string, v ...any)        { w.l.Panicf(f, v...) }
func (w *logLogger) Panicln(v ...any)                 { w.l.Panicln(v...) }
func (w *logLogger) Prefix() string                   { return w.l.Prefix() }
func (w *logLogger) Print(v ...any)                   { w.l.Print(v...) }
func (w *logLogger) Printf(f string, v ...any)        { w.l.Printf(f, v...) }
func (w *logLogger) Println(v ...any)                 { w.l.Println(v...) }
func (w *logLogger) SetFlags(flag int)                { w.l.SetFlags(flag) }
func (w *logLogger) SetOutput(out io.Writer)          { w.l.SetOutput(out) }
func (w *logLogger) SetPrefix(prefix string)          { w.l.SetPrefix(prefix) }
func (w *logLogger) Writer() io.Writer                { return w.l.Writer() }
