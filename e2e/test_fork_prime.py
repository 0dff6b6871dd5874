"""Warm children kept in step with the session (session/fork/prime.go):
after each cell of a session that has forked, idle warm children declare
the session's imports, types, functions and variables, so that a fork
carries only values and the function. What a learner must never see: a
child running an old declaration, or a variable of its old type."""

import statistics

import pytest

from harness import Kernel

SETUP = 'import "fmt"\nimport "time"\nimport "sort"'

# Forks one child that prints what the forked code sees, and waits for it.
def forked(body):
    return ('pid, err := rt.Fork(func() {\n' + body + '\n})\n'
            'if err != nil { panic(err) }\nrt.WaitPid(pid)')


@pytest.fixture
def k():
    with Kernel() as k:
        k.ok(SETUP)
        # The session forks once: from now on it keeps warm children.
        k.ok(forked(""))
        yield k


def settle(k):
    # A cell between: the warm children get the last cell's prelude and
    # declare it (the pool fills in the background).
    k.ok("time.Sleep(300 * time.Millisecond)")


def test_child_sees_declarations_made_ahead(k):
    k.ok('type Point struct{ X, Y int }\n'
         'func (p Point) Sum() int { return p.X + p.Y }\n'
         'func double(n int) int { return 2 * n }\n'
         'var origin = Point{X: 1, Y: 2}\ncount := 40')
    settle(k)
    cell = k.ok(forked('fmt.Println(double(count) + origin.Sum(), Point{3, 4}.Sum())'))
    assert cell.stdout == "83 7\n"


def test_a_function_declared_again_runs_its_new_body(k):
    k.ok('func greet() string { return "old" }')
    settle(k)
    k.ok('func greet() string { return "new" }')
    settle(k)
    assert k.ok(forked('fmt.Println(greet())')).stdout == "new\n"
    # And right after the change, before any cell between.
    k.ok('func greet() string { return "newer" }')
    assert k.ok(forked('fmt.Println(greet())')).stdout == "newer\n"


def test_a_variable_that_changed_type(k):
    k.ok('v := 1')
    settle(k)
    k.ok('v := "text"')
    assert k.ok(forked('fmt.Printf("%T %v\\n", v, v)')).stdout == "string text\n"


def test_declared_in_the_same_cell_as_the_fork(k):
    k.ok('base := 5')
    settle(k)
    cell = k.ok('type Box struct{ N int }\nfunc (b Box) Twice() int { return 2 * b.N }\n'
                'boxed := Box{N: base}\n' + forked('fmt.Println(boxed.Twice(), base)'))
    assert cell.stdout == "10 5\n"


def test_children_fork_in_a_loop_after_priming(k):
    k.ok('func code(i int) int { return i % 5 }')
    settle(k)
    cell = k.ok('bad := 0\nfor i := 0; i < 30; i++ {\n'
                '\tpid, err := rt.Fork(func() { rt.Exit(code(i)) })\n'
                '\tif err != nil { panic(err) }\n'
                '\tst, _ := rt.WaitPid(pid)\n'
                '\tif st.ExitStatus() != code(i) { bad++ }\n}\nfmt.Println("bad", bad)')
    assert cell.stdout == "bad 0\n"


PACED = '''ps := []float64{}
for i := 0; i < 25; i++ {
	time.Sleep(60 * time.Millisecond)
	s := time.Now()
	pid, _ := rt.Fork(func() {})
	rt.WaitPid(pid)
	ps = append(ps, float64(time.Since(s).Microseconds())/1000)
}
sort.Float64s(ps)
fmt.Printf("%.3f\\n", ps[len(ps)/2])'''


def test_fork_time_does_not_grow_with_the_session(k, figure):
    empty = float(k.ok(PACED).stdout)
    k.ok("\n".join(f"type T{i} struct {{ A, B int; S string }}\n"
                   f"func (t *T{i}) Sum() int {{ return t.A + t.B + {i} }}\n"
                   f"func F{i}(x int) int {{ if x < 2 {{ return x }}; return F{i}(x-1) + {i} }}\n"
                   f"var v{i} = T{i}{{A: {i}}}" for i in range(30)))
    settle(k)
    full = float(k.ok(PACED.replace("ps :=", "ps =")).stdout)
    figure("warm fork+exit+wait, median of 25 paced: empty session vs 30 types, methods, functions and variables",
           f"{empty:.2f} ms vs {full:.2f} ms ({full / empty:.2f}x)")
