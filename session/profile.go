package session

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
)

// EnvCPUProfile, when set, names a file the session process writes a CPU
// profile to, from its start to its shutdown ("PATH.PID" for each session
// process): for measuring gosys itself (bench/README.md).
const EnvCPUProfile = "GOSYS_SESSION_CPUPROFILE"

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
