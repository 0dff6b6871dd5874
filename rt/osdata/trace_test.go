package osdata_test

import (
	"syscall"
	"testing"
	"time"

	"gosys/rt/osdata"
)

// TestTraceEventAt checks the order of a trace: calls that send count
// from when they began, the others from when they returned.
func TestTraceEventAt(t *testing.T) {
	start, end := time.Unix(10, 0), time.Unix(11, 0)
	for call, want := range map[string]time.Time{"write": start, "close": start, "connect": start, "fork": start,
		"exit": start, "read": end, "accept": end, "wait": end, "pipe": end} {
		if got := (osdata.TraceEvent{Call: call, Start: start, End: end}).At(); !got.Equal(want) {
			t.Errorf("%s: At() = %v; want %v", call, got, want)
		}
	}
}

func TestStatusText(t *testing.T) {
	for ws, want := range map[syscall.WaitStatus]string{
		3 << 8:                  "exited 3",
		syscall.WaitStatus(13):  "killed by SIGPIPE",
		syscall.WaitStatus(139): "killed by SIGSEGV (core dumped)",
		0x137f:                  "stopped by SIGSTOP",
		0xffff:                  "continued",
	} {
		if got := osdata.StatusText(ws); got != want {
			t.Errorf("StatusText(%#x) = %q; want %q", uint32(ws), got, want)
		}
	}
}
