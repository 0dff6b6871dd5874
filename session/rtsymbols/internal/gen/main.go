// Command gen regenerates gosys-runtime.go, the yaegi symbol table of the
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
	if _, err := ext.Extract("gosys/runtime", "", &buf); err != nil {
		log.Fatalf("extract gosys/runtime: %v", err)
	}
	if err := os.WriteFile("gosys-runtime.go", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
