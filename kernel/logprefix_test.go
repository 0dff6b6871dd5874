package kernel

import (
	"os"
	"os/user"
	"strconv"
	"testing"
)

func TestKernelID(t *testing.T) {
	for file, want := range map[string]string{
		"/run/user/1000/jupyter/kernel-3f2a9c1e-0b7d-4e8e-9a51-2c2d9f1b6e11.json": "3f2a9c1e-0b7d-4e8e-9a51-2c2d9f1b6e11",
		"kernel-abc.json":     "abc",
		"/tmp/conn.json":      "conn",
		"/tmp/my kernel.json": "my_kernel",
		"kernel-.json":        "kernel-",
		"/tmp/weird]name":     "weird_name",
	} {
		if got := KernelID(file); got != want {
			t.Errorf("KernelID(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestLogPrefix(t *testing.T) {
	name := strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	want := "gosys[abc " + name + "]: "
	if got := LogPrefix("/x/kernel-abc.json"); got != want {
		t.Errorf("LogPrefix = %q, want %q", got, want)
	}
}
