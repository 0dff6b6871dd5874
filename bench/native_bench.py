#!/usr/bin/python3
"""Native cells (%%native) measured through a real Jupyter client.

Through one gosys kernel (installed by scripts/with-kernel.sh, as `make
bench` does), with a native build cache of its own (the Go build cache
stays the user's):
  - compile: the first native cell of the session, a changed cell (each a
    real `go build -buildmode=plugin`), and an unchanged cell run again
    (a cache hit: no compile), each from execute_request to status idle;
  - the loop `s += i` for i < 1e7: in a native function called from an
    interpreted cell, the same loop interpreted, the same function in a
    forked child, and the same code compiled by `go build` as a program
    (timed inside the program, n read from its arguments so the compiler
    cannot fold it), all timed around the call itself; the native call also
    as a whole cell, request to idle.
Medians of RUNS. Nothing is asserted: bench/README.md has the figures.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

RUNS = 5
N = 10_000_000
TIMEOUT = 600

SUM_FUNC = """func SumTo(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i
	}
	return s
}
"""

TIMED = """t := time.Now()
s := %s(%d)
fmt.Println("ns", time.Since(t).Nanoseconds(), s)
"""


class Kernel:
    def __init__(self, env):
        self.km = KernelManager(kernel_name=os.environ.get("GOSYS_KERNEL_NAME", "gosys"))
        self.km.start_kernel(env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code, timeout=TIMEOUT):
        """Runs code; returns (seconds to idle, stdout)."""
        out = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
        t0 = time.perf_counter()
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        took = time.perf_counter() - t0
        c = reply["content"]
        if c["status"] != "ok":
            sys.exit(f"cell failed: {code!r}: {c.get('ename')}: {c.get('evalue')}\n" + "\n".join(c.get("traceback", [])))
        return took, "".join(out)

    def timed(self, code):
        """Runs a TIMED cell; returns the nanoseconds it printed."""
        _, out = self.run(code)
        m = re.search(r"ns (\d+) (\d+)", out)
        if not m or int(m.group(2)) != N * (N - 1) // 2:
            sys.exit(f"unexpected output {out!r}")
        return int(m.group(1)) / 1e9

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def go_build_program():
    """Seconds of the loop in a program built by go build (median of RUNS
    runs of the program, each calling it 5 times)."""
    d = tempfile.mkdtemp(prefix="gosys-native-bench-")
    try:
        with open(os.path.join(d, "main.go"), "w") as f:
            f.write("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"strconv\"\n\t\"time\"\n)\n\n" + SUM_FUNC +
                    "\nfunc main() {\n\tn, _ := strconv.Atoi(os.Args[1])\n\tfor range 5 {\n\t\tt := time.Now()\n\t\ts := SumTo(n)\n"
                    "\t\tfmt.Println(\"ns\", time.Since(t).Nanoseconds(), s)\n\t}\n}\n")
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write("module bench\n\ngo 1.26\n")
        subprocess.run(["go", "build", "-o", "sum", "."], cwd=d, check=True, timeout=300)
        times = []
        for _ in range(RUNS):
            out = subprocess.run([os.path.join(d, "sum"), str(N)], capture_output=True, text=True, check=True).stdout
            times += [int(ns) / 1e9 for ns in re.findall(r"ns (\d+)", out)]
        return statistics.median(times)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def fmt(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    cache = tempfile.mkdtemp(prefix="gosys-native-cache-")
    gocache = subprocess.run(["go", "env", "GOCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    k = Kernel({"XDG_CACHE_HOME": cache, "GOCACHE": gocache})
    rows = []
    try:
        k.run('import (\n\t"fmt"\n\t"time"\n)')
        first, _ = k.run("%%native\n" + SUM_FUNC)
        changed = [k.run(f"%%native\n// version {i} {time.time()}\nfunc Other{i}() int {{ return {i} }}\n")[0]
                   for i in range(RUNS)]
        hits = [k.run("%%native\n" + SUM_FUNC)[0] for _ in range(RUNS)]
        k.run("func sumToI(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}")
        native = [k.timed(TIMED % ("SumTo", N)) for _ in range(RUNS)]
        native_cell = [k.run(f"SumTo({N})")[0] for _ in range(RUNS)]
        interp = [k.timed(TIMED % ("sumToI", N)) for _ in range(3)]
        child = []
        for _ in range(RUNS):
            _, out = k.run("pid, _ := rt.Fork(func() {\n" + TIMED % ("SumTo", N) + "})\nrt.WaitPid(pid)")
            child.append(int(re.search(r"ns (\d+)", out).group(1)) / 1e9)
    finally:
        k.close()
        shutil.rmtree(cache, ignore_errors=True)
    program = go_build_program()
    rows = [
        ("compile: first native cell of a session (warm Go build cache)", fmt(first)),
        (f"compile: a changed native cell, request → idle (median of {RUNS})", fmt(statistics.median(changed))),
        (f"rerun of an unchanged native cell (cache hit), request → idle (median of {RUNS})", fmt(statistics.median(hits))),
        (f"sum of 1e7 ints: native SumTo called from a cell, the call (median of {RUNS})", fmt(statistics.median(native))),
        (f"sum of 1e7 ints: cell `SumTo(1e7)`, request → idle (median of {RUNS})", fmt(statistics.median(native_cell))),
        (f"sum of 1e7 ints: native SumTo in a forked child, the call (median of {RUNS})", fmt(statistics.median(child))),
        (f"sum of 1e7 ints: program built by go build, the call (median of {RUNS}×5)", fmt(program)),
        ("sum of 1e7 ints: the same loop interpreted, the call (median of 3)", fmt(statistics.median(interp))),
        ("native / go build", f"{statistics.median(native) / program:.2f}×"),
        ("forked child / parent", f"{statistics.median(child) / statistics.median(native):.2f}×"),
        ("interpreted / native", f"{statistics.median(interp) / statistics.median(native):.0f}×"),
    ]
    w = max(len(r[0]) for r in rows)
    print()
    for label, v in rows:
        print(f"{label:{w}}  {v:>10}")
    from jupyter_client.kernelspec import KernelSpecManager
    binary = KernelSpecManager().get_kernel_spec(os.environ.get("GOSYS_KERNEL_NAME", "gosys")).argv[0]
    gosys = subprocess.run([binary, "version"], capture_output=True, text=True).stdout.strip()
    print(f"\n{gosys}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
