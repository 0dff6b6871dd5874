package eval

import (
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"
)

// cpuTimes returns the process's user and system CPU time so far.
func cpuTimes() [2]time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return [2]time.Duration{}
	}
	return [2]time.Duration{
		time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()),
	}
}

// reportTime prints what %time and %%time print, as IPython does.
func reportTime(w io.Writer, start time.Time, cpu0 [2]time.Duration) {
	wall := time.Since(start)
	cpu := cpuTimes()
	user, sys := cpu[0]-cpu0[0], cpu[1]-cpu0[1]
	fmt.Fprintf(w, "CPU times: user %v, sys %v, total %v\nWall time: %v\n",
		round(user), round(sys), round(user+sys), round(wall))
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d
}
