package runner

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Notebook is a Jupyter notebook in nbformat 4, held as the generic values
// encoding/json decodes into, so that every field, known to gosys or not,
// survives a read and a write. Numbers keep their spelling.
type Notebook struct {
	root  map[string]any
	cells []map[string]any
}

// ReadNotebook reads and parses the notebook at path.
func ReadNotebook(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read notebook: %w", err)
	}
	nb, err := ParseNotebook(b)
	if err != nil {
		return nil, fmt.Errorf("notebook %s: %w", path, err)
	}
	return nb, nil
}

// ParseNotebook parses a notebook's JSON. It checks the structure the runner
// relies on: nbformat 4, a list of cells that are objects with a cell_type.
func ParseNotebook(b []byte) (*Notebook, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := lineCol(b, syn.Offset)
			return nil, fmt.Errorf("parse: line %d, column %d: %w", line, col, err)
		}
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			line, col := lineCol(b, typ.Offset)
			return nil, fmt.Errorf("parse: line %d, column %d: %w", line, col, err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("parse: the file ends inside the notebook's JSON (%d bytes): %w", len(b), err)
		}
		return nil, fmt.Errorf("parse: %w", err)
	}
	if d.More() {
		return nil, errors.New("parse: data after the notebook's JSON object")
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("parse: not a JSON object")
	}
	if _, ok := root["nbformat"]; !ok {
		return nil, errors.New(`not a notebook: no "nbformat" field (an .ipynb file is a JSON object with "nbformat": 4 and a list of "cells")`)
	}
	if major, _ := root["nbformat"].(json.Number); major.String() != "4" {
		return nil, fmt.Errorf("nbformat %v: only nbformat 4 notebooks can be run (convert with `jupyter nbconvert --to notebook`)", root["nbformat"])
	}
	cellsField, ok := root["cells"]
	if !ok {
		return nil, errors.New(`not a notebook: no "cells" list`)
	}
	rawCells, ok := cellsField.([]any)
	if !ok {
		return nil, fmt.Errorf(`"cells" is a %s, not a list`, jsonKind(cellsField))
	}
	nb := &Notebook{root: root}
	for i, c := range rawCells {
		cell, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("cell %d: not an object", i+1)
		}
		if _, ok := cell["cell_type"].(string); !ok {
			return nil, fmt.Errorf("cell %d: no cell_type", i+1)
		}
		nb.cells = append(nb.cells, cell)
	}
	if _, ok := root["metadata"].(map[string]any); !ok {
		root["metadata"] = map[string]any{}
	}
	for _, cell := range nb.cells {
		if _, ok := cell["metadata"].(map[string]any); !ok {
			cell["metadata"] = map[string]any{}
		}
	}
	return nb, nil
}

// Metadata returns the notebook's metadata object, which the caller may
// change.
func (nb *Notebook) Metadata() map[string]any { return nb.root["metadata"].(map[string]any) }

// NumCells returns the number of cells.
func (nb *Notebook) NumCells() int { return len(nb.cells) }

// Cell returns cell i (from 0) as its generic JSON object.
func (nb *Notebook) Cell(i int) map[string]any { return nb.cells[i] }

// cellSource returns a cell's source as one string, whether it is stored as
// a string or as a list of lines.
func cellSource(cell map[string]any) string {
	switch s := cell["source"].(type) {
	case string:
		return s
	case []any:
		var b strings.Builder
		for _, line := range s {
			if l, ok := line.(string); ok {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	return ""
}

// cellTags returns the cell's metadata.tags.
func cellTags(cell map[string]any) []string {
	meta, _ := cell["metadata"].(map[string]any)
	raw, _ := meta["tags"].([]any)
	var tags []string
	for _, t := range raw {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// cellIDPattern is nbformat 4.5's rule for cell ids.
var cellIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// upgrade makes the notebook valid nbformat 4.5: nbformat_minor at least 5
// and a unique valid id on every cell (new ids are 8 hex digits, as nbformat
// makes them).
func (nb *Notebook) upgrade() {
	n, _ := nb.root["nbformat_minor"].(json.Number)
	if minor, err := n.Int64(); err != nil || minor < 5 {
		nb.root["nbformat_minor"] = json.Number("5")
	}
	seen := map[string]bool{}
	for _, cell := range nb.cells {
		id, _ := cell["id"].(string)
		for !cellIDPattern.MatchString(id) || seen[id] {
			id = newCellID()
		}
		seen[id] = true
		cell["id"] = id
	}
}

func newCellID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on Linux.
	return hex.EncodeToString(b[:])
}

// Marshal returns the notebook as nbformat writes it: JSON indented by one
// space, keys sorted, non-ASCII text unescaped, a final newline; multi-line
// strings of outputs and attachments as lists of lines; the transient fields
// nbformat strips (metadata.signature, orig_nbformat, cells' "trusted")
// left out. Cell sources are written in the form they were read in.
func (nb *Notebook) Marshal() ([]byte, error) {
	root := maps.Clone(nb.root)
	meta := maps.Clone(nb.Metadata())
	for _, k := range []string{"orig_nbformat", "orig_nbformat_minor", "signature"} {
		delete(meta, k)
	}
	root["metadata"] = meta
	cells := make([]any, len(nb.cells))
	for i, c := range nb.cells {
		cells[i] = cellForDisk(c)
	}
	root["cells"] = cells
	b, err := marshalPython(root)
	if err != nil {
		return nil, fmt.Errorf("encode notebook: %w", err)
	}
	return append(b, '\n'), nil
}

// cellForDisk returns a copy of cell as nbformat's split_lines and
// strip_transient leave it.
func cellForDisk(cell map[string]any) map[string]any {
	c := maps.Clone(cell)
	if meta, ok := c["metadata"].(map[string]any); ok {
		meta = maps.Clone(meta)
		delete(meta, "trusted")
		c["metadata"] = meta
	}
	if att, ok := c["attachments"].(map[string]any); ok {
		att = maps.Clone(att)
		for name, bundle := range att {
			if m, ok := bundle.(map[string]any); ok {
				att[name] = splitBundle(m)
			}
		}
		c["attachments"] = att
	}
	if outs, ok := c["outputs"].([]any); ok && c["cell_type"] == "code" {
		split := make([]any, len(outs))
		for i, o := range outs {
			split[i] = outputForDisk(o)
		}
		c["outputs"] = split
	}
	return c
}

func outputForDisk(o any) any {
	out, ok := o.(map[string]any)
	if !ok {
		return o
	}
	out = maps.Clone(out)
	switch out["output_type"] {
	case "execute_result", "display_data":
		if data, ok := out["data"].(map[string]any); ok {
			out["data"] = splitBundle(data)
		}
	case "stream":
		if text, ok := out["text"].(string); ok {
			out["text"] = splitLines(text)
		}
	}
	return out
}

// splitBundle returns a copy of a MIME bundle with the text of text/*,
// application/javascript and image/svg+xml entries split into lines.
func splitBundle(data map[string]any) map[string]any {
	d := maps.Clone(data)
	for k, v := range d {
		if s, ok := v.(string); ok && (strings.HasPrefix(k, "text/") || k == "application/javascript" || k == "image/svg+xml") {
			d[k] = splitLines(s)
		}
	}
	return d
}

// WriteFile writes the notebook to path through a temporary file in the
// same directory, so that path holds either the old or the new notebook
// whatever happens. An existing file keeps its permissions.
func (nb *Notebook) WriteFile(path string) error {
	b, err := nb.Marshal()
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write notebook: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write notebook %s: %w", path, err)
	}
	return nil
}

// lineCol returns the 1-based line and column of byte offset off in b.
func lineCol(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// jsonKind names the JSON kind of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	}
	return "value"
}
