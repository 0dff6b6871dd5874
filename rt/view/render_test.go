package view_test

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gosys/rt/view"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/views")

// TestViewsGolden compares every rendering of the fixed inputs with its
// golden file; go test -run TestViewsGolden -update rewrites them.
func TestViewsGolden(t *testing.T) {
	for name, got := range views() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "views", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update after checking the change):\n%s", name, path, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows where two texts start to differ.
func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	return "want …" + want[from:min(len(want), i+80)] + "…\n got …" + got[from:min(len(got), i+80)] + "…"
}

// TestViewsWellFormed parses every HTML and SVG rendering as XML: no
// unescaped text, every element closed, and nothing active or external.
func TestViewsWellFormed(t *testing.T) {
	for name, got := range views() {
		if strings.HasSuffix(name, ".txt") {
			continue
		}
		d := xml.NewDecoder(strings.NewReader("<root>" + got + "</root>"))
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: not well-formed: %v", name, err)
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			if slices.Contains([]string{"script", "style", "image", "foreignObject", "iframe", "link", "a"}, se.Name.Local) {
				t.Errorf("%s: has a <%s> element", name, se.Name.Local)
			}
			for _, a := range se.Attr {
				if strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "href" || strings.Contains(a.Value, "url(") {
					t.Errorf("%s: <%s %s=%q>: active or external", name, se.Name.Local, a.Name.Local, a.Value)
				}
			}
		}
	}
}

// TestViewsEscape checks that text from outside (paths, commands, labels)
// reaches the markup escaped.
func TestViewsEscape(t *testing.T) {
	v := views()
	for _, c := range []struct{ view, raw, escaped string }{
		{"fds.html", `<b>&amp;`, `&lt;b&gt;&amp;amp;`},
		{"fdsof.svg", `<b>`, `&lt;b&gt;`},
		{"procs.html", `<numbers.txt>`, `&lt;numbers.txt&gt;`},
		{"bar.svg", `<ping-pong>`, `&lt;ping-pong&gt;`},
		{"lanes.html", `<b>&amp;</b>`, `&lt;b&gt;&amp;amp;&lt;/b&gt;`},
	} {
		if strings.Contains(v[c.view], c.raw) || !strings.Contains(v[c.view], c.escaped) {
			t.Errorf("%s: want %q escaped as %q", c.view, c.raw, c.escaped)
		}
	}
}

// TestViewsContent checks what a reader must be able to see in each view.
func TestViewsContent(t *testing.T) {
	v := views()
	for _, c := range []struct{ view, want string }{
		{"fds.txt", "pipe 52831, read end, 5 bytes buffered, write end held by pid 4242 fd 4"},
		{"fds.txt", "no reader"},
		{"fds.txt", "TCP 127.0.0.1:8080 → 127.0.0.1:40112 ESTABLISHED"},
		{"fds.html", "cloexec,nonblock"},
		{"fdsof.svg", ">pipe 52831<"},
		{"fdsof.svg", ">readers 2 · writers 1<"},
		{"fdsof.svg", ">TCP LISTEN<"},
		{"fdsof.txt", "pid 4242 fd 3 (r), pid 4242 fd 4 (w), pid 4243 fd 3 (r)"},
		{"fdsof-gone.svg", ">such process<"},
		{"procs.txt", "│  └─ 4251 Z [wc]  zombie"},
		{"procs.txt", "pid 4239  killed by SIGPIPE"},
		{"procs.html", "exited 3"},
		{"sockets.txt", "TIME_WAIT"},
		{"bar.svg", ">n/a<"},
		{"bar.svg", ">14.25 µs<"},
		{"bar-negative.svg", ">12k<"},
		{"line.svg", ">unix socket<"},
		{"line.txt", "buffer (KiB)"},
		{"lanes.txt", "[4243 err] child: oops\n"},
		{"lanes.txt", "[4242] parent: child exited 0\n"},
		{"lanes.html", "pid 4242 (this process)"},
		{"lanes.html", ">1.2<"},
	} {
		if !strings.Contains(v[c.view], c.want) {
			t.Errorf("%s lacks %q", c.view, c.want)
		}
	}
	// One kernel object per shared pipe: the parent's two ends and the
	// child's read end point at the same box.
	if n := strings.Count(v["fdsof.svg"], ">pipe 52831<"); n != 1 {
		t.Errorf("fdsof.svg draws pipe 52831 %d times; want once", n)
	}
}

// TestViewsAsImages checks the HTML the SVG views are displayed with: an
// <img> whose data URL holds the view's SVG on a white card, with its size
// and title, so that an untrusted notebook (which strips inline SVG) still
// shows it.
func TestViewsAsImages(t *testing.T) {
	svg := view.TraceSVG(fixtureTrace())
	html := view.TraceHTML(fixtureTrace())
	m := regexp.MustCompile(`^<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" width="([\d.]+)" height="([\d.]+)" alt="([^"]+)" style="max-width:100%;height:auto"/>$`).FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("TraceHTML is not an <img> with an SVG data URL: %.200s", html)
	}
	inner, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	card := `<rect x=".5" y=".5" width="` + minusOne(t, m[2]) + `" height="` + minusOne(t, m[3]) + `" rx="4" fill="#fff" stroke="#d0d0d0"/>`
	if strings.Replace(string(inner), card, "", 1) != svg {
		t.Errorf("the image is not TraceSVG plus the card %s:\n%.300s", card, inner)
	}
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="`+m[2]+`" height="`+m[3]+`"`) {
		t.Errorf("size %sx%s is not the SVG's", m[2], m[3])
	}
	if !strings.Contains(m[4], "rt calls of pid 4242") {
		t.Errorf("alt text %q", m[4])
	}
}

// minusOne returns the number s less one, formatted as the views do.
func minusOne(t *testing.T, s string) string {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatFloat(v-1, 'f', -1, 64)
}
