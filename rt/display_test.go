package rt_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"gosys/rt"
	"gosys/rt/displaywire"

	"golang.org/x/sys/unix"
)

// displaySocket makes a display socket pair, announces one end in the
// environment as the kernel does, and returns the messages the kernel's end
// receives, each acknowledged at once as the kernel does after publishing.
func displaySocket(t *testing.T) <-chan displaywire.Message {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(displaywire.EnvFD, strconv.Itoa(fds[0]))
	t.Cleanup(func() { unix.Close(fds[0]) })
	return kernelEnd(t, fds[1])
}

// kernelEnd receives and acknowledges messages on fd until every sender is
// gone, then closes fd and the channel.
func kernelEnd(t *testing.T, fd int) <-chan displaywire.Message {
	msgs := make(chan displaywire.Message, 16)
	go func() {
		defer close(msgs)
		defer unix.Close(fd)
		for {
			m, ack, err := displaywire.Receive(fd)
			ack()
			if err != nil {
				return
			}
			msgs <- m
		}
	}()
	return msgs
}

// receive returns the next message the kernel's end got.
func receive(t *testing.T, msgs <-chan displaywire.Message) displaywire.Message {
	t.Helper()
	select {
	case m, ok := <-msgs:
		if !ok {
			t.Fatal("display socket closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no display message within 10s")
	}
	return displaywire.Message{}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDisplayMessages(t *testing.T) {
	kernel := displaySocket(t)
	img := pngBytes(t, 3, 2)
	pid := os.Getpid()
	none := map[string]any{}
	for _, tc := range []struct {
		name string
		call func()
		want displaywire.Message
	}{
		{"HTML", func() { rt.HTML("<b>bold</b>") }, displaywire.Message{
			Type: "display_data", Metadata: none, Pid: pid,
			Data: map[string]any{"text/html": "<b>bold</b>", "text/plain": "<text/html, 11 bytes>"}}},
		{"Markdown", func() { rt.Markdown("# Title") }, displaywire.Message{
			Type: "display_data", Metadata: none, Pid: pid,
			Data: map[string]any{"text/markdown": "# Title", "text/plain": "# Title"}}},
		{"SVG", func() { rt.SVG("<svg/>") }, displaywire.Message{
			Type: "display_data", Metadata: none, Pid: pid,
			Data: map[string]any{"image/svg+xml": "<svg/>", "text/plain": "<image/svg+xml, 6 bytes>"}}},
		{"PNG", func() { rt.PNG(img) }, displaywire.Message{
			Type: "display_data", Metadata: none, Pid: pid,
			Data: map[string]any{
				"image/png":  base64.StdEncoding.EncodeToString(img),
				"text/plain": "<PNG image 3x2, " + strconv.Itoa(len(img)) + " bytes>"}}},
		{"ClearOutput", func() { rt.ClearOutput(true) }, displaywire.Message{
			Type: "clear_output", Wait: true, Pid: pid}},
		{"Display", func() {
			rt.Display(map[string]any{"application/json": map[string]any{"a": 1}}, map[string]any{"isolated": true})
		}, displaywire.Message{
			Type: "display_data", Metadata: map[string]any{"isolated": true}, Pid: pid,
			Data: map[string]any{"application/json": map[string]any{"a": 1.0}, "text/plain": "<application/json>"}}},
		{"DisplayWithID", func() {
			rt.DisplayWithID("d1", map[string]any{"text/plain": "0%"}, nil)
		}, displaywire.Message{
			Type: "display_data", Metadata: none, Pid: pid, Transient: map[string]any{"display_id": "d1"},
			Data: map[string]any{"text/plain": "0%"}}},
		{"UpdateDisplay", func() {
			rt.UpdateDisplay("d1", map[string]any{"text/plain": "100%"}, nil)
		}, displaywire.Message{
			Type: "update_display_data", Metadata: none, Pid: pid, Transient: map[string]any{"display_id": "d1"},
			Data: map[string]any{"text/plain": "100%"}}},
	} {
		tc.call()
		if got := receive(t, kernel); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s sent\n%#v\nwant\n%#v", tc.name, got, tc.want)
		}
	}
}

func TestDisplayLargePNGGoesThroughAFile(t *testing.T) {
	kernel := displaySocket(t)
	img := make([]byte, 1<<20)
	for i := range img {
		img[i] = byte(rand.Uint32())
	}
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "gosys-display-*.json"))
	rt.PNG(img)
	m := receive(t, kernel)
	if m.Pid != os.Getpid() {
		t.Errorf("message from pid %d; want %d", m.Pid, os.Getpid())
	}
	if got, _ := m.Data["image/png"].(string); got != base64.StdEncoding.EncodeToString(img) {
		t.Errorf("image/png of %d base64 bytes differs from what was sent", len(got))
	}
	// Only files this test made count: other test runs may have theirs.
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "gosys-display-*.json"))
	for _, f := range after {
		if !slices.Contains(before, f) {
			t.Errorf("message file left behind: %s", f)
		}
	}
}

func TestDisplayWithoutKernelPrintsFallback(t *testing.T) {
	cmd := roleCmd("display")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "<text/html, 19 bytes>\n# Title\n"; string(out) != want {
		t.Fatalf("stdout %q; want %q", out, want)
	}
}

// TestDisplayFromChild checks a child process that inherits the display
// socket reaches the kernel's end, with its own pid.
func TestDisplayFromChild(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	kernel := kernelEnd(t, fds[1])
	childEnd := os.NewFile(uintptr(fds[0]), "display")
	cmd := roleCmd("display", displaywire.EnvFD+"=3")
	cmd.ExtraFiles = []*os.File{childEnd} // fd 3 in the child
	err = cmd.Run()
	childEnd.Close()
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for range 3 {
		m := receive(t, kernel)
		if m.Pid != cmd.Process.Pid {
			t.Errorf("message from pid %d; want the child %d", m.Pid, cmd.Process.Pid)
		}
		types = append(types, m.Type)
	}
	if want := []string{"display_data", "display_data", "clear_output"}; !reflect.DeepEqual(types, want) {
		t.Errorf("child sent %v; want %v", types, want)
	}
	if m, open := <-kernel; open {
		t.Errorf("after the child's messages: got %+v; want end of stream", m)
	}
}
