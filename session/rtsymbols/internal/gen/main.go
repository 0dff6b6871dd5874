// Command gen regenerates gosys-rt.go, the yaegi symbol table of the
// rt package, with the same extractor as the standard library's tables. It is
// run by `go generate` in session/rtsymbols.
package main

import (
	"bytes"
	"log"
	"os"

	"github.com/traefik/yaegi/extract"
)

func main() {
	ext := extract.Extractor{Dest: "rtsymbols"}
	var buf bytes.Buffer
	if _, err := ext.Extract("gosys/rt", "", &buf); err != nil {
		log.Fatalf("extract gosys/rt: %v", err)
	}
	if err := os.WriteFile("gosys-rt.go", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
