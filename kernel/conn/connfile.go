// Package conn reads the connection file Jupyter hands a kernel, binds the
// five ZeroMQ sockets it names and moves frames in and out of them. It knows
// nothing of message content.
package conn

import (
	"encoding/json"
	"fmt"
	"gosys/kernel/wire"
	"net"
	"os"
	"strconv"
	"strings"
)

// Info is the content of a Jupyter connection file.
type Info struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name"`
}

// ReadInfo reads and validates the connection file at path.
func ReadInfo(path string) (Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Info{}, fmt.Errorf("read connection file: %w", err)
	}
	info, err := ParseInfo(b)
	if err != nil {
		return Info{}, fmt.Errorf("connection file %s: %w", path, err)
	}
	return info, nil
}

// ParseInfo parses a connection file's JSON and checks that the transport,
// signature scheme and ports make sense. Missing transport means tcp and a
// missing ip means 127.0.0.1, as in jupyter_client.
func ParseInfo(b []byte) (Info, error) {
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return Info{}, fmt.Errorf("parse: %w", err)
	}
	if info.Transport == "" {
		info.Transport = "tcp"
	}
	if info.IP == "" {
		info.IP = "127.0.0.1"
	}
	if info.Transport != "tcp" && info.Transport != "ipc" {
		return Info{}, fmt.Errorf("transport %q: want tcp or ipc", info.Transport)
	}
	if info.SignatureScheme == "" {
		info.SignatureScheme = "hmac-sha256"
	}
	if _, ok := wire.Schemes[info.SignatureScheme]; !ok {
		if _, err := wire.NewSignerScheme(info.SignatureScheme, nil); err != nil {
			return Info{}, fmt.Errorf("signature_scheme: %w", err)
		}
	}
	for name, p := range map[string]int{"shell_port": info.ShellPort, "iopub_port": info.IOPubPort,
		"stdin_port": info.StdinPort, "control_port": info.ControlPort, "hb_port": info.HBPort} {
		// Port 0 is legal for tcp (the kernel picks one) but then the client
		// could not find it, so it must be set; ipc uses the number as a suffix.
		if p <= 0 || p > 65535 {
			return Info{}, fmt.Errorf("%s %d: out of range 1-65535", name, p)
		}
	}
	return info, nil
}

// Endpoint returns the ZeroMQ endpoint for port under the file's transport:
// tcp://IP:PORT (an IPv6 address in brackets, "*" for every interface), or
// ipc://IP-PORT as jupyter_client names ipc sockets.
func (i Info) Endpoint(port int) string {
	if i.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", i.IP, port)
	}
	host := strings.Trim(i.IP, "[]")
	if host == "*" {
		host = "0.0.0.0"
	}
	return "tcp://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// Warnings says what in the connection file is allowed but risky: no key
// (any local process can run code as this user) and every interface (any
// host on the network can connect).
func (i Info) Warnings() []string {
	var w []string
	if i.Key == "" {
		w = append(w, "the connection file has no key: messages are not signed, and any process that can reach the ports can run code as this user")
	}
	if i.Transport == "tcp" {
		switch strings.Trim(i.IP, "[]") {
		case "*", "0.0.0.0", "::", "":
			w = append(w, fmt.Sprintf("ip %q: the kernel listens on every network interface, reachable from other hosts", i.IP))
		}
	}
	return w
}
