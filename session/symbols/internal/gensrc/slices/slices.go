// Package slices is the gosys supplement to the standard slices package for
// yaegi interpreters. It is compiled after yaegi's own (Go 1.22) slices
// source, into the same interpreted package, and redefines every exported
// function of the Go 1.26 slices API in a form yaegi v0.16 can instantiate.
//
// Differences from the standard library, all due to yaegi:
//   - slice parameters are []E rather than S ~[]E: a named slice type is
//     accepted, but functions returning a slice return []E, not the named type;
//   - iterator parameters are plain func(yield func(E) bool) types, which
//     iter.Seq[E] values (interpreted or from std functions) convert to;
//   - Concat needs at least two arguments and Insert/Replace at least one
//     value to insert: yaegi panics on a generic variadic call with no
//     variadic argument.
//
// Sorting delegates to the native sort package (sort.Slice, sort.SliceStable),
// so only the comparisons run interpreted.
package slices

import (
	"cmp"
	"iter"
	"sort"
)

// All returns an iterator over index-value pairs in s, in order.
func All[E any](s []E) iter.Seq2[int, E] {
	return func(yield func(int, E) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Backward returns an iterator over index-value pairs in s, from the last
// element to the first.
func Backward[E any](s []E) iter.Seq2[int, E] {
	return func(yield func(int, E) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(i, s[i]) {
				return
			}
		}
	}
}

// Values returns an iterator over the elements of s, in order.
func Values[E any](s []E) iter.Seq[E] {
	return func(yield func(E) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// AppendSeq appends the values of seq to s and returns the result.
func AppendSeq[E any](s []E, seq func(yield func(E) bool)) []E {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Collect returns the values of seq in a new slice (nil if seq is empty).
func Collect[E any](seq func(yield func(E) bool)) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Sorted collects seq into a new slice and sorts it.
func Sorted[E cmp.Ordered](seq func(yield func(E) bool)) []E {
	s := Collect(seq)
	Sort(s)
	return s
}

// SortedFunc collects seq into a new slice and sorts it with cmp.
func SortedFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Collect(seq)
	SortFunc(s, cmp)
	return s
}

// SortedStableFunc collects seq into a new slice and sorts it with cmp,
// keeping the original order of equal elements.
func SortedStableFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Collect(seq)
	SortStableFunc(s, cmp)
	return s
}

// Chunk returns an iterator over consecutive sub-slices of up to n elements
// of s. Each sub-slice has its capacity clipped to its length. Chunk panics
// if n is less than 1.
func Chunk[E any](s []E, n int) iter.Seq[[]E] {
	if n < 1 {
		panic("cannot be less than 1")
	}
	return func(yield func([]E) bool) {
		for lo := 0; lo < len(s); lo += n {
			hi := lo + n
			if hi > len(s) {
				hi = len(s)
			}
			if !yield(s[lo:hi:hi]) {
				return
			}
		}
	}
}

// BinarySearch searches target in the sorted slice x and returns the position
// where it is found, or where it would be inserted, and whether it was found.
func BinarySearch[E cmp.Ordered](x []E, target E) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if orderedLess(x[mid], target) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(x) && orderedCompare(x[lo], target) == 0
}

// BinarySearchFunc is like BinarySearch with a custom comparison: cmp(e, t)
// returns a negative number if e sorts before t, 0 if it matches, a
// positive number after.
func BinarySearchFunc[E, T any](x []E, target T, cmp func(E, T) int) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmp(x[mid], target) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(x) && cmp(x[lo], target) == 0
}

// Clip removes unused capacity from s.
func Clip[E any](s []E) []E {
	return s[:len(s):len(s)]
}

// Clone returns a shallow copy of s; the copy of a nil slice is nil.
func Clone[E any](s []E) []E {
	if s == nil {
		return nil
	}
	return append(make([]E, 0, len(s)), s...)
}

// Compact replaces runs of equal consecutive elements by a single copy and
// returns the shortened slice. The elements between the new and the old
// length are zeroed.
func Compact[E comparable](s []E) []E {
	return CompactFunc(s, func(a, b E) bool { return a == b })
}

// CompactFunc is like Compact with eq deciding equality; it keeps the first
// element of each run.
func CompactFunc[E any](s []E, eq func(E, E) bool) []E {
	if len(s) < 2 {
		return s
	}
	n := 1
	for i := 1; i < len(s); i++ {
		if !eq(s[n-1], s[i]) {
			s[n] = s[i]
			n++
		}
	}
	zeroTail(s, n)
	return s[:n]
}

// Compare compares s1 and s2 element by element as cmp.Compare does; a
// shorter slice that is a prefix of the other sorts first. yaegi mistakes
// slices.Compare and cmp.Compare for each other when both are used on the
// same element type in one interpreter.
func Compare[E cmp.Ordered](s1, s2 []E) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if c := orderedCompare(s1[i], s2[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(s1) < len(s2):
		return -1
	case len(s1) > len(s2):
		return 1
	}
	return 0
}

// CompareFunc is like Compare with a custom comparison function.
func CompareFunc[E1, E2 any](s1 []E1, s2 []E2, cmp func(E1, E2) int) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if c := cmp(s1[i], s2[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(s1) < len(s2):
		return -1
	case len(s1) > len(s2):
		return 1
	}
	return 0
}

// Concat returns a new slice holding the elements of all the given slices
// in order. yaegi needs at least two arguments here.
func Concat[E any](s1, s2 []E, more ...[]E) []E {
	size := len(s1) + len(s2)
	for _, s := range more {
		size += len(s)
		if size < 0 {
			panic("len out of range")
		}
	}
	if size == 0 {
		return nil
	}
	r := make([]E, 0, size)
	r = append(r, s1...)
	r = append(r, s2...)
	for _, s := range more {
		r = append(r, s...)
	}
	return r
}

// Contains reports whether v is present in s.
func Contains[E comparable](s []E, v E) bool {
	return Index(s, v) >= 0
}

// ContainsFunc reports whether some element of s satisfies f.
func ContainsFunc[E any](s []E, f func(E) bool) bool {
	return IndexFunc(s, f) >= 0
}

// Index returns the index of the first occurrence of v in s, or -1.
func Index[E comparable](s []E, v E) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

// IndexFunc returns the index of the first element satisfying f, or -1.
func IndexFunc[E any](s []E, f func(E) bool) int {
	for i := range s {
		if f(s[i]) {
			return i
		}
	}
	return -1
}

// Delete removes s[i:j] and returns the shortened slice; the vacated
// elements at the end are zeroed. It panics if s[i:j] is not a valid slice
// of s.
func Delete[E any](s []E, i, j int) []E {
	_ = s[i:j:len(s)] // bounds check
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	zeroTail(s[:n], len(s))
	return s
}

// DeleteFunc removes the elements for which del returns true and returns
// the shortened slice; the vacated elements at the end are zeroed.
func DeleteFunc[E any](s []E, del func(E) bool) []E {
	n := 0
	for i := range s {
		if !del(s[i]) {
			s[n] = s[i]
			n++
		}
	}
	zeroTail(s, n)
	return s[:n]
}

// Equal reports whether s1 and s2 have the same length and equal elements
// (so NaN elements are never equal).
func Equal[E comparable](s1, s2 []E) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			return false
		}
	}
	return true
}

// EqualFunc is like Equal with eq comparing elements.
func EqualFunc[E1, E2 any](s1 []E1, s2 []E2, eq func(E1, E2) bool) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if !eq(s1[i], s2[i]) {
			return false
		}
	}
	return true
}

// Grow makes room for n more elements without reallocation and returns s
// with the same length. It panics if n is negative.
func Grow[E any](s []E, n int) []E {
	if n < 0 {
		panic("cannot be negative")
	}
	if need := n - (cap(s) - len(s)); need > 0 {
		s = append(s[:cap(s)], make([]E, need)...)[:len(s)]
	}
	return s
}

// Insert inserts the values v at index i of s and returns the result,
// reusing the array of s when it has room. It panics if i > len(s).
// yaegi needs at least one value.
func Insert[E any](s []E, i int, v ...E) []E {
	_ = s[i:] // bounds check
	if len(v) == 0 {
		return s
	}
	tail := append([]E(nil), s[i:]...)
	vals := append([]E(nil), v...)
	return append(append(s[:i], vals...), tail...)
}

// Replace replaces s[i:j] by the values v and returns the result. When the
// result is shorter, the vacated elements at the end are zeroed. It panics
// if s[i:j] is not a valid slice of s.
func Replace[E any](s []E, i, j int, v ...E) []E {
	_ = s[i:j] // bounds check
	n := len(s)
	tail := append([]E(nil), s[j:]...)
	vals := append([]E(nil), v...)
	r := append(append(s[:i], vals...), tail...)
	if len(r) < n {
		zeroTail(s[:n], len(r))
	}
	return r
}

// Repeat returns a new slice repeating x count times. It panics if count is
// negative or the result would be too large.
func Repeat[E any](x []E, count int) []E {
	if count < 0 {
		panic("cannot be negative")
	}
	if len(x) > 0 && count > int(^uint(0)>>1)/len(x) {
		panic("the result of (len(x) * count) overflows")
	}
	r := make([]E, 0, len(x)*count)
	for k := 0; k < count; k++ {
		r = append(r, x...)
	}
	return r
}

// Reverse reverses the elements of s in place.
func Reverse[E any](s []E) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// IsSorted reports whether x is sorted in ascending order (NaNs first).
func IsSorted[E cmp.Ordered](x []E) bool {
	for i := 1; i < len(x); i++ {
		if orderedLess(x[i], x[i-1]) {
			return false
		}
	}
	return true
}

// IsSortedFunc reports whether x is sorted according to cmp.
func IsSortedFunc[E any](x []E, cmp func(a, b E) int) bool {
	for i := 1; i < len(x); i++ {
		if cmp(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// Max returns the maximal value in x; a NaN element makes the result NaN.
// It panics if x is empty.
func Max[E cmp.Ordered](x []E) E {
	if len(x) == 0 {
		panic("slices.Max: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if v != v {
			return v
		}
		if v > m {
			m = v
		}
	}
	return m
}

// MaxFunc returns the first maximal element of x according to cmp. It
// panics if x is empty.
func MaxFunc[E any](x []E, cmp func(a, b E) int) E {
	if len(x) == 0 {
		panic("slices.MaxFunc: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if cmp(v, m) > 0 {
			m = v
		}
	}
	return m
}

// Min returns the minimal value in x; a NaN element makes the result NaN.
// It panics if x is empty.
func Min[E cmp.Ordered](x []E) E {
	if len(x) == 0 {
		panic("slices.Min: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if v != v {
			return v
		}
		if v < m {
			m = v
		}
	}
	return m
}

// MinFunc returns the first minimal element of x according to cmp. It
// panics if x is empty.
func MinFunc[E any](x []E, cmp func(a, b E) int) E {
	if len(x) == 0 {
		panic("slices.MinFunc: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if cmp(v, m) < 0 {
			m = v
		}
	}
	return m
}

// Sort sorts x in ascending order; NaNs sort before other values.
func Sort[E cmp.Ordered](x []E) {
	sort.Slice(x, func(i, j int) bool { return orderedLess(x[i], x[j]) })
}

// SortFunc sorts x with cmp (not stable).
func SortFunc[E any](x []E, cmp func(a, b E) int) {
	sort.Slice(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// SortStableFunc sorts x with cmp, keeping equal elements in their
// original order.
func SortStableFunc[E any](x []E, cmp func(a, b E) int) {
	sort.SliceStable(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// orderedLess is cmp.Less. The slices functions do not call the cmp
// package: yaegi caches generic instantiations by function name and type
// arguments only, so cmp.Compare[int] and slices.Compare[int] would be
// mistaken for each other. The helpers have names unlikely to be used by
// cells for the same reason.
func orderedLess[E cmp.Ordered](x, y E) bool {
	if x != x {
		return y == y
	}
	return x < y
}

// orderedCompare is cmp.Compare (see orderedLess).
func orderedCompare[E cmp.Ordered](x, y E) int {
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

// zeroTail sets s[from:] to the zero value.
func zeroTail[E any](s []E, from int) {
	var zero E
	for k := from; k < len(s); k++ {
		s[k] = zero
	}
}
