// Command exitcost measures what a forked child's end costs the parent
// when the child is a Go program: from the child's last instruction before
// exit to the parent's wait4 returning, for children that touched 0 to 64
// MB. It is the floor under rt.Fork's fork+exit+wait (a gosys child is a Go
// process), printed by bench/runtime_bench.py beside C's whole fork+exit+wait.
//
//	go run ./bench/exitcost [ROUNDS]
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		child(os.Args[2])
		return
	}
	rounds := 20
	if len(os.Args) > 1 {
		if n, err := strconv.Atoi(os.Args[1]); err == nil && n > 0 {
			rounds = n
		}
	}
	for _, mb := range []int{0, 32} {
		ms, err := measure(mb, rounds)
		if err != nil {
			fmt.Fprintln(os.Stderr, "exitcost:", err)
			os.Exit(1)
		}
		fmt.Printf("go_exit_%dmb_ms %.4f\n", mb, ms)
	}
}

// child touches mb megabytes, prints the time and exits at once.
func child(arg string) {
	mb, _ := strconv.Atoi(arg)
	b := make([]byte, mb<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	fmt.Println(time.Now().UnixNano())
	os.Exit(0)
}

// measure returns the median, in ms, of rounds child exits.
func measure(mb, rounds int) (float64, error) {
	var ms []float64
	for range rounds {
		cmd := exec.Command(os.Args[0], "child", strconv.Itoa(mb))
		out, err := cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		if err := cmd.Start(); err != nil {
			return 0, fmt.Errorf("start child: %w", err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			return 0, fmt.Errorf("read child: %w", err)
		}
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(cmd.Process.Pid, &ws, 0, nil); err != nil {
			return 0, fmt.Errorf("wait: %w", err)
		}
		now := time.Now().UnixNano()
		exited, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("child said %q", line)
		}
		ms = append(ms, float64(now-exited)/1e6)
	}
	sort.Float64s(ms)
	return ms[len(ms)/2], nil
}
