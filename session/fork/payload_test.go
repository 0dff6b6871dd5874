package fork_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"testing"

	"gosys/session/fork"
)

// sendPayload writes b into a pipe and names its read end in the
// environment, as Start does for a child.
func sendPayload(t *testing.T, b []byte) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(b)
		w.Close()
	}()
	// ReadPayload takes the descriptor over and closes it; r must not be
	// closed (or collected) here as well.
	fd := dupFD(t, int(r.Fd()))
	r.Close()
	t.Setenv(fork.EnvPayloadFD, strconv.Itoa(fd))
}

func TestPayloadRoundTrip(t *testing.T) {
	type rec struct {
		Name string
		vals []int
	}
	value := map[string]rec{"a": {"x", []int{1, 2}}, "b": {"", nil}}
	tree, venc := encode(t, &value)
	var big int64 = -1 << 62
	bigTree, _ := encode(t, &big)
	site := fork.Site{Line: 3, Col: 5, Src: "func() { fmt.Println(x, y) }", Text: "p, _ := rt.Fork(func() { fmt.Println(x, y) })", Func: "serve", Captures: []string{"x", "y"}, Types: []string{"int", ""}}
	p := &fork.Payload{
		Imports: map[string]string{"fmt": "fmt", "rt": "gosys/rt"},
		Decls:   []fork.Decl{{Src: "type T struct{ A int }", Line: 1, Col: 1}, {Src: "func f() int { return 1 }", Line: 4, Col: 3}},
		Vars: []fork.Var{
			{Name: "m", Type: "map[string]rec", Value: tree, Reached: true},
			{Name: "big", Type: "int64", Value: bigTree},
			{Name: "ch", Type: "chan int", Zero: true},
		},
		Captures: []fork.Var{{Name: "x", Type: "int", Value: bigTree, Reached: true}},
		Pointers: venc.Pointers,
		Site:     site,
		Sites:    map[int]fork.Site{0: site, 7: {Line: 9, Src: "func() {}"}},
		Dir:      "/tmp/work dir",
		Env:      []string{"A=1", "PATH=/bin", "EMPTY="},
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	sendPayload(t, b)
	got, err := fork.ReadPayload()
	if err != nil {
		t.Fatalf("ReadPayload: %v", err)
	}
	if v, ok := os.LookupEnv(fork.EnvPayloadFD); ok {
		t.Errorf("ReadPayload left %s=%s in the environment", fork.EnvPayloadFD, v)
	}
	if !reflect.DeepEqual(got.Imports, p.Imports) || !reflect.DeepEqual(got.Decls, p.Decls) || got.Dir != p.Dir ||
		!reflect.DeepEqual(got.Env, p.Env) || !reflect.DeepEqual(got.Site, p.Site) || !reflect.DeepEqual(got.Sites, p.Sites) {
		t.Errorf("payload changed:\n got %+v\nwant %+v", got, p)
	}
	if len(got.Captures) != 1 || got.Captures[0].Name != "x" || got.Captures[0].Type != "int" || !got.Captures[0].Reached {
		t.Errorf("Captures = %+v", got.Captures)
	}
	if len(got.Vars) != 3 {
		t.Fatalf("Vars = %+v", got.Vars)
	}
	for i, v := range got.Vars {
		w := p.Vars[i]
		if v.Name != w.Name || v.Type != w.Type || v.Zero != w.Zero || v.Reached != w.Reached {
			t.Errorf("Var %d = %+v, want %+v", i, v, w)
		}
	}
	// The values decode as the parent's.
	if m := decode[map[string]rec](t, got.Vars[0].Value, nil, got.Pointers); !reflect.DeepEqual(m, value) {
		t.Errorf("m = %#v, want %#v", m, value)
	}
	if n := decode[int64](t, got.Vars[1].Value, nil, nil); n != big {
		t.Errorf("big = %d, want %d", n, big)
	}
	if got.Vars[2].Value != nil {
		t.Errorf("zero var has value %#v", got.Vars[2].Value)
	}
}

func TestReadPayloadErrors(t *testing.T) {
	t.Run("no descriptor", func(t *testing.T) {
		t.Setenv(fork.EnvPayloadFD, "")
		if _, err := fork.ReadPayload(); err == nil {
			t.Error("no error")
		}
	})
	t.Run("not a number", func(t *testing.T) {
		t.Setenv(fork.EnvPayloadFD, "three")
		if _, err := fork.ReadPayload(); err == nil {
			t.Error("no error")
		}
	})
	t.Run("bad JSON", func(t *testing.T) {
		sendPayload(t, []byte(`{"decls": 5}`))
		if _, err := fork.ReadPayload(); err == nil {
			t.Error("no error")
		}
	})
	t.Run("empty", func(t *testing.T) {
		sendPayload(t, nil)
		if _, err := fork.ReadPayload(); err == nil {
			t.Error("no error")
		}
	})
}
