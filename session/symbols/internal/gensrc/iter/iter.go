// Package iter is the interpreted stand-in for the standard iter package,
// compiled into yaegi interpreters by gosys/session/symbols. It declares the
// two iterator types so that cells can write iter.Seq[T] and pass the result
// of std functions such as strings.Lines or maps.Keys around.
//
// yaegi v0.16 cannot range over a function, so a sequence is consumed by
// calling it with a yield function:
//
//	seq(func(v T) bool { ...; return true })
//
// Pull and Pull2 are not provided: yaegi cannot compile the generic closures
// with several results they return.
package iter

// Seq is an iterator over sequences of individual values: calling seq(yield)
// calls yield with each value in turn until yield returns false or the
// sequence ends.
type Seq[V any] func(yield func(V) bool)

// Seq2 is an iterator over sequences of pairs of values, most commonly
// key-value pairs.
type Seq2[K, V any] func(yield func(K, V) bool)
