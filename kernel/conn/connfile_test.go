package conn_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gosys/kernel/conn"
)

const ports = `"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005`

func TestParseInfo(t *testing.T) {
	cases := []struct {
		name   string
		json   string
		want   conn.Info // checked when errHas is ""
		errHas string
	}{
		{
			name: "defaults",
			json: `{` + ports + `, "key": "k"}`,
			want: conn.Info{Transport: "tcp", IP: "127.0.0.1", ShellPort: 5001, IOPubPort: 5002, StdinPort: 5003,
				ControlPort: 5004, HBPort: 5005, Key: "k", SignatureScheme: "hmac-sha256"},
		},
		{
			name: "empty strings take defaults",
			json: `{"transport": "", "ip": "", "signature_scheme": "", ` + ports + `}`,
			want: conn.Info{Transport: "tcp", IP: "127.0.0.1", ShellPort: 5001, IOPubPort: 5002, StdinPort: 5003,
				ControlPort: 5004, HBPort: 5005, SignatureScheme: "hmac-sha256"},
		},
		{
			name: "everything given",
			json: `{"transport": "tcp", "ip": "0.0.0.0", "signature_scheme": "hmac-sha256", "key": "a-b-c",
				"kernel_name": "gosys", "unknown": [1, 2], ` + ports + `}`,
			want: conn.Info{Transport: "tcp", IP: "0.0.0.0", ShellPort: 5001, IOPubPort: 5002, StdinPort: 5003,
				ControlPort: 5004, HBPort: 5005, Key: "a-b-c", SignatureScheme: "hmac-sha256", KernelName: "gosys"},
		},
		{
			name: "ipc",
			json: `{"transport": "ipc", "ip": "/tmp/kernel-x", ` + ports + `}`,
			want: conn.Info{Transport: "ipc", IP: "/tmp/kernel-x", ShellPort: 5001, IOPubPort: 5002, StdinPort: 5003,
				ControlPort: 5004, HBPort: 5005, SignatureScheme: "hmac-sha256"},
		},
		{
			name: "port bounds",
			json: `{"shell_port": 1, "iopub_port": 65535, "stdin_port": 2, "control_port": 3, "hb_port": 4}`,
			want: conn.Info{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, IOPubPort: 65535, StdinPort: 2,
				ControlPort: 3, HBPort: 4, SignatureScheme: "hmac-sha256"},
		},
		{name: "bad transport", json: `{"transport": "udp", ` + ports + `}`, errHas: `transport "udp"`},
		{name: "transport is case-sensitive", json: `{"transport": "TCP", ` + ports + `}`, errHas: "transport"},
		{name: "bad scheme", json: `{"signature_scheme": "hmac-blake9", ` + ports + `}`, errHas: `signature scheme "hmac-blake9": gosys knows hmac-md5, hmac-sha1`},
		{name: "no scheme at all", json: `{"signature_scheme": "none", ` + ports + `}`, errHas: "signature_scheme"},
		{name: "shell port zero", json: `{"shell_port": 0, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}`, errHas: "shell_port 0"},
		{name: "iopub port missing", json: `{"shell_port": 1, "stdin_port": 3, "control_port": 4, "hb_port": 5}`, errHas: "iopub_port 0"},
		{name: "stdin port negative", json: `{"shell_port": 1, "iopub_port": 2, "stdin_port": -3, "control_port": 4, "hb_port": 5}`, errHas: "stdin_port -3"},
		{name: "control port too large", json: `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 65536, "hb_port": 5}`, errHas: "control_port 65536"},
		{name: "hb port huge", json: `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 4294967297}`, errHas: "hb_port"},
		{name: "port as string", json: `{"shell_port": "5001", "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}`, errHas: "parse"},
		{name: "port as float", json: `{"shell_port": 5001.5, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}`, errHas: "parse"},
		{name: "bad JSON", json: `{"shell_port": 1,`, errHas: "parse"},
		{name: "not an object", json: `[1, 2, 3]`, errHas: "parse"},
		{name: "empty", json: ``, errHas: "parse"},
		{name: "null", json: `null`, errHas: "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := conn.ParseInfo([]byte(c.json))
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("ParseInfo: err = %v, want one mentioning %q", err, c.errHas)
				}
				if got != (conn.Info{}) {
					t.Errorf("ParseInfo returned %+v with its error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseInfo: %v", err)
			}
			if got != c.want {
				t.Errorf("ParseInfo =\n%+v, want\n%+v", got, c.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	cases := []struct {
		info conn.Info
		want int
	}{
		{conn.Info{Transport: "tcp", IP: "127.0.0.1", Key: "k"}, 0},
		{conn.Info{Transport: "tcp", IP: "127.0.0.1"}, 1},
		{conn.Info{Transport: "tcp", IP: "0.0.0.0", Key: "k"}, 1},
		{conn.Info{Transport: "tcp", IP: "*"}, 2},
		{conn.Info{Transport: "tcp", IP: "::", Key: "k"}, 1},
		{conn.Info{Transport: "ipc", IP: "/tmp/k", Key: "k"}, 0},
	}
	for _, c := range cases {
		if got := c.info.Warnings(); len(got) != c.want {
			t.Errorf("%+v: warnings %q, want %d", c.info, got, c.want)
		}
	}
}

func TestEndpoint(t *testing.T) {
	cases := []struct {
		info conn.Info
		port int
		want string
	}{
		{conn.Info{Transport: "tcp", IP: "127.0.0.1"}, 5555, "tcp://127.0.0.1:5555"},
		{conn.Info{Transport: "tcp", IP: "0.0.0.0"}, 1, "tcp://0.0.0.0:1"},
		{conn.Info{Transport: "ipc", IP: "/tmp/kernel-abc"}, 3, "ipc:///tmp/kernel-abc-3"},
		{conn.Info{Transport: "ipc", IP: "kernel-ipc"}, 65535, "ipc://kernel-ipc-65535"},
		// Endpoint does not check the transport: ParseInfo did.
		{conn.Info{IP: "host"}, 7, "tcp://host:7"},
		{conn.Info{IP: "::1"}, 8, "tcp://[::1]:8"},
		{conn.Info{IP: "[::1]"}, 8, "tcp://[::1]:8"},
		{conn.Info{IP: "*"}, 9, "tcp://0.0.0.0:9"},
	}
	for _, c := range cases {
		if got := c.info.Endpoint(c.port); got != c.want {
			t.Errorf("%+v.Endpoint(%d) = %q, want %q", c.info, c.port, got, c.want)
		}
	}
}

func TestReadInfo(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "kernel-1.json")
	if err := os.WriteFile(good, []byte(`{"key": "k", `+ports+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := conn.ReadInfo(good)
	if err != nil {
		t.Fatalf("ReadInfo: %v", err)
	}
	if info.Key != "k" || info.HBPort != 5005 || info.Transport != "tcp" {
		t.Errorf("ReadInfo = %+v", info)
	}

	if _, err := conn.ReadInfo(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadInfo of a missing file: err = %v, want a not-exist error", err)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"transport": "udp", `+ports+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ReadInfo(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("ReadInfo of an invalid file: err = %v, want one naming the file", err)
	}
}

// FuzzParseInfo checks that ParseInfo never panics and that what it accepts
// is usable: a known transport and scheme, an ip, and ports in range.
func FuzzParseInfo(f *testing.F) {
	f.Add([]byte(`{` + ports + `}`))
	f.Add([]byte(`{"transport": "ipc", "ip": "/tmp/k", "key": "x", "signature_scheme": "hmac-sha256", ` + ports + `}`))
	f.Add([]byte(`{"shell_port": 0}`))
	f.Add([]byte(`{"shell_port": 1e3, "iopub_port": -1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := conn.ParseInfo(b)
		if err != nil {
			return
		}
		if info.Transport != "tcp" && info.Transport != "ipc" {
			t.Errorf("accepted transport %q", info.Transport)
		}
		if info.SignatureScheme != "hmac-sha256" {
			t.Errorf("accepted signature_scheme %q", info.SignatureScheme)
		}
		if info.IP == "" {
			t.Error("accepted an empty ip")
		}
		for _, p := range []int{info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort} {
			if p < 1 || p > 65535 {
				t.Errorf("accepted port %d", p)
			}
			if ep := info.Endpoint(p); !strings.HasPrefix(ep, info.Transport+"://") {
				t.Errorf("Endpoint(%d) = %q", p, ep)
			}
		}
	})
}
