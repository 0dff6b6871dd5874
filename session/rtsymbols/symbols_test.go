package rtsymbols_test

import (
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"gosys/rt"
	"gosys/rt/osdata"
	"gosys/rt/view"
	"gosys/session/rtsymbols"
	"gosys/session/symbols"
)

// newCellInterp returns an interpreter set up as the session sets up its
// own (session/options.go): the standard library, these tables, and
// gosys/rt imported.
func newCellInterp(t *testing.T) *interp.Interpreter {
	t.Helper()
	i := interp.New(interp.Options{})
	if err := symbols.Standard([]interp.Exports{rtsymbols.Symbols}, `import "gosys/rt"`).Setup(i); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	return i
}

// TestCellImportsView checks that a cell may import the views' renderers
// and their data types, and that rt's names for the data are the same
// types: rt.FDInfo values go to view.FDsText as they are.
func TestCellImportsView(t *testing.T) {
	i := newCellInterp(t)
	for _, src := range []string{`import "gosys/rt/view"`, `import "gosys/rt/osdata"`} {
		if _, err := i.Eval(src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	fds := []rt.FDInfo{{FD: 3, Target: "pipe:[7]", Access: "r", Kind: rt.FDPipe, Inode: 7, Buffered: 2}}
	for src, want := range map[string]string{
		`view.FDsText(42, []rt.FDInfo{{FD: 3, Target: "pipe:[7]", Access: "r", Kind: rt.FDPipe, Inode: 7, Buffered: 2}})`:         view.FDsText(42, fds),
		`view.FDsText(42, []osdata.FDInfo{{FD: 3, Target: "pipe:[7]", Access: "r", Kind: osdata.FDPipe, Inode: 7, Buffered: 2}})`: view.FDsText(42, fds),
		`view.TraceLabel(rt.TraceEvent{Call: "read", FD: 3, Ret: 0, Err: "EOF"})`:                                                 "read(3) = 0 EOF",
		`rt.TraceLabel(osdata.TraceEvent{Call: "close", FD: 4})`:                                                                  "close(4)",
		`view.BarChartText("t", []string{"a"}, []float64{1}, "s")`:                                                                rt.BarChartText("t", []string{"a"}, []float64{1}, "s"),
		`osdata.StatusText(3 << 8)`: osdata.StatusText(3 << 8),
	} {
		v, err := i.Eval(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got, ok := v.Interface().(string); !ok || got != want {
			t.Errorf("%s = %q; want %q", src, v.Interface(), want)
		}
	}
	if !strings.Contains(view.FDsText(42, fds), "pipe 7, read end, 2 bytes buffered") {
		t.Errorf("FDsText lacks the pipe:\n%s", view.FDsText(42, fds))
	}
}

// TestRenderersInBothTables checks that the renderers
// rt/CONTRACT-ADDITIONS.md documents are still rt's, and that every
// renderer is view's.
func TestRenderersInBothTables(t *testing.T) {
	rtSyms, viewSyms := rtsymbols.Symbols["gosys/rt/rt"], rtsymbols.Symbols["gosys/rt/view/view"]
	for _, name := range []string{"TraceText", "TraceHTML", "TraceSVG", "TraceLabel", "BarChartSVG", "BarChartText",
		"LineChartSVG", "LineChartText"} {
		if _, ok := rtSyms[name]; !ok {
			t.Errorf("rt.%s, in the contract additions, is missing from rt's table", name)
		}
	}
	for _, name := range []string{"FDsHTML", "FDsText", "SocketsHTML", "SocketsText", "ProcsHTML", "ProcsText",
		"FDsOfSVG", "FDsOfText", "LanesHTML", "LanesText", "SVGImageHTML", "TraceText", "TraceHTML", "TraceSVG",
		"TraceLabel", "BarChartSVG", "BarChartText", "LineChartSVG", "LineChartText"} {
		if _, ok := viewSyms[name]; !ok {
			t.Errorf("view.%s is missing from view's table", name)
		}
	}
}
