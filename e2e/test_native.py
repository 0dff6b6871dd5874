"""Native cells (%%native) through a real Jupyter client: a cell of Go
declarations compiled as a plugin and called from interpreted cells and
forked children; re-runs, the build cache, compile errors at the cell's
lines, the clear errors for an interpreted name and for a plugin built
from other source than gosys's.

The first build in a fresh Go build cache compiles the standard library
for plugins (tens of seconds on 2 cores): native cells get a long timeout.
Times are printed among the e2e figures, never asserted."""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from harness import Kernel, children_of

BUILD_TIMEOUT = 600

SUM_CELL = """%%native
// SumTo returns 0 + 1 + ... + n-1.
func SumTo(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i
	}
	return s
}

// Ring is a byte queue of fixed size.
type Ring struct {
	buf  []byte
	r, w int
}

func NewRing(n int) *Ring { return &Ring{buf: make([]byte, n)} }

func (q *Ring) Put(b byte) bool {
	if q.w-q.r == len(q.buf) {
		return false
	}
	q.buf[q.w%len(q.buf)] = b
	q.w++
	Puts++
	return true
}

func (q *Ring) Get() (byte, bool) {
	if q.r == q.w {
		return 0, false
	}
	b := q.buf[q.r%len(q.buf)]
	q.r++
	return b, true
}

func (q *Ring) Len() int { return q.w - q.r }

const Size = 4

// Puts counts the bytes put in every Ring.
var Puts int
"""


def go_env(name):
    return subprocess.run(["go", "env", name], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def env():
    """A cache of native builds of the tests' own (the Go build cache stays
    the user's: warm, as on a machine where gosys was installed)."""
    cache = tempfile.mkdtemp(prefix="gosys-native-e2e-")
    yield {"XDG_CACHE_HOME": cache, "GOCACHE": go_env("GOCACHE")}
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture(scope="module")
def k(env):
    kernel = Kernel(env=env)
    yield kernel
    kernel.close()


def took(cell):
    return cell.replied - cell.sent


def test_native_function_and_types(k, figure):
    first = k.ok(SUM_CELL, timeout=BUILD_TIMEOUT)
    figure("native: first build of a small cell (build cache of this user's go)", f"{took(first):.2f} s")
    assert k.value("SumTo(10_000_000)") == "49999995000000"
    assert k.value("q := NewRing(Size)\nfor i := range 6 { q.Put(byte(i)) }\nq.Len()") == "4"
    assert k.value("import \"fmt\"\nb, ok := q.Get()\nfmt.Println(b, ok)\nq.Len()") == "3"
    # A value of a native type made by an interpreted cell.
    assert k.value("var r Ring\nr.Put(9)") == "false"  # no buffer: full at once
    assert k.value("r2 := &Ring{}\nr2.Len()") == "0"
    # Interpreted code uses the constant as Go would: untyped.
    assert k.value("var small uint8 = Size * 60\nsmall") == "240"
    # The loop runs compiled: measured against the same loop interpreted.
    native = k.ok("%time SumTo(10_000_000)")
    interp = k.ok("func sumToI(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }\n%time sumToI(10_000_000)")
    figure("native: SumTo(1e7) called from an interpreted cell", wall(native.stdout))
    figure("native: the same loop interpreted", wall(interp.stdout))


def wall(stdout):
    m = re.search(r"Wall time: (\S+)", stdout)
    assert m, stdout
    return m.group(1)


def test_rerun_replaces_and_cache_hit(k, figure):
    k.ok("%%native\nfunc Version() string { return \"one\" }\n", timeout=BUILD_TIMEOUT)
    assert k.value("Version()") == '"one"'
    warm = k.ok("%%native\nfunc Version() string { return \"two\" }\n", timeout=BUILD_TIMEOUT)
    figure("native: a changed cell, built again (warm Go build cache)", f"{took(warm) * 1000:.0f} ms")
    assert k.value("Version()") == '"two"'
    hits = []
    for _ in range(3):
        hit = k.ok("%%native\nfunc Version() string { return \"one\" }\n", timeout=BUILD_TIMEOUT)
        hits.append(took(hit))
    assert k.value("Version()") == '"one"'
    figure("native: an unchanged cell run again (cache hit: no compile), round trip",
           ", ".join(f"{t * 1000:.1f} ms" for t in hits))
    # An interpreted declaration replaces a native one, and back.
    assert k.value("func Version() string { return \"interpreted\" }\nVersion()") == '"interpreted"'
    k.ok("%%native\nfunc Version() string { return \"two\" }\n", timeout=BUILD_TIMEOUT)
    assert k.value("Version()") == '"two"'


def test_later_native_cell_uses_earlier(k):
    k.ok("%%native\nfunc Base() int { return 40 }\n", timeout=BUILD_TIMEOUT)
    k.ok("%%native\nfunc Answer() int { return Base() + 2 }\n", timeout=BUILD_TIMEOUT)
    assert k.value("Answer()") == "42"


def test_compile_error_points_at_cell_line(k):
    cell = k.run("%%native\nfunc Broken() int {\n\tx := 1\n\treturn \"text\"\n}\n", timeout=BUILD_TIMEOUT)
    assert cell.status == "error", cell.describe()
    tb = "\n".join(cell.reply["traceback"])
    assert "cannot use \"text\"" in tb, tb
    assert "at cell line 4:9" in tb, tb
    assert "declared and not used: x" in tb and "at cell line 3:2" in tb, tb
    syntax = k.run("%%native\nfunc Open( {\n", timeout=BUILD_TIMEOUT)
    assert syntax.status == "error" and syntax.reply["ename"] == "SyntaxError", syntax.describe()
    assert "at cell line 2" in "\n".join(syntax.reply["traceback"])


def test_interpreted_declaration_is_a_clear_error(k):
    k.ok("func helper(n int) int { return n + 1 }\nlimit := 3")
    cell = k.run("%%native\nfunc UsesHelper() int {\n\treturn helper(limit)\n}\n", timeout=BUILD_TIMEOUT)
    assert cell.status == "error", cell.describe()
    tb = "\n".join(cell.reply["traceback"])
    assert "helper is declared by an interpreted cell" in tb, tb
    assert "limit is declared by an interpreted cell" in tb, tb
    assert "at cell line 3" in tb, tb
    bad = k.run("%%native\nimport \"example.com/nothere\"\n", timeout=BUILD_TIMEOUT)
    assert bad.status == "error" and "a native cell cannot import" in bad.reply["evalue"], bad.describe()


def test_interrupt_stops_the_build(k):
    """An interrupt during a build kills the go command and what it started;
    the session goes on."""
    timer, sent = k.interrupt_after(0.5)
    cell = k.run(f"%%native\n// {time.time()}\nfunc Interrupted() int {{ return 1 }}\n", timeout=BUILD_TIMEOUT)
    timer.join()
    if cell.status == "ok":
        pytest.skip("the build finished before the interrupt arrived")
    assert cell.reply["ename"] == "Interrupted", cell.describe()
    session = k.session_pid()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = [p for p in children_of(session) if process_name(p) in ("go", "compile", "link", "gcc", "ld")]
        if not left:
            break
        time.sleep(0.1)
    assert not left, f"build processes left: {left}"
    assert k.value("1 + 2") == "3"


def process_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def test_forked_child_calls_native(k, figure):
    k.ok(SUM_CELL, timeout=BUILD_TIMEOUT)
    out = k.ok("""import (
	"fmt"
	"time"
)

q := NewRing(2)
q.Put(7)
Puts = 40
start := time.Now()
pid, err := rt.Fork(func() {
	t := time.Now()
	s := SumTo(10_000_000)
	fmt.Println("child", s, q.Len(), time.Since(t).Milliseconds(), "puts", Puts)
})
if err != nil {
	panic(err)
}
rt.WaitPid(pid)
t := time.Now()
s := SumTo(10_000_000)
fmt.Println("parent", s, time.Since(t).Milliseconds(), time.Since(start).Milliseconds())
""", timeout=60).stdout
    child = re.search(r"child (\d+) (\d+) (\d+)", out)
    parent = re.search(r"parent (\d+) (\d+)", out)
    assert child and parent, out
    assert child.group(1) == "49999995000000" and child.group(2) == "1", out
    # A native cell's variable has the parent's value, as after fork(2).
    assert "puts 40" in out, out
    figure("native: SumTo(1e7) in a forked child / in the parent",
           f"{child.group(3)} ms / {parent.group(2)} ms")


def test_plugin_from_other_source_is_a_clear_error(env, figure):
    """A plugin built from source that differs from the binary's (here gosys/rt
    with one constant more) is refused with an error that says so."""
    prefix = os.environ["GOSYS_PREFIX"]
    kit = os.path.join(prefix, "lib", "gosys", "native")
    assert os.path.isfile(os.path.join(kit, "gosys-native.json")), "install wrote no native kit"
    other = tempfile.mkdtemp(prefix="gosys-other-kit-")
    try:
        shutil.copytree(kit, other, dirs_exist_ok=True)
        with open(os.path.join(other, "rt", "doc.go"), "a") as f:
            f.write("\n// NotInTheBinary is not in gosys's own gosys/rt.\nconst NotInTheBinary = 1\n")
        with Kernel(env={**env, "GOSYS_NATIVE_SRC": other}) as k2:
            cell = k2.run("%%native\nimport \"gosys/rt\"\n\nfunc MyPid() int { return rt.Getpid() }\n", timeout=BUILD_TIMEOUT)
            assert cell.status == "error", cell.describe()
            text = cell.reply["evalue"]
            assert "gosys/rt" in text and "other source than gosys's own" in text, cell.describe()
            # The session goes on.
            assert k2.value("1 + 1") == "2"
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_fresh_session_gets_native_cells_back(env):
    """A crash in native code (a panic in a goroutine it started) ends the
    session process; the fresh one loads the native cells again."""
    with Kernel(env=env) as k2:
        k2.ok("%%native\nimport \"time\"\n\nfunc Base() int { return 40 }\n\n"
              "func Crash() {\n\tgo func() { panic(\"native crash\") }()\n\ttime.Sleep(5 * time.Second)\n}\n",
              timeout=BUILD_TIMEOUT)
        k2.ok("%%native\nfunc Answer() int { return Base() + 2 }\n", timeout=BUILD_TIMEOUT)
        session = k2.session_pid()
        cell = k2.run("Crash()", timeout=60)
        assert cell.status == "error", cell.describe()
        tb = "\n".join(cell.reply["traceback"])
        assert "native crash" in tb and "A fresh session process was started." in tb, tb
        assert "Answer" in tb, tb  # the note lists what was declared again
        assert k2.session_pid() != session
        assert k2.value("Answer()") == "42"
        # A native cell of the fresh session uses a restored one.
        k2.ok("%%native\nfunc More() int { return Answer() + 1 }\n", timeout=BUILD_TIMEOUT)
        assert k2.value("More()") == "43"


def test_warm_child_started_before_the_native_cell(env):
    """A warm child started before a native cell existed loads it when it
    takes a fork (the pool starts at the first fork)."""
    with Kernel(env={**env, "GOSYS_WARM_CHILDREN": "2"}) as k2:
        k2.ok('import "fmt"\npid, _ := rt.Fork(func() {})\nrt.WaitPid(pid)')
        time.sleep(1)  # the pool's warm children start
        k2.ok("%%native\nfunc Later(n int) int { return n * 3 }\n", timeout=BUILD_TIMEOUT)
        out = ""
        for _ in range(2):
            out += k2.ok('pid, _ = rt.Fork(func() { fmt.Println("later", Later(14)) })\nrt.WaitPid(pid)').stdout
        assert out.count("later 42") == 2, out
