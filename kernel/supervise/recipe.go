package supervise

import (
	"sync"

	"gosys/internal/link"
)

// recipeStore is the kernel's copy of what the session's cells declared,
// kept from the session's TypeDecls reports, to declare again in a fresh
// session if this one dies. It keeps the session's order.
type recipeStore struct {
	mu       sync.Mutex
	imports  map[string]string
	decls    map[string]link.Decl
	order    []string
	vars     map[string]string
	varOrder []string
	natives  []link.Native // the last list reported, whole
}

// merge records a report: new names are added in order, known ones
// replaced in place.
func (r *recipeStore) merge(d link.Recipe) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.imports == nil {
		r.imports, r.decls, r.vars = map[string]string{}, map[string]link.Decl{}, map[string]string{}
	}
	for _, imp := range d.Imports {
		r.imports[imp.Name] = imp.Path
	}
	for _, dc := range d.Decls {
		if _, ok := r.decls[dc.Name]; !ok {
			r.order = append(r.order, dc.Name)
		}
		r.decls[dc.Name] = dc
	}
	for _, v := range d.Vars {
		if _, ok := r.vars[v.Name]; !ok {
			r.varOrder = append(r.varOrder, v.Name)
		}
		r.vars[v.Name] = v.Type
	}
	if len(d.Natives) > 0 {
		r.natives = d.Natives
	}
}

// recipe returns everything recorded.
func (r *recipeStore) recipe() link.Recipe {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out link.Recipe
	for name, path := range r.imports {
		out.Imports = append(out.Imports, link.Import{Name: name, Path: path})
	}
	for _, name := range r.order {
		out.Decls = append(out.Decls, r.decls[name])
	}
	for _, name := range r.varOrder {
		out.Vars = append(out.Vars, link.Var{Name: name, Type: r.vars[name]})
	}
	out.Natives = r.natives
	return out
}
