package supervise

import (
	"slices"
	"testing"

	"gosys/internal/link"
)

// TestRecipeNativesReplaced: a report with native packages replaces the
// list (the session sends it whole), one without keeps it.
func TestRecipeNativesReplaced(t *testing.T) {
	var r recipeStore
	a := link.Native{Path: "gosys/nativecell/ca", Dir: "/c/ca"}
	b := link.Native{Path: "gosys/nativecell/cb", Dir: "/c/cb"}
	r.merge(link.Recipe{Natives: []link.Native{a}})
	r.merge(link.Recipe{Decls: []link.Decl{{Name: "f", Kind: "func", Src: "func f() {}"}}})
	if got := r.recipe().Natives; !slices.Equal(got, []link.Native{a}) {
		t.Fatalf("natives %v, want [a]", got)
	}
	r.merge(link.Recipe{Natives: []link.Native{b, a}})
	if got := r.recipe().Natives; !slices.Equal(got, []link.Native{b, a}) {
		t.Fatalf("natives %v, want [b a]", got)
	}
}
