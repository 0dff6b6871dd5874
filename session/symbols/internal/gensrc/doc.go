// Package gensrc holds interpreted Go sources that gosys/session/symbols
// embeds and hands to yaegi (see symbols.GenericPackages).
//
// Each subdirectory is an ordinary Go package so that the real compiler
// type-checks and vets it, but it is written for yaegi v0.16's generics,
// which are much weaker than Go's:
//
//   - a type parameter must be inferable from an argument directly: use
//     s []E, m map[K]V or func(yield func(E) bool), never S ~[]E, M ~map[K]V
//     or iter.Seq[E] in parameter lists (yaegi reports "undefined type for E");
//   - no variadic-only generic parameter lists (xs ...T): yaegi cannot infer T;
//   - no generic closures with several results, no chan of a type parameter,
//     no type declared inside a generic function;
//   - type arguments are assigned to type parameters in the order yaegi
//     meets them in the parameter list, repeats included, so that order must
//     match the declaration order (see maps.EqualFunc);
//   - instantiations are cached per interpreter by function name and type
//     arguments only, not by package: a source must not call another
//     package's generic function that has the name of one of its own (see
//     orderedLess in slices);
//   - no builtins min, max, clear; no range over int or func.
//
// Nothing imports these packages; the Go build only checks them.
package gensrc
