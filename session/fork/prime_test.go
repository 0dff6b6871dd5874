package fork

import "testing"

func TestPreludeExtend(t *testing.T) {
	base := &Prelude{
		Imports: map[string]string{"fmt": "fmt"},
		Decls:   []Decl{{Src: "func f() {}", Line: 1, Col: 1}},
		Vars:    []Var{{Name: "x", Type: "int"}},
	}
	tests := []struct {
		name      string
		next      *Prelude
		ok        bool
		decls     int
		vars      int
		imports   int
		natives   int
		emptyDiff bool
	}{
		{name: "same", next: base, ok: true, emptyDiff: true},
		{name: "more of everything", ok: true, decls: 1, vars: 1, imports: 1, natives: 1, next: &Prelude{
			Imports: map[string]string{"fmt": "fmt", "os": "os"},
			Decls:   []Decl{{Src: "func f() {}", Line: 1, Col: 1}, {Src: "type T int", Line: 2, Col: 1}},
			Natives: []Native{{Path: "gosys.native/n1", Dir: "/d"}},
			Vars:    []Var{{Name: "x", Type: "int"}, {Name: "y", Type: "string", Value: 3}},
		}},
		{name: "function declared again", next: &Prelude{
			Imports: base.Imports,
			Decls:   []Decl{{Src: "func f() { println() }", Line: 1, Col: 1}},
			Vars:    base.Vars,
		}},
		{name: "same source at another line", next: &Prelude{
			Imports: base.Imports,
			Decls:   []Decl{{Src: "func f() {}", Line: 4, Col: 1}},
			Vars:    base.Vars,
		}},
		{name: "variable changed type", next: &Prelude{
			Imports: base.Imports, Decls: base.Decls,
			Vars: []Var{{Name: "x", Type: "string"}},
		}},
		{name: "variable gone", next: &Prelude{Imports: base.Imports, Decls: base.Decls}},
		{name: "import renamed", next: &Prelude{
			Imports: map[string]string{"fmt": "example.org/fmt"}, Decls: base.Decls, Vars: base.Vars,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := base.Extend(tt.next)
			if ok != tt.ok {
				t.Fatalf("Extend ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if d.Empty() != tt.emptyDiff || len(d.Decls) != tt.decls || len(d.Vars) != tt.vars ||
				len(d.Imports) != tt.imports || len(d.Natives) != tt.natives {
				t.Fatalf("delta = %+v", d)
			}
			for _, v := range d.Vars {
				if v.Value != nil {
					t.Fatalf("a delta variable carries a value: %+v", v)
				}
			}
		})
	}
	var none *Prelude
	if d, ok := none.Extend(base); !ok || d != base {
		t.Fatalf("nil prelude: Extend = %v, %v", d, ok)
	}
	if !base.Equal(base) || base.Equal(tests[1].next) || none.Equal(base) || !none.Equal(nil) {
		t.Fatal("Equal")
	}
}
