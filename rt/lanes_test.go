package rt_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"gosys/rt"
	"gosys/rt/view"
)

// TestLanesTagsWritesByProcess checks that writes of this process and of a
// child that inherits descriptors 1 and 2 come back tagged with the right
// pid and stream, in order, and that 1 and 2 are restored afterwards.
func TestLanesTagsWritesByProcess(t *testing.T) {
	var child int
	texts := rt.Lanes(func() {
		fmt.Println("parent before")
		cmd := exec.Command("/bin/sh", "-c", "echo child out; echo child err >&2")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			t.Error(err)
		}
		child = cmd.Process.Pid
		fmt.Println("parent after")
	})
	var got []string
	for _, x := range texts {
		who := "parent"
		switch x.Pid {
		case os.Getpid():
		case child:
			who = "child"
		default:
			who = fmt.Sprint("pid ", x.Pid)
		}
		got = append(got, who+" "+x.Stream+" "+strings.TrimSpace(x.Text))
	}
	want := []string{"parent stdout parent before", "child stdout child out", "child stderr child err", "parent stdout parent after"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lanes got\n%q\nwant\n%q", got, want)
	}
	if text := view.LanesText(texts); !strings.Contains(text, fmt.Sprintf("[%d err] child err\n", child)) {
		t.Errorf("LanesText:\n%s", text)
	}
	if html := view.LanesHTML(os.Getpid(), texts); !strings.Contains(html, "pid "+fmt.Sprint(child)) || strings.Contains(html, "<script") {
		t.Errorf("LanesHTML: %s", html)
	}
	// Descriptor 1 is a pipe or file again, not a socket.
	if target, _ := os.Readlink("/proc/self/fd/1"); strings.HasPrefix(target, "socket:") {
		t.Errorf("fd 1 still a socket after Lanes: %s", target)
	}
}
