// Package cmp is the gosys supplement to the standard cmp package for yaegi
// interpreters. It is compiled after yaegi's own (Go 1.22) cmp source, into
// the same interpreted package, which keeps yaegi's Ordered constraint and
// redefines the functions:
//
//   - Less and Compare spell the ordered types out instead of using
//     Ordered, because yaegi rejects untyped float constants for a named
//     constraint ("untyped float does not implement cmp.Ordered"), so that
//     cmp.Compare(1.5, 2.0) works;
//   - Or takes at least two arguments: yaegi cannot infer T for a generic
//     function whose only parameter is variadic.
package cmp

// Less reports whether x is less than y; a NaN is less than any non-NaN
// value and -0.0 equals 0.0.
func Less[T ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string](x, y T) bool {
	if x != x {
		return y == y
	}
	return x < y
}

// Compare returns -1, 0 or +1 as x is less than, equal to or greater than
// y; a NaN is less than any non-NaN value and equal to another NaN, and
// -0.0 equals 0.0.
func Compare[T ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string](x, y T) int {
	xNaN, yNaN := x != x, y != y
	switch {
	case xNaN && yNaN:
		return 0
	case xNaN:
		return -1
	case yNaN:
		return +1
	case x < y:
		return -1
	case x > y:
		return +1
	}
	return 0
}

// Or returns the first of its arguments that is not the zero value, or the
// zero value if there is none. yaegi needs at least two arguments.
func Or[T comparable](first, second T, more ...T) T {
	var zero T
	if first != zero {
		return first
	}
	if second != zero {
		return second
	}
	for _, v := range more {
		if v != zero {
			return v
		}
	}
	return zero
}
