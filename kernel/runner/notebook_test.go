package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMarshalLikeNbformat checks that a notebook nbformat wrote comes back
// byte for byte, and that one with joined output text and transient fields
// is written as nbformat writes it (testdata made with nbformat 5.5).
func TestMarshalLikeNbformat(t *testing.T) {
	want, err := os.ReadFile("testdata/nbformat.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"testdata/nbformat.ipynb", "testdata/joined.ipynb"} {
		nb, err := ReadNotebook(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := nb.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: Marshal differs from nbformat's output:\n%s", in, firstDiff(string(got), string(want)))
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

func TestParseNotebookErrors(t *testing.T) {
	cases := map[string]string{
		"not json":       `{`,
		"not an object":  `[]`,
		"nbformat 3":     `{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`,
		"no cells":       `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}`,
		"cell not obj":   `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1]}`,
		"no cell_type":   `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{}]}`,
		"trailing data":  `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []} {}`,
		"nbformat wrong": `{"nbformat": "4", "cells": []}`,
	}
	for name, doc := range cases {
		if _, err := ParseNotebook([]byte(doc)); err == nil {
			t.Errorf("%s: ParseNotebook succeeded, want an error", name)
		}
	}
}

func TestUpgradeIDs(t *testing.T) {
	nb, err := ParseNotebook([]byte(`{"nbformat": 4, "nbformat_minor": 2, "cells": [
		{"cell_type": "code", "source": ""},
		{"cell_type": "code", "source": "", "id": "keep-me_1"},
		{"cell_type": "code", "source": "", "id": "keep-me_1"},
		{"cell_type": "code", "source": "", "id": "bad id!"},
		{"cell_type": "code", "source": "", "id": ""}]}`))
	if err != nil {
		t.Fatal(err)
	}
	nb.upgrade()
	if got := fmt.Sprint(nb.root["nbformat_minor"]); got != "5" {
		t.Errorf("nbformat_minor = %v, want 5", got)
	}
	seen := map[string]bool{}
	for i, c := range nb.cells {
		id, _ := c["id"].(string)
		if !cellIDPattern.MatchString(id) || seen[id] {
			t.Errorf("cell %d: id %q invalid or repeated", i, id)
		}
		seen[id] = true
	}
	if nb.cells[1]["id"] != "keep-me_1" {
		t.Errorf("valid id replaced by %v", nb.cells[1]["id"])
	}
}

func TestWriteFileKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	nb, err := ParseNotebook([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if want := "{\n \"cells\": [],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n"; string(b) != want {
		t.Errorf("wrote %q, want %q", b, want)
	}
}

func TestLabel(t *testing.T) {
	info := map[string]any{"language_info": map[string]any{"name": "go"}}
	cases := []struct {
		name string
		ks   any
		want map[string]any
	}{
		{"none", nil, map[string]any{"name": "gosys", "display_name": "Go (systems)", "language": "go"}},
		{"python", map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"},
			map[string]any{"name": "gosys", "display_name": "Go (systems)", "language": "go"}},
		{"other go kernel", map[string]any{"name": "gophernotes", "display_name": "Go", "language": "go"},
			map[string]any{"name": "gosys", "display_name": "Go (systems)", "language": "go"}},
		{"named gosys install", map[string]any{"name": "dev", "display_name": "Go (systems) [dev]", "language": "go", "x": 1},
			map[string]any{"name": "dev", "display_name": "Go (systems) [dev]", "language": "go", "x": 1}},
	}
	for _, c := range cases {
		nb := &Notebook{root: map[string]any{"metadata": map[string]any{}}}
		if c.ks != nil {
			nb.Metadata()["kernelspec"] = c.ks
		}
		label(nb, info)
		if got := nb.Metadata()["kernelspec"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: kernelspec %v, want %v", c.name, got, c.want)
		}
		if nb.Metadata()["language_info"] == nil {
			t.Errorf("%s: no language_info", c.name)
		}
	}
}
