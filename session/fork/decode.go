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
)

// TypeLookup finds a compiled type by the name reflect gives it
// ("*syscall.SockaddrInet4"), for values held in interfaces.
type TypeLookup func(name string) (reflect.Type, bool)

// Decode pours a tree made by Encoder.Encode into dst, which must be
// settable and of the type the value had (or, for interpreted types, of the
// same structure). Descriptors are taken to be open at the numbers they had.
func Decode(tree any, dst reflect.Value, types TypeLookup) error {
	if tree == nil {
		dst.SetZero()
		return nil
	}
	t := dst.Type()
	bad := func() error { return fmt.Errorf("decode %T into %s: mismatched encoding", tree, t) }
	if isNetSocket(t) {
		return decodeDynamic(tree, dst, types)
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
		return decodeList(list, dst, types)
	case reflect.Array:
		list, ok := tree.([]any)
		if !ok || len(list) != t.Len() {
			return bad()
		}
		return decodeList(list, dst, types)
	case reflect.Map:
		pairs, ok := tree.([]any)
		if !ok {
			return bad()
		}
		m := reflect.MakeMapWithSize(t, len(pairs))
		for _, p := range pairs {
			kv, ok := p.([]any)
			if !ok || len(kv) != 2 {
				return bad()
			}
			k, v := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			if err := Decode(kv[0], k, types); err != nil {
				return err
			}
			if err := Decode(kv[1], v, types); err != nil {
				return err
			}
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
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
			if err := Decode(f, fv, types); err != nil {
				return fmt.Errorf(".%s: %w", t.Field(i).Name, err)
			}
		}
	case reflect.Pointer:
		box, ok := tree.([]any)
		if !ok || len(box) != 1 {
			return bad()
		}
		p := reflect.New(t.Elem())
		if err := Decode(box[0], p.Elem(), types); err != nil {
			return err
		}
		dst.Set(p)
	case reflect.Interface:
		return decodeDynamic(tree, dst, types)
	default:
		return fmt.Errorf("decode into %s: %w", t, ErrCannotCarry)
	}
	return nil
}

func decodeList(list []any, dst reflect.Value, types TypeLookup) error {
	for i, x := range list {
		if err := Decode(x, dst.Index(i), types); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeDynamic rebuilds a value held in an interface.
func decodeDynamic(tree any, dst reflect.Value, types TypeLookup) error {
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
		if err := Decode(m["value"], x, types); err != nil {
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
