#!/usr/bin/python3
"""gosys against ipykernel, gophernotes and GoNB, side by side, through the
same Jupyter client.

For each kernel it measures
  - start-up: KernelManager.start_kernel() until the first kernel_info_reply
    (median of STARTS fresh kernels);
  - round trip of a trivial cell (`1`; `%%\n_ = 1` in GoNB, which compiles
    a program per cell): execute_request until execute_reply (median and
    99th percentile) and until the status idle that ends the cell (median
    of ROUNDS runs after WARMUP);
  - output: a cell printing 100,000 lines (median wall time of OUTPUT_RUNS,
    how many lines were lost, how many iopub stream messages carried them);
  - compute: a cell summing the integers below 1e7 in a loop;
  - memory: RSS and PSS of the kernel process and every process under it
    (gosys's session and warm children), after start and after all the
    above.
It prints a table with gosys/other ratios. Nothing is asserted: this is for
comparison, not pass/fail. The kernels are measured in turn, round by round
(starts alternate, cells alternate in blocks), so that a busy moment of the
machine weighs on all of them alike.

gophernotes and GoNB are measured when their kernelspecs exist
(bench/peers.sh builds and registers them; `make bench` runs it first).
--also NAME=KERNELSPEC adds another gosys build installed under another
kernelspec name, to compare two versions in one run.

Run it with `make bench`, which builds gosys, installs it with
`gosys install --prefix` into a temporary prefix and sets JUPYTER_PATH and
GOSYS_PREFIX. ipykernel's kernelspec (python3) is installed into the same
prefix so every kernel is found the same way. Use /usr/bin/python3: it is
the Python that has jupyter_client and ipykernel (Debian packages).
"""

import argparse
import os
import platform
import queue
import statistics
import subprocess
import sys
import time

import zmq
import zmq.asyncio
from jupyter_client import __version__ as jupyter_client_version
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager

STARTS = 5
WARMUP = 10
ROUNDS = 200
OUTPUT_RUNS = 3
LINES = 100_000
SUM_RUNS = 3
SETTLE = 1.0

START_TIMEOUT = 60
CELL_TIMEOUT = 30
OUTPUT_TIMEOUT = 300
SUM_TIMEOUT = 120

SUM = 10_000_000
GO_SUM = f"s := 0\nfor i := 0; i < {SUM}; i++ {{\n\ts += i\n}}\ns"
GO_PRINT = f"for i := 0; i < {LINES}; i++ {{\n\tfmt.Println(i)\n}}"

KERNELS = {
    # name: (kernelspec, setup cell, trivial cell, print-100k cell, sum-1e7 cell)
    "gosys": ("gosys", 'import "fmt"', "1", GO_PRINT, GO_SUM),
    "ipykernel": ("python3", "pass", "1", f"for i in range({LINES}):\n    print(i)",
                  f"s = 0\nfor i in range({SUM}):\n    s += i\ns"),
}

# Other Go kernels, measured when their kernelspecs are installed
# (bench/peers.sh builds them). GoNB compiles each cell as a program: "%%"
# makes the rest of the cell the body of main.
PEERS = {
    "gophernotes": ("gophernotes", 'import "fmt"', "1", GO_PRINT, GO_SUM),
    "gonb": ("gonb", '%%\nfmt.Print("")', "%%\n_ = 1", "%%\n" + GO_PRINT,
             f"%%\ns := 0\nfor i := 0; i < {SUM}; i++ {{\n\ts += i\n}}\nfmt.Println(s)"),
}


def ensure_python3_spec(kernels):
    """Installs ipykernel's kernelspec into GOSYS_PREFIX, next to gosys's, so
    that both come from the same temporary JUPYTER_PATH entry."""
    prefix = os.environ.get("GOSYS_PREFIX")
    if prefix:
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", prefix],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=120)
    ksm = KernelSpecManager()
    for name, (spec, *_rest) in kernels.items():
        try:
            ksm.get_kernel_spec(spec)
        except NoSuchKernel:
            sys.exit(f"kernelspec {spec!r} ({name}) not found; run this with `make bench` "
                     "(or set JUPYTER_PATH to where it is installed)")


class Client:
    """A started kernel with a client whose sockets reconnect quickly."""

    def __init__(self, spec):
        # zmq retries a connection every 100 ms by default, which would round
        # start-up times up to that grid; 5 ms keeps the measure honest.
        self.ctx = zmq.asyncio.Context()
        self.ctx.setsockopt(zmq.RECONNECT_IVL, 5)
        self.km = KernelManager(kernel_name=spec, context=zmq.Context())
        # The kernels' own logs (gosys's "shut down", ipykernel's debugger
        # warnings) are not part of the report.
        self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client(context=self.ctx)
        self.kc.start_channels()

    def close(self):
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=False)
        except Exception:
            self.km.shutdown_kernel(now=True)
        self.ctx.term()

    def shell_reply(self, msg_id, deadline):
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no reply to {msg_id}")
            try:
                msg = self.kc.get_shell_msg(timeout=left)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def until_idle(self, msg_id, deadline, on_msg=None):
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no idle status for {msg_id}")
            try:
                msg = self.kc.get_iopub_msg(timeout=left)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if on_msg:
                on_msg(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return

    def execute(self, code, timeout=CELL_TIMEOUT, on_msg=None):
        """Runs code; returns (seconds to execute_reply, seconds to idle)."""
        t0 = time.perf_counter()
        deadline = t0 + timeout
        msg_id = self.kc.execute(code, silent=False, store_history=True, allow_stdin=False)
        reply = self.shell_reply(msg_id, deadline)
        t_reply = time.perf_counter()
        self.until_idle(msg_id, deadline, on_msg)
        t_idle = time.perf_counter()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"cell failed: {code!r}: {reply['content']}")
        return t_reply - t0, t_idle - t0


BLOCK = 20  # cells of one kernel in a row before the next kernel's turn


def start_once(spec):
    t0 = time.perf_counter()
    c = Client(spec)
    try:
        msg_id = c.kc.kernel_info()
        c.shell_reply(msg_id, t0 + START_TIMEOUT)
        return time.perf_counter() - t0
    finally:
        c.close()


def open_session(spec, setup):
    c = Client(spec)
    msg_id = c.kc.kernel_info()
    c.shell_reply(msg_id, time.perf_counter() + START_TIMEOUT)
    c.execute(setup, timeout=START_TIMEOUT)
    return c


def output_once(c, printer):
    chunks = []

    def collect(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            chunks.append(msg["content"]["text"])

    _, wall = c.execute(printer, timeout=OUTPUT_TIMEOUT, on_msg=collect)
    got = "".join(chunks).splitlines()
    lost = LINES - len(got)
    in_order = got == [str(i) for i in range(LINES)]
    return wall, len(chunks), lost, in_order


def proc_mb(pid, name, field):
    """The kB figure of field in /proc/PID/name, in MB; 0 when pid is gone."""
    try:
        with open(f"/proc/{pid}/{name}") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0


def rss_mb(pid):
    """Resident set of pid in MB (VmRSS)."""
    return proc_mb(pid, "status", "VmRSS:")


def pss_mb(pid):
    """Proportional set of pid in MB: its private pages, and its share of
    the pages it maps with others (the binary gosys's two processes both
    run, whose text the kernel maps in 2 MB pages: RSS counts those twice
    in full, PSS once)."""
    return proc_mb(pid, "smaps_rollup", "Pss:")


def descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def footprint(c):
    """(kernel process RSS, RSS of it and every process under it, PSS of
    the same), MB."""
    pid = c.km.provisioner.process.pid
    procs = [pid] + descendants(pid)
    return rss_mb(pid), sum(rss_mb(p) for p in procs), sum(pss_mb(p) for p in procs)


def measure_all(kernels):
    """Measures every kernel, interleaved; returns name -> results."""
    starts = {name: [] for name in kernels}
    for _ in range(STARTS):
        for name, (spec, *_rest) in kernels.items():
            starts[name].append(start_once(spec))
    clients = {name: open_session(k[0], k[1]) for name, k in kernels.items()}
    try:
        # After start: the kernel has answered and run its setup cell; a
        # moment for what it starts in the background (warm children, gopls).
        time.sleep(SETTLE)
        at_start = {name: footprint(c) for name, c in clients.items()}
        rounds = {name: [] for name in kernels}
        for name, c in clients.items():
            for _ in range(WARMUP):
                c.execute(kernels[name][2])
        while any(len(r) < ROUNDS for r in rounds.values()):
            for name, c in clients.items():
                for _ in range(min(BLOCK, ROUNDS - len(rounds[name]))):
                    rounds[name].append(c.execute(kernels[name][2]))
        outputs = {name: [] for name in kernels}
        for _ in range(OUTPUT_RUNS):
            for name, c in clients.items():
                outputs[name].append(output_once(c, kernels[name][3]))
        sums = {name: [] for name in kernels}
        for _ in range(SUM_RUNS):
            for name, c in clients.items():
                sums[name].append(c.execute(kernels[name][4], timeout=SUM_TIMEOUT)[1])
        after = {name: footprint(c) for name, c in clients.items()}
    finally:
        for c in clients.values():
            c.close()
    results = {}
    for name in kernels:
        r, o = rounds[name], outputs[name]
        results[name] = {
            "start": statistics.median(starts[name]),
            "reply": statistics.median(x for x, _ in r),
            "p99 reply": statistics.quantiles([x for x, _ in r], n=100)[-1],
            "idle": statistics.median(i for _, i in r),
            "out wall": statistics.median(w for w, *_ in o),
            "out msgs": statistics.median(n for _, n, _, _ in o),
            "out lost": max(lost for _, _, lost, _ in o),
            "out in order": all(ok for *_, ok in o),
            "sum": statistics.median(sums[name]),
            "rss kernel": at_start[name][0],
            "rss start": at_start[name][1],
            "rss after": after[name][1],
            "pss start": at_start[name][2],
            "pss after": after[name][2],
        }
    return results


def fmt_s(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    global STARTS, ROUNDS, OUTPUT_RUNS, SUM_RUNS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=STARTS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--output-runs", type=int, default=OUTPUT_RUNS)
    ap.add_argument("--sum-runs", type=int, default=SUM_RUNS)
    ap.add_argument("--no-peers", action="store_true",
                    help="leave out gophernotes and GoNB even when installed")
    ap.add_argument("--also", action="append", default=[], metavar="NAME=KERNELSPEC",
                    help="another Go kernel to measure alongside (e.g. an older gosys build)")
    args = ap.parse_args()
    STARTS, ROUNDS, OUTPUT_RUNS, SUM_RUNS = args.starts, args.rounds, args.output_runs, args.sum_runs

    # ipykernel's debugger (debugpy) warns about frozen modules on start-up.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    kernels = dict(KERNELS)
    for extra in args.also:
        name, _, spec = extra.partition("=")
        kernels[name] = (spec or name, *KERNELS["gosys"][1:])
    ensure_python3_spec(kernels)
    if not args.no_peers:
        ksm = KernelSpecManager()
        for name, k in PEERS.items():
            try:
                ksm.get_kernel_spec(k[0])
            except NoSuchKernel:
                print(f"{name}: no kernelspec {k[0]!r}, left out (bench/peers.sh installs it)", file=sys.stderr)
                continue
            kernels[name] = k

    print(f"measuring {', '.join(kernels)} in turn ...", file=sys.stderr, flush=True)
    results = measure_all(kernels)

    mb = lambda v: f"{v:.0f} MB"
    rows = [
        (f"start → first kernel_info_reply (median of {STARTS})", "start", fmt_s),
        (f'trivial cell → execute_reply (median of {ROUNDS})', "reply", fmt_s),
        (f'trivial cell → execute_reply (99th percentile)', "p99 reply", fmt_s),
        (f'trivial cell → status idle (median)', "idle", fmt_s),
        (f"print {LINES:,} lines → idle (median of {OUTPUT_RUNS})", "out wall", fmt_s),
        (f"print {LINES:,} lines: lines lost", "out lost", lambda n: f"{n:d}"),
        (f"print {LINES:,} lines: iopub stream messages", "out msgs", lambda n: f"{n:g}"),
        (f"sum of {SUM:.0e} ints → idle (median of {SUM_RUNS})", "sum", fmt_s),
        ("RSS after start: kernel process", "rss kernel", mb),
        ("RSS after start: with every child", "rss start", mb),
        ("RSS after the benchmark: with every child", "rss after", mb),
        ("PSS after start: with every child", "pss start", mb),
        ("PSS after the benchmark: with every child", "pss after", mb),
    ]
    names = list(kernels)
    others = [n for n in names if n != "gosys"]
    w = max(len(r[0]) for r in rows)
    print()
    head = "".join(f"  {n:>12}" for n in names) + "".join(f"  {'gosys/' + n:>17}" for n in others)
    print(f"{'':{w}}{head}")
    g = results["gosys"]
    for label, key, f in rows:
        line = "".join(f"  {f(results[n][key]):>12}" for n in names)
        for n in others:
            v = results[n][key]
            line += f"  {g[key] / v:>16.2f}×" if v else f"  {'-':>17}"
        print(f"{label:{w}}{line}")
    print(f"{'all lines arrived, in order':{w}}" + "".join(f"  {str(results[n]['out in order']):>12}" for n in names))
    print()
    gosys_bin = KernelSpecManager().get_kernel_spec("gosys").argv[0]
    gosys_version = subprocess.run([gosys_bin, "version"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
    import ipykernel
    peers = "".join(f"; {n} ({KernelSpecManager().get_kernel_spec(PEERS[n][0]).display_name})"
                    for n in names if n in PEERS)
    print(f"{gosys_version}; ipykernel {ipykernel.__version__} on Python {platform.python_version()}{peers}; "
          f"jupyter_client {jupyter_client_version}; {os.cpu_count()} CPUs; {platform.machine()}")


if __name__ == "__main__":
    main()
