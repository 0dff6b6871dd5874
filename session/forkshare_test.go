package session

import "testing"

// TestForkKeepsSharing: pointers and maps that alias in the session alias
// in a forked child, recursive interpreted types included, as after
// fork(2).
func TestForkKeepsSharing(t *testing.T) {
	fs := newForkSession(t)
	fs.run(`import "fmt"`)
	cases := []struct{ code, want string }{
		{"a := 1\np, q := &a, &a\nif pid, _ := rt.Fork(); pid == 0 {\n\t*p = 5\n\tfmt.Println(*q)\n\trt.Exit(0)\n}\nrt.Wait()", "5\n"},
		{"m := map[string]int{}\nbox := struct{ m map[string]int }{m}\nif pid, _ := rt.Fork(); pid == 0 {\n\tbox.m[\"b\"] = 2\n\tfmt.Println(len(m))\n\trt.Exit(0)\n}\nrt.Wait()", "1\n"},
		{"type node struct {\n\tv    int\n\tnext *node\n}\nn := &node{v: 1}\nalias := n\nif pid, _ := rt.Fork(); pid == 0 {\n\talias.v = 10\n\tfmt.Println(n.v)\n\trt.Exit(0)\n}\nrt.Wait()", "10\n"},
		{"ring := &node{v: 2}\nring.next = ring\nif pid, _ := rt.Fork(); pid == 0 {\n\tfmt.Println(ring.next == ring, ring.next.next.v)\n\trt.Exit(0)\n}\nrt.Wait()", "true 2\n"},
		{"var list *node\nfor i := 0; i < 3000; i++ {\n\tlist = &node{v: i, next: list}\n}\nif pid, _ := rt.Fork(); pid == 0 {\n\tk := 0\n\tfor p := list; p != nil; p = p.next {\n\t\tk++\n\t}\n\tfmt.Println(k)\n\trt.Exit(0)\n}\nrt.Wait()", "3000\n"},
	}
	for _, c := range cases {
		if got := fs.run(c.code); got != c.want {
			t.Errorf("cell:\n%s\nprinted %q, want %q", c.code, got, c.want)
		}
	}
}
