package view

import (
	"slices"
	"testing"
)

func TestClipAndWrap(t *testing.T) {
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
	if got := clipLeft("/a/b/c/d", 5); got != "…/c/d" {
		t.Errorf("clipLeft = %q", got)
	}
	if got := wrapWords("one two three four", 9, 2); !slices.Equal(got, []string{"one two", "three fo…"}) {
		t.Errorf("wrapWords = %q", got)
	}
}
