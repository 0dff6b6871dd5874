package session

import (
	"runtime"

	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
)

// EnvCPUProfile, when set, names a file the session process writes a CPU
// profile to, from its start to its shutdown ("PATH.PID" for each session
// process): for measuring gosys itself (bench/README.md).
const EnvCPUProfile = "GOSYS_SESSION_CPUPROFILE"

// EnvHeapProfile, when set, names a file the session process writes a
// heap profile to at its shutdown ("PATH.PID"), after a collection.
const EnvHeapProfile = "GOSYS_SESSION_HEAPPROFILE"

// writeHeapProfile writes the heap profile named by EnvHeapProfile, if
// set.
func writeHeapProfile() {
	path := os.Getenv(EnvHeapProfile)
	if path == "" {
		return
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	_ = pprof.WriteHeapProfile(f)
}

// startProfile starts a CPU profile into path.PID and returns what ends it.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
