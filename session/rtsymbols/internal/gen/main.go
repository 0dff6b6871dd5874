// Command gen regenerates the yaegi symbol tables of the packages a cell
// may import from gosys (gosys-rt.go for gosys/rt, gosys-rt-view.go for
// gosys/rt/view, ...), with the same extractor as the standard library's
// tables. It is run by `go generate` in session/rtsymbols.
package main

import (
	"bytes"
	"log"
	"os"
	"strings"

	"github.com/traefik/yaegi/extract"
)

// packages are what a cell may import: rt (imported by every cell), the
// renderers of its views, and the types of their data.
var packages = []string{"gosys/rt", "gosys/rt/view", "gosys/rt/osdata"}

func main() {
	ext := extract.Extractor{Dest: "rtsymbols"}
	for _, pkg := range packages {
		var buf bytes.Buffer
		if _, err := ext.Extract(pkg, "", &buf); err != nil {
			log.Fatalf("extract %s: %v", pkg, err)
		}
		name := strings.ReplaceAll(pkg, "/", "-") + ".go"
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
