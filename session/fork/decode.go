package fork

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strconv"

	"golang.org/x/sys/unix"

	"gosys/rt/cellctl"
)

// TypeLookup finds a compiled type by the name reflect gives it
// ("*syscall.SockaddrInet4"), for values held in interfaces.
type TypeLookup func(name string) (reflect.Type, bool)

// A Decoder rebuilds values made by one Encoder: what its pointers and maps
// point to is built once, so values that shared it in the parent share it.
type Decoder struct {
	types    TypeLookup
	pointers map[string]any           // Encoder.Pointers
	built    map[string]reflect.Value // pointers and maps built so far, by id
}

// NewDecoder returns a decoder of trees made by an Encoder whose Pointers
// are pointers; types finds compiled types by name for interface values.
func NewDecoder(types TypeLookup, pointers map[string]any) *Decoder {
	return &Decoder{types: types, pointers: pointers, built: map[string]reflect.Value{}}
}

// Decode pours tree, made by one Encoder with no pointer or map in it, into
// dst: NewDecoder(types, nil).Decode(tree, dst).
func Decode(tree any, dst reflect.Value, types TypeLookup) error {
	return NewDecoder(types, nil).Decode(tree, dst)
}

// Decode pours a tree made by Encoder.Encode into dst, which must be
// settable and of the type the value had (or, for interpreted types, of the
// same structure). Descriptors are taken to be open at the numbers they had.
// Each pointer it rebuilds is reported to cellctl.Inherited.
func (d *Decoder) Decode(tree any, dst reflect.Value) error {
	if tree == nil {
		dst.SetZero()
		return nil
	}
	t := dst.Type()
	bad := func() error { return fmt.Errorf("decode %T into %s: mismatched encoding", tree, t) }
	if isNetSocket(t) {
		return d.decodeDynamic(tree, dst)
	}
	if t == fileType {
		m, ok := tree.(map[string]any)
		fd, ok2 := m["fd"].(float64)
		if !ok || !ok2 {
			return bad()
		}
		name, _ := m["name"].(string)
		dst.Set(reflect.ValueOf(os.NewFile(uintptr(fd), name)))
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		b, ok := tree.(bool)
		if !ok {
			return bad()
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(str(tree), 10, 64)
		if err != nil {
			return fmt.Errorf("decode %s: %w", t, err)
		}
		dst.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(str(tree), 10, 64)
		if err != nil {
			return fmt.Errorf("decode %s: %w", t, err)
		}
		dst.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(str(tree), 64)
		if err != nil {
			return fmt.Errorf("decode %s: %w", t, err)
		}
		dst.SetFloat(f)
	case reflect.Complex64, reflect.Complex128:
		parts, ok := tree.([]any)
		if !ok || len(parts) != 2 {
			return bad()
		}
		re, err1 := strconv.ParseFloat(str(parts[0]), 64)
		im, err2 := strconv.ParseFloat(str(parts[1]), 64)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("decode %s: %w", t, err)
		}
		dst.SetComplex(complex(re, im))
	case reflect.String:
		switch x := tree.(type) {
		case string:
			dst.SetString(x)
		case map[string]any: // bytes that are not UTF-8, see Encoder
			b, err := base64.StdEncoding.DecodeString(str(x["bytes"]))
			if err != nil {
				return fmt.Errorf("decode %s: %w", t, err)
			}
			dst.SetString(string(b))
		default:
			return bad()
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, err := base64.StdEncoding.DecodeString(str(tree))
			if err != nil {
				return fmt.Errorf("decode %s: %w", t, err)
			}
			dst.SetBytes(b)
			return nil
		}
		list, ok := tree.([]any)
		if !ok {
			return bad()
		}
		dst.Set(reflect.MakeSlice(t, len(list), len(list)))
		return d.decodeList(list, dst)
	case reflect.Array:
		list, ok := tree.([]any)
		if !ok || len(list) != t.Len() {
			return bad()
		}
		return d.decodeList(list, dst)
	case reflect.Map:
		return d.deref(tree, dst, func(target any) (reflect.Value, func() error, error) {
			pairs, ok := target.([]any)
			if !ok {
				return reflect.Value{}, nil, bad()
			}
			m := reflect.MakeMapWithSize(t, len(pairs))
			return m, func() error { return d.fillMap(pairs, m) }, nil
		})
	case reflect.Struct:
		fields, ok := tree.([]any)
		if !ok || len(fields) != t.NumField() {
			return bad()
		}
		for i, f := range fields {
			fv := dst.Field(i)
			if !fv.CanSet() {
				fv = readable(fv)
			}
			if err := d.Decode(f, fv); err != nil {
				return fmt.Errorf(".%s: %w", t.Field(i).Name, err)
			}
		}
	case reflect.Pointer:
		return d.deref(tree, dst, func(target any) (reflect.Value, func() error, error) {
			p := reflect.New(t.Elem())
			return p, func() error {
				if err := d.Decode(target, p.Elem()); err != nil {
					return err
				}
				cellctl.Inherited(p)
				return nil
			}, nil
		})
	case reflect.Interface:
		return d.decodeDynamic(tree, dst)
	default:
		return fmt.Errorf("decode into %s: %w", t, ErrCannotCarry)
	}
	return nil
}

// deref sets dst, a pointer or map, to the value tree refers to, built at
// its first reference: make returns the new value and how to fill it, which
// runs after the value is recorded, so a cycle back to it finds it. A value
// built for a dst of another type (an interpreted type the child declared
// twice) is not shared: dst gets a copy of its own.
func (d *Decoder) deref(tree any, dst reflect.Value, make func(target any) (reflect.Value, func() error, error)) error {
	m, ok := tree.(map[string]any)
	id, ok2 := m["ref"].(string)
	if !ok || !ok2 {
		return fmt.Errorf("decode %T into %s: mismatched encoding", tree, dst.Type())
	}
	if v, ok := d.built[id]; ok && v.Type() == dst.Type() {
		dst.Set(v)
		return nil
	}
	target, ok := d.pointers[id]
	if !ok {
		return fmt.Errorf("decode %s: no value for reference %s", dst.Type(), id)
	}
	v, fill, err := make(target)
	if err != nil {
		return err
	}
	if _, done := d.built[id]; !done {
		d.built[id] = v
	}
	if err := fill(); err != nil {
		return err
	}
	dst.Set(v)
	return nil
}

// fillMap puts a map's [key, value] pairs in m.
func (d *Decoder) fillMap(pairs []any, m reflect.Value) error {
	t := m.Type()
	for _, p := range pairs {
		kv, ok := p.([]any)
		if !ok || len(kv) != 2 {
			return fmt.Errorf("decode %s: mismatched encoding", t)
		}
		k, v := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		if err := d.Decode(kv[0], k); err != nil {
			return err
		}
		if err := d.Decode(kv[1], v); err != nil {
			return err
		}
		m.SetMapIndex(k, v)
	}
	return nil
}

func (d *Decoder) decodeList(list []any, dst reflect.Value) error {
	for i, x := range list {
		if err := d.Decode(x, dst.Index(i)); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeDynamic rebuilds a value held in an interface.
func (d *Decoder) decodeDynamic(tree any, dst reflect.Value) error {
	types := d.types
	m, ok := tree.(map[string]any)
	if !ok {
		return fmt.Errorf("decode interface %s: mismatched encoding", dst.Type())
	}
	var v any
	switch {
	case m["conn"] != nil || m["listener"] != nil:
		x, err := rebuildSocket(m)
		if err != nil {
			return err
		}
		v = x
	case m["error"] != nil:
		text, ok := m["error"].(string)
		if !ok {
			return fmt.Errorf("decode error value: mismatched encoding")
		}
		v = errors.New(text)
	default:
		name := str(m["type"])
		t, ok := basicTypes[name]
		if !ok && types != nil {
			t, ok = types(name)
		}
		if !ok {
			return fmt.Errorf("decode interface value of type %s: type unknown in the child: %w", name, ErrCannotCarry)
		}
		x := reflect.New(t).Elem()
		if err := d.Decode(m["value"], x); err != nil {
			return err
		}
		if !t.AssignableTo(dst.Type()) {
			return fmt.Errorf("decode: %s does not fit in %s", t, dst.Type())
		}
		dst.Set(x)
		return nil
	}
	rv := reflect.ValueOf(v)
	if !rv.Type().AssignableTo(dst.Type()) {
		return fmt.Errorf("decode: a %s does not fit in %s: %w", rv.Type(), dst.Type(), ErrCannotCarry)
	}
	dst.Set(rv)
	return nil
}

// rebuildSocket makes a net.Conn or net.Listener of the descriptor a
// dynamic value names. It works on a duplicate, so the inherited number
// stays open (other values may hold it too, and the child's table must
// match the parent's).
func rebuildSocket(m map[string]any) (any, error) {
	kind := "conn"
	if m["listener"] != nil {
		kind = "listener"
	}
	n, ok := m[kind].(float64)
	if !ok || n < 0 || n != float64(int(n)) {
		return nil, fmt.Errorf("decode %s: bad descriptor %v", kind, m[kind])
	}
	dup, err := unix.FcntlInt(uintptr(int(n)), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("decode %s on fd %d: %w", kind, int(n), err)
	}
	f := os.NewFile(uintptr(dup), kind)
	defer f.Close()
	if kind == "listener" {
		l, err := net.FileListener(f)
		if err != nil {
			return nil, fmt.Errorf("rebuild net.Listener: %w", err)
		}
		return l, nil
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("rebuild net.Conn: %w", err)
	}
	return c, nil
}

var basicTypes = map[string]reflect.Type{}

func init() {
	for _, v := range []any{false, 0, int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0),
		uint32(0), uint64(0), uintptr(0), 0.0, float32(0), complex64(0), 0i, "", []byte(nil), []string(nil),
		[]int(nil), map[string]any(nil), []any(nil)} {
		basicTypes[reflect.TypeOf(v).String()] = reflect.TypeOf(v)
	}
}

func str(x any) string {
	s, _ := x.(string)
	return s
}
