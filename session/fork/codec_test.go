package fork_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"gosys/session/fork"
)

// throughJSON passes tree through encoding/json, as the payload does on its
// way to the child. Decode expects the tree in that form (numbers as
// float64, lists as []any).
func throughJSON(t *testing.T, tree any) any {
	t.Helper()
	b, err := json.Marshal(tree)
	if err != nil {
		t.Fatalf("marshal tree %#v: %v", tree, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal tree %s: %v", b, err)
	}
	return out
}

// encode encodes the variable *p (so its static type, interfaces included,
// is what is encoded) and returns the tree after JSON, and the encoder.
func encode[T any](t *testing.T, p *T) (any, *fork.Encoder) {
	t.Helper()
	enc := &fork.Encoder{}
	tree, err := enc.Encode(reflect.ValueOf(p).Elem())
	if err != nil {
		t.Fatalf("Encode(%T %#v): %v", *p, *p, err)
	}
	if enc.Pointers != nil {
		enc.Pointers = throughJSON(t, enc.Pointers).(map[string]any)
	}
	return throughJSON(t, tree), enc
}

// decode decodes tree into a fresh T.
func decode[T any](t *testing.T, tree any, types fork.TypeLookup, pointers map[string]any) T {
	t.Helper()
	var v T
	if err := fork.NewDecoder(types, pointers).Decode(tree, reflect.ValueOf(&v).Elem()); err != nil {
		t.Fatalf("Decode(%#v) into %T: %v", tree, v, err)
	}
	return v
}

func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	tree, enc := encode(t, &v)
	if len(enc.FDs) != 0 {
		t.Errorf("Encode(%T) recorded descriptors %v", v, enc.FDs)
	}
	return decode[T](t, tree, nil, enc.Pointers)
}

// check round-trips v and compares with reflect.DeepEqual.
func check[T any](t *testing.T, v T) {
	t.Helper()
	if got := roundTrip(t, v); !reflect.DeepEqual(got, v) {
		t.Errorf("round trip of %T:\n got %#v\nwant %#v", v, got, v)
	}
}

func TestCodecIntegers(t *testing.T) {
	for _, v := range []int{0, 1, -1, math.MaxInt, math.MinInt} {
		check(t, v)
	}
	for _, v := range []int8{0, math.MaxInt8, math.MinInt8} {
		check(t, v)
	}
	for _, v := range []int16{math.MaxInt16, math.MinInt16} {
		check(t, v)
	}
	for _, v := range []int32{math.MaxInt32, math.MinInt32} {
		check(t, v)
	}
	// Beyond 2^53: a JSON number would lose these, a string keeps them.
	for _, v := range []int64{math.MaxInt64, math.MinInt64, 1<<53 + 1} {
		check(t, v)
	}
	for _, v := range []uint{0, math.MaxUint} {
		check(t, v)
	}
	for _, v := range []uint8{0, math.MaxUint8} {
		check(t, v)
	}
	check(t, uint16(math.MaxUint16))
	check(t, uint32(math.MaxUint32))
	for _, v := range []uint64{math.MaxUint64, 1<<53 + 1} {
		check(t, v)
	}
	check(t, uintptr(math.MaxUint64))
	check(t, true)
	check(t, false)
	type myInt int16
	check(t, myInt(-7))
}

func TestCodecFloats(t *testing.T) {
	for _, v := range []float64{0, 1.5, -2.25, 0.1, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), 1e300, 123456789.123456789} {
		check(t, v)
	}
	for _, v := range []float32{0, 0.1, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(-1))} {
		check(t, v)
	}
	// FormatFloat writes "NaN", "+Inf", "-Inf" and "-0"; ParseFloat reads
	// them back.
	if got := roundTrip(t, math.NaN()); !math.IsNaN(got) {
		t.Errorf("NaN came back as %v", got)
	}
	if got := roundTrip(t, float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("float32 NaN came back as %v", got)
	}
	if got := roundTrip(t, math.Copysign(0, -1)); got != 0 || !math.Signbit(got) {
		t.Errorf("-0 came back as %v (sign %v)", got, math.Signbit(got))
	}
	for _, v := range []complex128{0, 1 + 2i, complex(math.MaxFloat64, -math.SmallestNonzeroFloat64),
		complex(math.Inf(1), math.Inf(-1))} {
		check(t, v)
	}
	check(t, complex64(complex(float32(0.1), float32(-3e38))))
	if got := roundTrip(t, complex(math.NaN(), 1)); !math.IsNaN(real(got)) || imag(got) != 1 {
		t.Errorf("complex(NaN, 1) came back as %v", got)
	}
}

func TestCodecStrings(t *testing.T) {
	for _, v := range []string{"", "hello", "héllo, 世界 🎉", "\x00nul\x00", "line\nbreak\t\"quoted\"\\", "\u2028"} {
		check(t, v)
	}
}

// TestCodecInvalidUTF8String: a Go string is any bytes. The encoder puts a
// string in the tree as is, and the payload is JSON, which replaces every
// invalid byte with U+FFFD: the child gets different bytes from the parent.
func TestCodecInvalidUTF8String(t *testing.T) {
	for _, v := range []string{"\xff", "ok\xfe\xffok", "half a rune: \xe4\xb8", string([]byte{0xc0, 0x80})} {
		if got := roundTrip(t, v); got != v {
			t.Errorf("string %q came back as %q", v, got)
		}
	}
	m := map[string]int{"\xffkey": 1}
	if got := roundTrip(t, m); !reflect.DeepEqual(got, m) {
		t.Errorf("map key %q came back as %v", "\xffkey", got)
	}
}

// TestCodecBytes: []byte travels as base64; nil stays nil and an empty,
// non-nil slice stays empty and non-nil.
func TestCodecBytes(t *testing.T) {
	if got := roundTrip(t, []byte(nil)); got != nil {
		t.Errorf("nil []byte came back as %#v", got)
	}
	if got := roundTrip(t, []byte{}); got == nil || len(got) != 0 {
		t.Errorf("empty []byte came back as %#v, want empty and non-nil", got)
	}
	check(t, []byte{0, 1, 2, 0xff, 0xfe})
	check(t, []byte("\xff not UTF-8 \xc0"))
	type blob []byte
	check(t, blob("named"))
	check(t, [][]byte{nil, {}, {1}})
	// Likewise for other slices and maps: nil and empty are told apart.
	if got := roundTrip(t, []int(nil)); got != nil {
		t.Errorf("nil []int came back as %#v", got)
	}
	if got := roundTrip(t, []int{}); got == nil {
		t.Error("empty []int came back nil")
	}
	if got := roundTrip(t, map[string]int(nil)); got != nil {
		t.Errorf("nil map came back as %#v", got)
	}
	if got := roundTrip(t, map[string]int{}); got == nil {
		t.Error("empty map came back nil")
	}
}

type inner struct {
	Name  string
	tags  []string
	score float64
}

type outer struct {
	ID     int
	hidden string
	In     inner
	inPtr  *inner
	Items  map[string][]inner
	grid   [2][3]int8
	Any    any
	mu     sync.Mutex
	Nil    *int
	inner
}

func TestCodecComposite(t *testing.T) {
	check(t, [3]int{1, -2, 3})
	check(t, [0]int{})
	check(t, [4]byte{1, 2, 3, 255})
	check(t, [2][2]string{{"a", "b"}, {"", "d"}})
	check(t, [][]int{{1}, nil, {}, {2, 3}})
	check(t, map[int]string{1: "one", -2: "minus two"})
	check(t, map[[2]int]bool{{1, 2}: true, {3, 4}: false})
	check(t, map[string]map[string][]float64{"a": {"b": {1, 2}}, "c": nil})
	check(t, map[bool][]string{true: {"x"}})
	check(t, []map[string]int{{"a": 1}, nil})
	check(t, struct{}{})
	check(t, struct {
		a int
		b string
	}{1, "two"})
	check(t, outer{
		ID:     7,
		hidden: "unexported",
		In:     inner{Name: "in", tags: []string{"t1", "t2"}, score: 0.5},
		inPtr:  &inner{Name: "ptr"},
		Items:  map[string][]inner{"k": {{Name: "x", score: -1}}},
		grid:   [2][3]int8{{1, 2, 3}, {-4, -5, -6}},
		Any:    "held",
		inner:  inner{Name: "embedded", tags: []string{}},
	})
}

func TestCodecPointers(t *testing.T) {
	check(t, (*int)(nil))
	n := 42
	if got := roundTrip(t, &n); got == nil || *got != 42 || got == &n {
		t.Errorf("&42 came back as %v", got)
	}
	pn := &n
	if got := roundTrip(t, &pn); got == nil || *got == nil || **got != 42 {
		t.Errorf("**int came back wrong")
	}
	check(t, &inner{Name: "p", tags: []string{"a"}})
	check(t, []*int{nil, &n})
}

// TestCodecSharing: what pointers and maps share in the parent they share
// in the child, as after fork(2); cycles are carried; a list longer than
// any nesting limit of the past is fine.
func TestCodecSharing(t *testing.T) {
	n := 42
	type pair struct{ A, B *int }
	got := roundTrip(t, pair{&n, &n})
	if got.A == nil || got.B == nil || *got.A != 42 || got.A != got.B {
		t.Fatalf("two pointers to one int came back as %+v (want one pointer)", got)
	}
	*got.A = 7
	if *got.B != 7 {
		t.Error("a write through one pointer is not seen through the other")
	}

	m := map[string]int{"a": 1}
	type maps struct {
		M1, M2 map[string]int
		Other  map[string]int
	}
	gm := roundTrip(t, maps{m, m, map[string]int{"a": 1}})
	gm.M1["b"] = 2
	if gm.M2["b"] != 2 || gm.Other["b"] != 0 {
		t.Errorf("shared map not shared, or a distinct map shared: %+v", gm)
	}

	type node struct {
		V    int
		Next *node
	}
	ring := &node{V: 1}
	ring.Next = &node{V: 2, Next: ring}
	gr := roundTrip(t, ring)
	if gr.V != 1 || gr.Next.V != 2 || gr.Next.Next != gr {
		t.Errorf("a two-node ring came back as %d -> %d -> (same as first: %v)", gr.V, gr.Next.V, gr.Next.Next == gr)
	}

	var list *node
	for i := range 5000 {
		list = &node{V: i, Next: list}
	}
	gl := roundTrip(t, list)
	count := 0
	for p := gl; p != nil; p = p.Next {
		count++
	}
	if count != 5000 || gl.V != 4999 {
		t.Errorf("a list of 5000 came back with %d nodes, head %d", count, gl.V)
	}

	// Across values encoded by one encoder and decoded by one decoder
	// (the variables of a fork): still one pointer.
	enc := &fork.Encoder{}
	t1, err1 := enc.Encode(reflect.ValueOf(&n))
	t2, err2 := enc.Encode(reflect.ValueOf(pair{&n, nil}))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	ptrs := throughJSON(t, enc.Pointers).(map[string]any)
	dec := fork.NewDecoder(nil, ptrs)
	var p1 *int
	var p2 pair
	if err := dec.Decode(throughJSON(t, t1), reflect.ValueOf(&p1).Elem()); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(throughJSON(t, t2), reflect.ValueOf(&p2).Elem()); err != nil {
		t.Fatal(err)
	}
	if p1 == nil || p1 != p2.A {
		t.Errorf("one pointer in two variables came back as two: %p, %p", p1, p2.A)
	}
	// A reference with no value is an error, not a panic.
	if err := fork.NewDecoder(nil, nil).Decode(map[string]any{"ref": "9"}, reflect.ValueOf(&p1).Elem()); err == nil {
		t.Error("Decode of a dangling reference: no error")
	}
}

func TestCodecInterfaces(t *testing.T) {
	for _, v := range []any{nil, 0, -5, int8(-8), int16(16), int32(32), int64(math.MinInt64), uint(7), uint8(8),
		uint16(16), uint32(32), uint64(math.MaxUint64), uintptr(9), 1.5, float32(2.5), complex64(1 + 1i), 2 - 3i,
		"s", true, []byte("bytes"), []string{"a", "b"}, []int{1, 2}, []any{1, "two", nil, []any{3.5}},
		map[string]any{"k": 1, "nested": map[string]any{"z": "deep"}}} {
		check(t, v)
	}
	// A compiled type outside the basic ones needs the TypeLookup.
	type point struct{ X, Y int }
	var v any = point{1, 2}
	tree, venc := encode(t, &v)
	var dst any
	err := fork.Decode(tree, reflect.ValueOf(&dst).Elem(), nil)
	if !errors.Is(err, fork.ErrCannotCarry) {
		t.Errorf("Decode of an unknown dynamic type: err = %v, want ErrCannotCarry", err)
	}
	lookup := func(name string) (reflect.Type, bool) {
		if name == reflect.TypeFor[point]().String() {
			return reflect.TypeFor[point](), true
		}
		return nil, false
	}
	if got := decode[any](t, tree, lookup, venc.Pointers); got != v {
		t.Errorf("with a TypeLookup: got %#v, want %#v", got, v)
	}
	// A named interface type holding a basic value.
	var s fmt.Stringer
	check(t, s)
	var r io.Reader
	check(t, r)
}

type netTimeout struct{}

func (netTimeout) Error() string   { return "i/o timeout (test)" }
func (netTimeout) Timeout() bool   { return true }
func (netTimeout) Temporary() bool { return true }

// TestCodecErrors: an error travels as its text and comes back as
// errors.New of it; its type and wrapped errors are lost.
func TestCodecErrors(t *testing.T) {
	var e error = fmt.Errorf("open config: %w", os.ErrNotExist)
	got := roundTrip(t, e)
	if got == nil || got.Error() != e.Error() {
		t.Fatalf("error came back as %v, want text %q", got, e)
	}
	if errors.Is(got, os.ErrNotExist) {
		t.Error("wrapped error survived; the codec documents that it does not")
	}
	if reflect.TypeOf(got) != reflect.TypeOf(errors.New("")) {
		t.Errorf("error came back as a %T, want errors.New's type", got)
	}
	var none error
	if got := roundTrip(t, none); got != nil {
		t.Errorf("nil error came back as %v", got)
	}
	// Also inside any and inside structs.
	var a any = io.EOF
	if got := roundTrip(t, a); got.(error).Error() != "EOF" {
		t.Errorf("any(io.EOF) came back as %v", got)
	}
	type result struct {
		N   int
		err error
	}
	if got := roundTrip(t, result{3, io.ErrUnexpectedEOF}); got.N != 3 || got.err == nil || got.err.Error() != io.ErrUnexpectedEOF.Error() {
		t.Errorf("struct with error came back as %+v", got)
	}
}

// TestDecodeErrorIntoNarrowerInterface: a value held in an interface that
// implements error is encoded as {"error": text} whatever the interface's
// own type. A variable of type net.Error (as `ne, ok := err.(net.Error)`
// declares) then comes back as errors.New's type, which is not a net.Error,
// and Decode's reflect.Set panics instead of returning an error.
func TestDecodeErrorIntoNarrowerInterface(t *testing.T) {
	var ne net.Error = netTimeout{}
	tree, _ := encode(t, &ne)
	var dst net.Error
	err := noPanic(t, func() error { return fork.Decode(tree, reflect.ValueOf(&dst).Elem(), nil) })
	if err == nil && (dst == nil || dst.Error() != ne.Error()) {
		t.Errorf("Decode gave %v and no error", dst)
	}
}

// TestEncodeTypedNilError: an error variable holding a nil pointer (the
// classic typed nil) makes Encode call its Error method, which dereferences
// the nil pointer: Encode panics instead of returning an error or nil.
func TestEncodeTypedNilError(t *testing.T) {
	var pe *os.PathError
	var e error = pe
	noPanic(t, func() error {
		_, err := (&fork.Encoder{}).Encode(reflect.ValueOf(&e).Elem())
		return err
	})
}

// noPanic runs f and reports a panic as a test failure.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panic: %v", r)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

func TestCodecCannotCarry(t *testing.T) {
	var locked sync.Mutex
	locked.Lock()
	var wlocked, rlocked sync.RWMutex
	wlocked.Lock()
	rlocked.RLock()
	type withChan struct {
		N  int
		ch chan int
	}
	type node struct{ next *node }
	var deep *node
	for range 10001 {
		deep = &node{deep}
	}
	n := 1
	cases := []struct {
		name string
		v    any // a pointer to the variable to encode
	}{
		{"channel", ptr(make(chan int))},
		{"nil channel", ptr((chan int)(nil))},
		{"func", ptr(func() {})},
		{"nil func", ptr((func())(nil))},
		{"locked mutex", &locked},
		{"write-locked RWMutex", &wlocked},
		{"read-locked RWMutex", &rlocked},
		{"struct with a channel", ptr(withChan{1, make(chan int)})},
		{"slice of funcs", ptr([]func(){nil})},
		{"map of channels", ptr(map[string]chan int{"c": nil})},
		{"channel in an interface", ptr(any(make(chan bool)))},
		{"unsafe.Pointer", ptr(unsafe.Pointer(&n))},
		{"nested past 10000 levels", ptr(deep)},
		{"struct holding a locked mutex", ptr(struct {
			mu *sync.Mutex
		}{&locked})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := (&fork.Encoder{}).Encode(reflect.ValueOf(c.v).Elem())
			if !errors.Is(err, fork.ErrCannotCarry) {
				t.Errorf("Encode: err = %v, want ErrCannotCarry", err)
			}
		})
	}
	// Unlocked mutexes are fine: they arrive unlocked.
	type guarded struct {
		mu sync.Mutex
		rw sync.RWMutex
		N  int
	}
	if got := roundTrip(t, guarded{N: 3}); got.N != 3 || !got.mu.TryLock() || !got.rw.TryLock() {
		t.Errorf("struct with unlocked mutexes came back as N=%d or locked", got.N)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCodecFile: an *os.File travels as its descriptor number and name; the
// number is recorded in FDs so the starter keeps it open in the child.
func TestCodecFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tree, enc := encode(t, &f)
	if want := []int{int(f.Fd())}; !reflect.DeepEqual(enc.FDs, want) {
		t.Fatalf("FDs = %v, want %v", enc.FDs, want)
	}
	m, ok := tree.(map[string]any)
	if !ok || m["fd"] != float64(f.Fd()) || m["name"] != path {
		t.Fatalf("tree = %#v", tree)
	}
	// In the child the descriptor is inherited at its number; here a
	// duplicate stands in for it, so that the decoded *os.File owns it.
	dup := dupFD(t, int(f.Fd()))
	m["fd"] = float64(dup)
	got := decode[*os.File](t, tree, nil, nil)
	defer got.Close()
	if got.Fd() != uintptr(dup) || got.Name() != path {
		t.Errorf("decoded file fd %d name %q, want %d %q", got.Fd(), got.Name(), dup, path)
	}
	if _, err := got.WriteString("via the child"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "via the child" {
		t.Errorf("file holds %q", b)
	}

	var none *os.File
	tree, enc = encode(t, &none)
	if tree != nil || len(enc.FDs) != 0 {
		t.Errorf("nil *os.File encoded as %#v with FDs %v", tree, enc.FDs)
	}
	// Two files in one value: both recorded, in order.
	g, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	both := []*os.File{f, nil, g}
	_, enc = encode(t, &both)
	if want := []int{int(f.Fd()), int(g.Fd())}; !reflect.DeepEqual(enc.FDs, want) {
		t.Errorf("FDs = %v, want %v", enc.FDs, want)
	}
}

func dupFD(t *testing.T, fd int) int {
	t.Helper()
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// tcpFD returns the descriptor behind a *net.TCPConn or *net.TCPListener.
func tcpFD(t *testing.T, c any) int {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		t.Fatal(err)
	}
	return fd
}

// TestCodecConn: a net.Conn travels as its descriptor, recorded in FDs, and
// comes back as a working connection.
func TestCodecConn(t *testing.T) {
	client, server := tcpPair(t)
	tree, enc := encode(t, &client)
	fd := tcpFD(t, client)
	if want := []int{fd}; !reflect.DeepEqual(enc.FDs, want) {
		t.Fatalf("FDs = %v, want %v", enc.FDs, want)
	}
	m, ok := tree.(map[string]any)
	if !ok || m["conn"] != float64(fd) {
		t.Fatalf("tree = %#v", tree)
	}
	// The duplicate stands in for the inherited descriptor; it is left
	// to the decoded value (not closed here).
	m["conn"] = float64(dupFD(t, fd))
	got := decode[net.Conn](t, tree, nil, nil)
	defer got.Close()
	if got.LocalAddr().String() != client.LocalAddr().String() {
		t.Errorf("decoded conn local address %v, want %v", got.LocalAddr(), client.LocalAddr())
	}
	if _, err := server.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(got, buf); err != nil || string(buf) != "ping" {
		t.Errorf("read through the decoded conn: %q %v", buf, err)
	}

	// Held in any, or in a struct field of an interface type, it is a conn too.
	type holder struct {
		w io.Writer
	}
	h := holder{client}
	_, enc = encode(t, &h)
	if want := []int{fd}; !reflect.DeepEqual(enc.FDs, want) {
		t.Errorf("io.Writer holding a conn: FDs = %v, want %v", enc.FDs, want)
	}
}

// TestCodecListener: a net.Listener travels as its descriptor.
func TestCodecListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tree, enc := encode(t, &l)
	fd := tcpFD(t, l)
	if want := []int{fd}; !reflect.DeepEqual(enc.FDs, want) {
		t.Fatalf("FDs = %v, want %v", enc.FDs, want)
	}
	tree.(map[string]any)["listener"] = float64(dupFD(t, fd))
	got := decode[net.Listener](t, tree, nil, nil)
	defer got.Close()
	if got.Addr().String() != l.Addr().String() {
		t.Errorf("decoded listener on %v, want %v", got.Addr(), l.Addr())
	}
}

// TestDecodeConnLeavesDescriptorOpen: Decode wraps the descriptor of a conn
// in an *os.File only to pass it to net.FileConn (which works on a
// duplicate), then drops the file. The garbage collector closes it, and with
// it the descriptor number the child inherited: a second value holding the
// same conn (two variables, or a conn and an io.Writer) then fails to decode,
// or gets whatever the number was reused for.
func TestDecodeConnLeavesDescriptorOpen(t *testing.T) {
	client, _ := tcpPair(t)
	fd := dupFD(t, tcpFD(t, client))
	tree := map[string]any{"conn": float64(fd)}
	var first net.Conn
	if err := fork.Decode(tree, reflect.ValueOf(&first).Elem(), nil); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	closed := waitClosedByGC(fd)
	var second net.Conn
	err := fork.Decode(tree, reflect.ValueOf(&second).Elem(), nil)
	if second != nil {
		defer second.Close()
	}
	if closed || err != nil {
		t.Errorf("descriptor %d closed by the GC after Decode: %v; second Decode of the same conn: %v", fd, closed, err)
	}
}

// waitClosedByGC runs the garbage collector and finalizers a few times and
// reports whether fd was closed meanwhile.
func waitClosedByGC(fd int) bool {
	for range 20 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
			return true
		}
	}
	return false
}

// TestDecodeMalformedDescriptor: Decode must not panic on a tree it did not
// make; decodeDynamic asserts m["conn"] and m["listener"] are float64
// without checking.
func TestDecodeMalformedDescriptor(t *testing.T) {
	for _, tree := range []any{
		map[string]any{"conn": "3"},
		map[string]any{"listener": true},
		map[string]any{"conn": []any{}},
	} {
		var dst any
		noPanic(t, func() error { return fork.Decode(tree, reflect.ValueOf(&dst).Elem(), nil) })
	}
}

// TestDecodeMismatched: trees of the wrong shape give errors, not panics.
func TestDecodeMismatched(t *testing.T) {
	cases := []struct {
		tree any
		dst  any // pointer to a destination
	}{
		{"x", new(bool)},
		{true, new(int)},
		{"1.5", new(int)},
		{"-1", new(uint)},
		{"99999999999999999999", new(int64)},
		{"abc", new(float64)},
		{1.5, new(float64)}, // a JSON number, not the encoder's string
		{[]any{"1"}, new(complex128)},
		{[]any{"1", "x"}, new(complex128)},
		{1.0, new(string)},
		{"not base64!", new([]byte)},
		{"x", new([]int)},
		{[]any{"1", "2"}, new([3]int)},
		{[]any{"x"}, new([]int)},
		{[]any{[]any{"1"}}, new(map[int]int)},
		{[]any{[]any{"a", "1", "extra"}}, new(map[string]int)},
		{map[string]any{}, new(map[string]int)},
		{[]any{"1"}, new(struct{ A, B int })},
		{"x", new(*int)},
		{[]any{}, new(*int)},
		{[]any{"1", "2"}, new(*int)},
		{"x", new(any)},
		{map[string]any{"type": "no.Such", "value": "1"}, new(any)},
		{map[string]any{"type": "int", "value": "x"}, new(any)},
		{map[string]any{"type": "string", "value": "s"}, new(error)},
		{map[string]any{"fd": "3"}, new(*os.File)},
		{"x", new(*os.File)},
		{"x", new(chan int)},
		{"x", new(func())},
	}
	for _, c := range cases {
		dst := reflect.ValueOf(c.dst).Elem()
		err := noPanic(t, func() error { return fork.Decode(c.tree, dst, nil) })
		if err == nil {
			t.Errorf("Decode(%#v) into %s: no error, got %#v", c.tree, dst.Type(), dst.Interface())
		}
	}
	// nil zeroes any destination.
	n := 5
	p := &n
	if err := fork.Decode(nil, reflect.ValueOf(&p).Elem(), nil); err != nil || p != nil {
		t.Errorf("Decode(nil) into *int: %v, %v", p, err)
	}
	ch := make(chan int)
	if err := fork.Decode(nil, reflect.ValueOf(&ch).Elem(), nil); err != nil || ch != nil {
		t.Errorf("Decode(nil) into chan: %v, %v", ch, err)
	}
}

// fuzzTypes are the destinations FuzzDecode pours its trees into. None
// holds an *os.File: Decode trusts the descriptor numbers it is given.
var fuzzTypes = []reflect.Type{
	reflect.TypeFor[bool](), reflect.TypeFor[int8](), reflect.TypeFor[uint64](), reflect.TypeFor[float32](),
	reflect.TypeFor[complex128](), reflect.TypeFor[string](), reflect.TypeFor[[]byte](), reflect.TypeFor[[2]int](),
	reflect.TypeFor[[]string](), reflect.TypeFor[map[string]int](), reflect.TypeFor[map[int][]string](),
	reflect.TypeFor[*int](), reflect.TypeFor[**[]byte](), reflect.TypeFor[outer](), reflect.TypeFor[any](),
	reflect.TypeFor[error](), reflect.TypeFor[[]any](), reflect.TypeFor[map[string]any](), reflect.TypeFor[fmt.Stringer](),
}

// holdsDescriptor reports whether tree names a conn or listener by number:
// decoding it would hand that descriptor of the fuzzing process to
// net.FileConn and the garbage collector.
func holdsDescriptor(tree any) bool {
	switch x := tree.(type) {
	case map[string]any:
		for k, v := range x {
			if _, num := v.(float64); num && (k == "conn" || k == "listener" || k == "fd") {
				return true
			}
			if holdsDescriptor(v) {
				return true
			}
		}
	case []any:
		for _, v := range x {
			if holdsDescriptor(v) {
				return true
			}
		}
	}
	return false
}

// FuzzDecode feeds arbitrary JSON to Decode for several destination types.
// Errors are fine; panics are not; a value Decode accepts encodes again.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`"42"`, `"-128"`, `"18446744073709551615"`, `"NaN"`, `"+Inf"`, `["1","2"]`, `"aGVsbG8="`, `null`, `true`,
		`[["a","1"],["b","2"]]`, `[["1",["x","y"]]]`, `[["5"]]`, `[[[null]]]`,
		`["7","s",["n",["t"],"0.5"],null,[["k",[["x",null,"1"]]]],[["1","2","3"],["4","5","6"]],null,null,null,["e",[],"0"]]`,
		`{"type":"int","value":"5"}`, `{"type":"[]interface {}","value":[{"type":"string","value":"x"}]}`,
		`{"error":"boom"}`, `{"type":"map[string]interface {}","value":[["k",null]]}`, `{}`, `[]`, `[[]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var tree any
		if json.Unmarshal(data, &tree) != nil || holdsDescriptor(tree) {
			return
		}
		for _, typ := range fuzzTypes {
			dst := reflect.New(typ).Elem()
			if err := decodeNoPanic(tree, dst); err != nil {
				if errors.Is(err, errPanicked) {
					t.Errorf("Decode(%s) into %s: %v", data, typ, err)
				}
				continue
			}
			if _, err := (&fork.Encoder{}).Encode(dst); err != nil {
				t.Errorf("Decode(%s) into %s gave %#v, which does not encode: %v", data, typ, dst.Interface(), err)
			}
		}
	})
}

var errPanicked = errors.New("panicked")

// decodeNoPanic is Decode with a panic turned into an error wrapping
// errPanicked, so that one input reports every destination that panics.
func decodeNoPanic(tree any, dst reflect.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return fork.Decode(tree, dst, nil)
}
