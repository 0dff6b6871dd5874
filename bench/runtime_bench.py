"""The lecture's system calls made through rt in a gosys cell, beside the
same calls in C (bench/c/syscalls.c), in one run, as ratios.

Usage: JUPYTER_PATH=<dir with the gosys kernelspec> /usr/bin/python3 bench/runtime_bench.py [FORKS] [BYTES] [ECHOES]
"""

import os
import subprocess
import sys
import tempfile

from jupyter_client.manager import start_new_kernel

FORKS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
BYTES = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 30
ECHOES = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
PACED = 50

CELLS = {
    "fork_ms": f'''import "fmt"
import "sort"
import "time"
ts := []float64{{}}
for i := 0; i < {FORKS}; i++ {{
	s := time.Now()
	pid, err := rt.Fork(func() {{}})
	if err != nil {{ panic(err) }}
	rt.WaitPid(pid)
	ts = append(ts, float64(time.Since(s).Microseconds())/1000)
}}
sort.Float64s(ts)
fmt.Printf("%.4f\\n", ts[len(ts)/2])''',
    # The same with a pause before each fork, so a warm child is ready: the
    # latency a cell that forks now and then sees.
    "fork_paced_ms": f'''ps := []float64{{}}
for i := 0; i < {PACED}; i++ {{
	time.Sleep(80 * time.Millisecond)
	s := time.Now()
	pid, _ := rt.Fork(func() {{}})
	rt.WaitPid(pid)
	ps = append(ps, float64(time.Since(s).Microseconds())/1000)
}}
sort.Float64s(ps)
fmt.Printf("%.4f\\n", ps[len(ps)/2])''',
    "pipe_mibs": f'''r, w, _ := rt.Pipe()
buf := make([]byte, 65536)
s := time.Now()
pid, _ := rt.Fork(func() {{
	rt.Close(w)
	for {{
		n, _ := rt.Read(r, buf)
		if n == 0 {{ return }}
	}}
}})
rt.Close(r)
for sent := 0; sent < {BYTES}; sent += len(buf) {{ rt.Write(w, buf) }}
rt.Close(w)
rt.WaitPid(pid)
fmt.Printf("%.1f\\n", float64({BYTES})/(1<<20)/time.Since(s).Seconds())''',
    "echo_rps": f'''import "syscall"
ais, _ := rt.LookupHost("127.0.0.1", "0")
l, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)
rt.Bind(l, ais[0])
rt.Listen(l, 1)
sa, _ := syscall.Getsockname(l)
ais[0].Addr = sa
srv, _ := rt.Fork(func() {{
	c, _ := rt.Accept(l)
	b := make([]byte, 1)
	for {{
		n, _ := rt.Read(c, b)
		if n == 0 {{ return }}
		rt.Write(c, b)
	}}
}})
rt.Close(l)
c, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)
if err := rt.Connect(c, ais[0]); err != nil {{ panic(err) }}
syscall.SetsockoptInt(c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
b := []byte("x")
s := time.Now()
for i := 0; i < {ECHOES}; i++ {{
	rt.Write(c, b)
	rt.Read(c, b)
}}
rps := float64({ECHOES})/time.Since(s).Seconds()
rt.Close(c)
rt.WaitPid(srv)
fmt.Printf("%.0f\\n", rps)''',
}


def c_figures():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "syscalls")
        subprocess.run(["gcc", "-O2", "-o", exe, os.path.join(here, "c", "syscalls.c")], check=True)
        out = subprocess.run([exe, str(FORKS), str(BYTES), str(ECHOES)], check=True,
                             capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def gosys_figures():
    km, kc = start_new_kernel(kernel_name=os.environ.get("GOSYS_KERNEL_NAME", "gosys"))
    try:
        figures = {}
        for name, code in CELLS.items():
            out = []
            reply = kc.execute_interactive(code, timeout=600, output_hook=lambda m: out.append(
                m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"{name}: {reply['content']}")
            figures[name] = float("".join(out).split()[-1])
        return figures
    finally:
        kc.stop_channels()
        km.shutdown_kernel()


def main():
    c = c_figures()
    g = gosys_figures()
    print(f"{'measure':<34}{'gosys (rt)':>14}{'C':>14}{'ratio':>10}")
    c["fork_paced_ms"] = c["fork_ms"]
    rows = [("fork+exit+wait, median ms", "fork_ms", lambda a, b: a / b, "x slower"),
            ("  same, warm child ready, ms", "fork_paced_ms", lambda a, b: a / b, "x slower"),
            (f"pipe throughput {BYTES >> 20} MiB, MiB/s", "pipe_mibs", lambda a, b: b / a, "x slower"),
            ("1-byte echo round trips/s", "echo_rps", lambda a, b: b / a, "x slower")]
    for label, key, ratio, unit in rows:
        print(f"{label:<34}{g[key]:>14.3f}{c[key]:>14.3f}{ratio(g[key], c[key]):>8.1f} {unit}")
    # A gosys child is a Go process: what its end alone costs the parent
    # (exit to wait4's return), which C's child, a copy of a small process,
    # hardly pays.
    here = os.path.dirname(os.path.abspath(__file__))
    floor = subprocess.run(["go", "run", "./exitcost"], cwd=here, capture_output=True, text=True, timeout=300)
    if floor.returncode == 0:
        f = dict(line.split() for line in floor.stdout.splitlines())
        print(f"floor: a Go child's exit -> parent's wait, median ms: {float(f['go_exit_0mb_ms']):.3f} "
              f"(32 MB touched: {float(f['go_exit_32mb_ms']):.3f}); bench/exitcost")


if __name__ == "__main__":
    main()
