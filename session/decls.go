package session

import (
	"slices"

	"gosys/internal/link"
)

// declState is what the kernel has been told of the session's
// declarations, so that each report carries only what changed.
type declState struct {
	imports map[string]string    // name → path
	decls   map[string]link.Decl // by name
	vars    map[string]string    // name → type
	natives []link.Native        // the last list sent
}

// sendDecls tells the kernel the declarations that changed since the last
// report (TypeDecls); the kernel keeps them to declare again in a fresh
// session if this one dies.
func (sv *server) sendDecls() {
	if !sv.sess.MayHaveDeclared() {
		return
	}
	r := sv.sess.Recipe()
	sv.mu.Lock()
	delta := sv.decls.update(r)
	sv.mu.Unlock()
	if len(delta.Imports)+len(delta.Decls)+len(delta.Vars)+len(delta.Natives) > 0 {
		sv.reply(link.TypeDecls, 0, delta)
	}
}

// update records r and returns the entries of r that differ from what was
// recorded before.
func (d *declState) update(r link.Recipe) link.Recipe {
	if d.imports == nil {
		d.imports, d.decls, d.vars = map[string]string{}, map[string]link.Decl{}, map[string]string{}
	}
	var delta link.Recipe
	for _, imp := range r.Imports {
		if d.imports[imp.Name] != imp.Path {
			d.imports[imp.Name] = imp.Path
			delta.Imports = append(delta.Imports, imp)
		}
	}
	for _, dc := range r.Decls {
		if old, ok := d.decls[dc.Name]; !ok || old != dc {
			d.decls[dc.Name] = dc
			delta.Decls = append(delta.Decls, dc)
		}
	}
	for _, v := range r.Vars {
		if d.vars[v.Name] != v.Type {
			d.vars[v.Name] = v.Type
			delta.Vars = append(delta.Vars, v)
		}
	}
	// The native packages go whole, when they changed: their order matters.
	if !slices.Equal(d.natives, r.Natives) {
		d.natives = r.Natives
		delta.Natives = r.Natives
	}
	return delta
}
