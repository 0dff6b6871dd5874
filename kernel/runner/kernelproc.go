package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gosys/kernel/conn"
	"gosys/kernel/wire"
)

// kernelProcess is a kernel started as a child process for one run, with
// its connection file in a private temporary directory.
type kernelProcess struct {
	cmd  *exec.Cmd
	dir  string
	info conn.Info
	// logPath is where the kernel's stderr goes when the caller gave no
	// writer for it; its tail explains a kernel that failed.
	logPath string
	// exited is closed when the process has been waited for; waitErr is
	// then its exit error.
	exited  chan struct{}
	waitErr error
}

// startKernel writes a connection file (tcp on 127.0.0.1, free ports, a
// random key, hmac-sha256) and starts argv + ["-f", FILE] in its own process
// group. stderr receives the kernel's standard error and output; nil means a
// log file in the temporary directory.
func startKernel(argv []string, stderr io.Writer) (*kernelProcess, error) {
	if len(argv) == 0 {
		return nil, errors.New("start kernel: empty command")
	}
	dir, err := os.MkdirTemp("", "gosys-run-")
	if err != nil {
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	k := &kernelProcess{dir: dir, exited: make(chan struct{})}
	fail := func(err error) (*kernelProcess, error) {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	ports, err := freePorts(5)
	if err != nil {
		return fail(err)
	}
	k.info = conn.Info{
		Transport: "tcp", IP: "127.0.0.1", SignatureScheme: "hmac-sha256", Key: wire.NewID(),
		ShellPort: ports[0], IOPubPort: ports[1], StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4],
		KernelName: "gosys",
	}
	b, err := json.MarshalIndent(k.info, "", "  ")
	if err != nil {
		return fail(err)
	}
	file := filepath.Join(dir, "kernel-"+wire.NewID()[:12]+".json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		return fail(err)
	}

	cmd := exec.Command(argv[0], append(argv[1:len(argv):len(argv)], "-f", file)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if stderr == nil {
		k.logPath = filepath.Join(dir, "kernel.log")
		f, err := os.OpenFile(k.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fail(err)
		}
		defer f.Close() // the child has its own copy
		stderr = f
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	// A writer that is not a file is fed through a pipe that a forked
	// grandchild may keep open: do not wait for it forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	k.cmd = cmd
	go func() {
		k.waitErr = cmd.Wait()
		close(k.exited)
	}()
	return k, nil
}

// freePorts returns n distinct free TCP ports on 127.0.0.1, held open
// together while chosen so that they differ.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// exitStatus describes how the process ended; call it after exited closed.
func (k *kernelProcess) exitStatus() string {
	if k.waitErr == nil {
		return "exited with status 0"
	}
	return k.waitErr.Error()
}

// logTail returns the last lines of the kernel's log file, or "".
func (k *kernelProcess) logTail() string {
	if k.logPath == "" {
		return ""
	}
	b, err := os.ReadFile(k.logPath)
	if err != nil {
		return ""
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return strings.TrimSpace(string(b))
}

// died returns an error for a kernel that ended unexpectedly, with the tail
// of its log.
func (k *kernelProcess) died() error {
	msg := "kernel died (" + k.exitStatus() + ")"
	if tail := k.logTail(); tail != "" {
		msg += "; its last words:\n" + tail
	}
	return errors.New(msg)
}

// waitExit waits up to d for the process to end.
func (k *kernelProcess) waitExit(d time.Duration) bool {
	select {
	case <-k.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// terminate ends a kernel that did not leave on request: SIGTERM to its
// process group, then SIGKILL after grace. It reports the signal that ended
// it, "" if it had already exited.
func (k *kernelProcess) terminate(grace time.Duration) string {
	pgid := k.cmd.Process.Pid // Setpgid made the kernel its group's leader
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		select {
		case <-k.exited:
			return ""
		default:
		}
		_ = syscall.Kill(-pgid, sig)
		if k.waitExit(grace) {
			return sig.String()
		}
	}
	return syscall.SIGKILL.String()
}

// cleanup removes the temporary directory with the connection file.
func (k *kernelProcess) cleanup() error {
	if err := os.RemoveAll(k.dir); err != nil {
		return fmt.Errorf("remove %s: %w", k.dir, err)
	}
	return nil
}
