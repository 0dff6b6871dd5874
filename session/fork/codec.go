// Package fork carries a cell's forked function into a new process: the
// payload of declarations, captured values and body the child needs, the
// encoding of those values, and the starting of the child.
package fork

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strconv"
	"sync"
	"syscall"
	"unicode/utf8"
	"unsafe"
)

// ErrCannotCarry is wrapped by the errors of values that cannot be copied
// into another process (channels, functions, held mutexes...).
var ErrCannotCarry = errors.New("cannot be carried into the child process")

// fileType and friends are the values whose descriptor travels with them.
var (
	fileType     = reflect.TypeFor[*os.File]()
	connType     = reflect.TypeFor[net.Conn]()
	listenerType = reflect.TypeFor[net.Listener]()
	mutexType    = reflect.TypeFor[sync.Mutex]()
	rwMutexType  = reflect.TypeFor[sync.RWMutex]()
)

// Encoder turns values into a JSON-friendly tree that a Decoder can pour
// into a value of the same type in another process. Descriptors behind
// *os.File, net.Conn and net.Listener values are recorded in FDs, so the
// starter can keep them open at the same numbers in the child.
//
// What pointers and maps point to is encoded once, in Pointers, and each
// pointer or map value refers to its entry there: values that share memory
// in the parent share it in the child (two variables holding one pointer,
// a struct and a variable holding one map, cycles), as after fork(2).
type Encoder struct {
	FDs      []int
	Pointers map[string]any // the targets of pointers and maps, by id

	ids map[pointee]string
}

// pointee is what a pointer or map value points to: the same address with
// another type (a struct and its first field) is another target.
type pointee struct {
	addr uintptr
	typ  reflect.Type
}

// Encode encodes v. Values encoded by one Encoder share their Pointers.
func (e *Encoder) Encode(v reflect.Value) (any, error) {
	return e.encode(unwrap(v), 0)
}

// ref encodes the target of the pointer or map v once, as an entry of
// e.Pointers, and returns the reference to it.
func (e *Encoder) ref(v reflect.Value, depth int, target func() (any, error)) (any, error) {
	k := pointee{v.Pointer(), v.Type()}
	if id, ok := e.ids[k]; ok {
		return map[string]any{"ref": id}, nil
	}
	if e.ids == nil {
		e.ids, e.Pointers = map[pointee]string{}, map[string]any{}
	}
	id := strconv.Itoa(len(e.ids) + 1)
	e.ids[k] = id // before the target: a cycle comes back to it
	x, err := target()
	if err != nil {
		delete(e.ids, k)
		return nil, err
	}
	e.Pointers[id] = x
	return map[string]any{"ref": id}, nil
}

const maxDepth = 10000 // a long linked list is fine; cycles end at their first reference

func (e *Encoder) encode(v reflect.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested more than %d levels deep : %w", maxDepth, ErrCannotCarry)
	}
	if !v.IsValid() {
		return nil, nil
	}
	t := v.Type()
	if isNetSocket(t) {
		// A listener or connection of package net held by its concrete
		// type (*net.TCPListener...): its descriptor, not its insides.
		if v.IsNil() {
			return nil, nil
		}
		return e.encodeDynamic(v, depth)
	}
	switch {
	case t == fileType:
		if v.IsNil() {
			return nil, nil
		}
		f := v.Interface().(*os.File)
		fd := int(f.Fd())
		e.FDs = append(e.FDs, fd)
		return map[string]any{"fd": fd, "name": f.Name()}, nil
	case t == mutexType || t == rwMutexType:
		if !v.IsZero() {
			return nil, fmt.Errorf("a %s that is locked: %w", t, ErrCannotCarry)
		}
		return nil, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), nil
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return []string{strconv.FormatFloat(real(c), 'g', -1, 64), strconv.FormatFloat(imag(c), 'g', -1, 64)}, nil
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			// JSON would replace the bytes that are not UTF-8.
			return map[string]any{"bytes": base64.StdEncoding.EncodeToString([]byte(v.String()))}, nil
		}
		return v.String(), nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			x, err := e.encode(v.Index(i), depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = x
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		return e.ref(v, depth, func() (any, error) { return e.encodeMap(v, depth) })
	case reflect.Struct:
		v = addressable(v)
		out := make([]any, t.NumField())
		for i := range out {
			f := v.Field(i)
			if !f.CanInterface() {
				f = readable(f)
			}
			x, err := e.encode(unwrap(f), depth+1)
			if err != nil {
				return nil, fmt.Errorf(".%s: %w", t.Field(i).Name, err)
			}
			out[i] = x
		}
		return out, nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return e.ref(v, depth, func() (any, error) { return e.encode(unwrap(v.Elem()), depth+1) })
	case reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return e.encodeDynamic(unwrap(v.Elem()), depth)
	}
	return nil, fmt.Errorf("a value of type %s: %w", t, ErrCannotCarry)
}

// encodeMap encodes a map's entries as a list of [key, value] pairs.
func (e *Encoder) encodeMap(v reflect.Value, depth int) (any, error) {
	out := make([]any, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		k, err := e.encode(it.Key(), depth+1)
		if err != nil {
			return nil, fmt.Errorf("map key: %w", err)
		}
		x, err := e.encode(it.Value(), depth+1)
		if err != nil {
			return nil, fmt.Errorf("[%v]: %w", it.Key(), err)
		}
		out = append(out, []any{k, x})
	}
	return out, nil
}

// encodeDynamic encodes what an interface holds, with its type so the
// child can rebuild it: descriptors (conns, listeners), errors by their text
// (an error becomes errors.New of its message: its dynamic type is lost),
// and other compiled types by name.
func (e *Encoder) encodeDynamic(v reflect.Value, depth int) (any, error) {
	if v.Type().Implements(listenerType) || v.Type().Implements(connType) {
		fd, err := socketFD(v.Interface())
		if err != nil {
			return nil, err
		}
		e.FDs = append(e.FDs, fd)
		kind := "conn"
		if v.Type().Implements(listenerType) {
			kind = "listener"
		}
		return map[string]any{kind: fd}, nil
	}
	if err, ok := v.Interface().(error); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			// A typed nil error: its Error method may not cope with nil.
			return nil, nil
		}
		return map[string]any{"error": err.Error()}, nil
	}
	x, err := e.encode(v, depth+1)
	if err != nil {
		return nil, err
	}
	return map[string]any{"type": v.Type().String(), "value": x}, nil
}

// isNetSocket reports whether t is a pointer type of package net that is a
// net.Listener or net.Conn.
func isNetSocket(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "net" &&
		(t.Implements(listenerType) || t.Implements(connType))
}

// socketFD returns the descriptor behind a net.Conn or net.Listener.
func socketFD(x any) (int, error) {
	sc, ok := x.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("a %T: %w", x, ErrCannotCarry)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("descriptor of %T: %w", x, err)
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return -1, fmt.Errorf("descriptor of %T: %w", x, err)
	}
	return fd, nil
}

// unwrap returns the value yaegi keeps inside its wrapper for interpreted
// values with methods (an unexported interp.valueInterface); other values
// are returned as they are.
func unwrap(v reflect.Value) reflect.Value {
	if !v.IsValid() || v.Kind() != reflect.Struct || v.Type().PkgPath() != "github.com/traefik/yaegi/interp" {
		return v
	}
	f := addressable(v).FieldByName("value")
	if !f.IsValid() || f.Type() != reflect.TypeFor[reflect.Value]() {
		return v
	}
	return unwrap(readable(f).Interface().(reflect.Value))
}

// addressable returns v, or an addressable copy of it.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// readable returns v (an addressable field) in a form whose Interface may
// be called even when the field is unexported: the encoder copies values,
// it does not call their methods.
func readable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}
