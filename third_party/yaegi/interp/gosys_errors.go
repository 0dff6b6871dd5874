package interp

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Runtime errors as Go reports them (gosys patch). The interpreter lets
// reflect do indexing, slicing and field access, whose panics speak of
// reflect ("reflect: slice index out of range"). Go programmers, and the
// learners who read them, know Go's own words ("index out of range [5]
// with length 3"), so the interpreter checks bounds itself and translates
// what reflect says. The values implement runtime.Error, as Go's do.

// runtimeError is a run-time panic with Go's own text.
type runtimeError struct{ msg string }

// RuntimeError marks it as a runtime.Error.
func (e runtimeError) RuntimeError() {}

func (e runtimeError) Error() string { return "runtime error: " + e.msg }

// boundsIndex returns v.Index(i) after checking i as Go does.
func boundsIndex(v reflect.Value, i int) reflect.Value {
	if n := v.Len(); i < 0 || i >= n {
		if i < 0 {
			panic(runtimeError{fmt.Sprintf("index out of range [%d]", i)})
		}
		panic(runtimeError{fmt.Sprintf("index out of range [%d] with length %d", i, n)})
	}
	return v.Index(i)
}

// boundsSlice returns v.Slice(i, j) after checking i and j as Go does.
func boundsSlice(v reflect.Value, i, j int) reflect.Value {
	c := sliceCap(v)
	switch {
	case j < 0 || j > c:
		panic(runtimeError{fmt.Sprintf("slice bounds out of range [:%d] with %s %d", j, capOrLen(v), c)})
	case i < 0 || i > j:
		panic(runtimeError{fmt.Sprintf("slice bounds out of range [%d:%d]", i, j)})
	}
	return v.Slice(i, j)
}

// boundsSlice3 returns v.Slice3(i, j, k) after checking them as Go does.
func boundsSlice3(v reflect.Value, i, j, k int) reflect.Value {
	c := sliceCap(v)
	switch {
	case k < 0 || k > c:
		panic(runtimeError{fmt.Sprintf("slice bounds out of range [::%d] with capacity %d", k, c)})
	case j < 0 || j > k:
		panic(runtimeError{fmt.Sprintf("slice bounds out of range [:%d:%d]", j, k)})
	case i < 0 || i > j:
		panic(runtimeError{fmt.Sprintf("slice bounds out of range [%d:%d:]", i, j)})
	}
	return v.Slice3(i, j, k)
}

// sliceCap is how far v may be sliced: a string's length, a slice's or an
// array's capacity.
func sliceCap(v reflect.Value) int {
	if v.Kind() == reflect.String {
		return v.Len()
	}
	return v.Cap()
}

func capOrLen(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return "length"
	}
	return "capacity"
}

// reflectNil matches what reflect says where Go would dereference nil.
var reflectNil = regexp.MustCompile(`^reflect: call of reflect\.Value\.\w+ on zero Value|^reflect: call of reflect\.Value\.\w+ on ptr Value|^reflect: Field index out of range`)

// positioned matches an error text the interpreter prefixed with a
// position ("4:5: interface conversion: ...").
var positioned = regexp.MustCompile(`^\d+:\d+: (interface conversion: .*)$`)

// goPanic translates a panic value of the interpreter's own making into
// the one Go would have raised; others are returned as they are.
func goPanic(r interface{}) interface{} {
	var text string
	switch x := r.(type) {
	case string:
		text = x
	case error:
		if _, ok := x.(interface{ RuntimeError() }); ok {
			return r // Go's own already
		}
		text = x.Error()
	default:
		return r
	}
	switch {
	case reflectNil.MatchString(text):
		return runtimeError{"invalid memory address or nil pointer dereference"}
	case strings.HasPrefix(text, "reflect: slice index out of range"),
		strings.HasPrefix(text, "reflect: array index out of range"),
		strings.HasPrefix(text, "reflect: string index out of range"):
		return runtimeError{"index out of range"}
	}
	if m := positioned.FindStringSubmatch(text); m != nil {
		return runtimeError{m[1]}
	}
	return r
}
