package kernel

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The environment variables that set the limits of a session; the
// kernelspec's "env" is the place for them (the command line's flags of
// `gosys kernel` win).
const (
	EnvMaxChildren    = "GOSYS_MAX_CHILDREN"    // a number; default 256
	EnvMemoryLimit    = "GOSYS_MEMORY_LIMIT"    // bytes, with K, M, G suffixes; 0 for none; default half the machine's memory
	EnvMaxOutput      = "GOSYS_MAX_OUTPUT"      // bytes per cell, with suffixes; 0 for none; default 100M
	EnvInterruptGrace = "GOSYS_INTERRUPT_GRACE" // a Go duration; default 2s
	EnvWarmChildren   = "GOSYS_WARM_CHILDREN"   // a number, 0 to 64; default 3
)

// maxWarmChildren bounds EnvWarmChildren: each idle one costs memory.
const maxWarmChildren = 64

// DefaultLimits returns the limits a session has unless told otherwise.
func DefaultLimits() Limits {
	l := Limits{MaxChildren: 256, MaxOutput: 100 << 20, InterruptGrace: 2 * time.Second, WarmChildren: 3}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err == nil {
		l.Memory = int64(si.Totalram) * int64(si.Unit) / 2
	}
	return l
}

// LimitsFromEnv returns the default limits with the environment's
// settings applied.
func LimitsFromEnv() (Limits, error) {
	return limitsFrom(os.LookupEnv)
}

// LimitNames are the environment variables of the session's limits.
var LimitNames = []string{EnvMaxChildren, EnvMemoryLimit, EnvMaxOutput, EnvInterruptGrace, EnvWarmChildren}

// CheckEnv checks the limits' settings in env (a kernelspec's "env", say)
// as the kernel will read them: a value it would refuse is an error.
func CheckEnv(env map[string]string) error {
	_, err := limitsFrom(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	return err
}

func limitsFrom(lookup func(string) (string, bool)) (Limits, error) {
	l := DefaultLimits()
	if v, ok := lookup(EnvMaxChildren); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return l, fmt.Errorf("%s=%q: want a number of processes, at least 1", EnvMaxChildren, v)
		}
		l.MaxChildren = n
	}
	if v, ok := lookup(EnvWarmChildren); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxWarmChildren {
			return l, fmt.Errorf("%s=%q: want a number of processes from 0 to %d", EnvWarmChildren, v, maxWarmChildren)
		}
		l.WarmChildren = n
	}
	for _, x := range []struct {
		env string
		dst *int64
	}{{EnvMemoryLimit, &l.Memory}, {EnvMaxOutput, &l.MaxOutput}} {
		if v, ok := lookup(x.env); ok {
			n, err := ParseBytes(v)
			if err != nil {
				return l, fmt.Errorf("%s: %w", x.env, err)
			}
			*x.dst = n
		}
	}
	if v, ok := lookup(EnvInterruptGrace); ok {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return l, fmt.Errorf("%s=%q: want a duration such as 2s", EnvInterruptGrace, v)
		}
		l.InterruptGrace = d
	}
	return l, nil
}

// ParseBytes reads a size: a number of bytes with an optional K, M, G or T
// suffix (powers of 1024; "B", "iB" and lower case accepted), "0" for no
// limit.
func ParseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || n < 0 || n*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("%q: want a size such as 512M or 2G", s)
	}
	return int64(n * float64(mult)), nil
}
