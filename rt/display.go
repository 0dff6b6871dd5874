package rt

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"gosys/rt/displaywire"
)

// HTML displays s as text/html. See the package documentation for where
// display output goes.
func HTML(s string) {
	show(displaywire.TypeDisplayData, "", map[string]any{"text/html": s}, nil)
}

// Markdown displays s as text/markdown; its text/plain fallback is s.
func Markdown(s string) {
	show(displaywire.TypeDisplayData, "", map[string]any{"text/markdown": s, "text/plain": s}, nil)
}

// SVG displays s, an SVG document, as image/svg+xml.
func SVG(s string) {
	show(displaywire.TypeDisplayData, "", map[string]any{"image/svg+xml": s}, nil)
}

// PNG displays b, the bytes of a PNG file, as image/png.
func PNG(b []byte) {
	data := map[string]any{"image/png": base64.StdEncoding.EncodeToString(b)}
	if len(b) >= 24 && string(b[12:16]) == "IHDR" {
		w, h := binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24])
		data["text/plain"] = fmt.Sprintf("<PNG image %dx%d, %d bytes>", w, h, len(b))
	}
	show(displaywire.TypeDisplayData, "", data, nil)
}

// ClearOutput clears the running cell's output, as IPython's clear_output:
// with wait true, only when the next output arrives, which avoids flicker.
func ClearOutput(wait bool) {
	fd, ok := displayFD()
	if !ok {
		return
	}
	send(fd, displaywire.Message{Type: displaywire.TypeClearOutput, Wait: wait})
}

// Display displays data, a map from mime type to value (a string, or for
// JSON types any value encoding/json accepts; image/png as base64), with
// Jupyter display metadata (nil for none). Neither map is modified.
func Display(data map[string]any, metadata map[string]any) {
	show(displaywire.TypeDisplayData, "", data, metadata)
}

// DisplayWithID is Display for an output a later UpdateDisplay with the same
// id replaces in place.
func DisplayWithID(id string, data map[string]any, metadata map[string]any) {
	show(displaywire.TypeDisplayData, id, data, metadata)
}

// UpdateDisplay replaces, wherever it is shown, the output displayed by
// DisplayWithID with the same id.
func UpdateDisplay(id string, data map[string]any, metadata map[string]any) {
	show(displaywire.TypeUpdateDisplayData, id, data, metadata)
}

// show sends a display message, adding a text/plain fallback when data has
// none, or prints the fallback outside the kernel.
func show(typ, id string, data, metadata map[string]any) {
	if _, ok := data["text/plain"]; !ok {
		plain := fallback(data)
		data = maps.Clone(data)
		if data == nil {
			data = map[string]any{}
		}
		data["text/plain"] = plain
	}
	fd, ok := displayFD()
	if !ok {
		fmt.Fprintln(os.Stdout, data["text/plain"])
		return
	}
	m := displaywire.Message{Type: typ, Data: data, Metadata: metadata}
	if id != "" {
		m.Transient = map[string]any{"display_id": id}
	}
	send(fd, m)
}

// fallback describes data for a plain-text reader: "<text/html, 120 bytes>".
func fallback(data map[string]any) string {
	var parts []string
	for _, mime := range slices.Sorted(maps.Keys(data)) {
		if s, ok := data[mime].(string); ok {
			mime += ", " + strconv.Itoa(len(s)) + " bytes"
		}
		parts = append(parts, mime)
	}
	return "<" + strings.Join(parts, "; ") + ">"
}

// displayFD returns the display socket named in the environment, read at
// each call so that a test or a program can set it at any time.
func displayFD() (int, bool) {
	v, ok := os.LookupEnv(displaywire.EnvFD)
	if !ok {
		return -1, false
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		fmt.Fprintf(os.Stderr, "rt: display: bad %s=%q\n", displaywire.EnvFD, v)
		return -1, false
	}
	return fd, true
}

// send sends m from this process, reporting failure on stderr.
func send(fd int, m displaywire.Message) {
	m.Pid = os.Getpid()
	if err := displaywire.Send(fd, m); err != nil {
		fmt.Fprintf(os.Stderr, "rt: display: %v\n", err)
	}
}
