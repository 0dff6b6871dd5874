#!/usr/bin/python3
"""gosys against ipykernel, side by side, through the same Jupyter client.

For each kernel it measures
  - start-up: KernelManager.start_kernel() until the first kernel_info_reply
    (median of STARTS fresh kernels);
  - round trip of a trivial cell (`1` in both languages): execute_request
    until execute_reply, and until the status idle that ends the cell
    (median of ROUNDS runs after WARMUP);
  - output: a cell printing 100,000 lines (median wall time of OUTPUT_RUNS,
    and how many iopub stream messages carried them), checking that every
    line arrived.
It prints a table with gosys/ipykernel ratios. Nothing is asserted: this is
for comparison, not pass/fail. The kernels are measured in turn, round by
round (starts alternate, cells alternate in blocks), so that a busy moment
of the machine weighs on all of them alike.

--also NAME=KERNELSPEC adds another Go kernel to the table (another gosys
build installed under another kernelspec name, say, to compare two
versions in one run).

Run it with `make bench`, which builds gosys, installs it with
`gosys install --prefix` into a temporary prefix and sets JUPYTER_PATH and
GOSYS_PREFIX. ipykernel's kernelspec (python3) is installed into the same
prefix so both kernels are found the same way. Use /usr/bin/python3: it is
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

START_TIMEOUT = 60
CELL_TIMEOUT = 30
OUTPUT_TIMEOUT = 300

KERNELS = {
    # name: (kernelspec, setup cell, trivial cell, print-100k cell)
    "gosys": ("gosys", 'import "fmt"', "1",
              f"for i := 0; i < {LINES}; i++ {{\n\tfmt.Println(i)\n}}"),
    "ipykernel": ("python3", "pass", "1", f"for i in range({LINES}):\n    print(i)"),
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
    c.execute(setup)
    return c


def output_once(c, printer):
    chunks = []

    def collect(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            chunks.append(msg["content"]["text"])

    _, wall = c.execute(printer, timeout=OUTPUT_TIMEOUT, on_msg=collect)
    want = "".join(f"{i}\n" for i in range(LINES))
    return wall, len(chunks), "".join(chunks) == want


def measure_all(kernels):
    """Measures every kernel, interleaved; returns name -> results."""
    starts = {name: [] for name in kernels}
    for _ in range(STARTS):
        for name, (spec, *_rest) in kernels.items():
            starts[name].append(start_once(spec))
    clients = {name: open_session(spec, setup) for name, (spec, setup, _t, _p) in kernels.items()}
    try:
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
    finally:
        for c in clients.values():
            c.close()
    results = {}
    for name in kernels:
        r, o = rounds[name], outputs[name]
        results[name] = {
            "start": statistics.median(starts[name]),
            "reply": statistics.median(x for x, _ in r),
            "idle": statistics.median(i for _, i in r),
            "p90 idle": statistics.quantiles([i for _, i in r], n=10)[-1],
            "out wall": statistics.median(w for w, _, _ in o),
            "out msgs": statistics.median(n for _, n, _ in o),
            "out complete": all(ok for _, _, ok in o),
        }
    return results


def fmt_s(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    global STARTS, ROUNDS, OUTPUT_RUNS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=STARTS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--output-runs", type=int, default=OUTPUT_RUNS)
    ap.add_argument("--also", action="append", default=[], metavar="NAME=KERNELSPEC",
                    help="another Go kernel to measure alongside (e.g. an older gosys build)")
    args = ap.parse_args()
    STARTS, ROUNDS, OUTPUT_RUNS = args.starts, args.rounds, args.output_runs

    # ipykernel's debugger (debugpy) warns about frozen modules on start-up.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    kernels = dict(KERNELS)
    for extra in args.also:
        name, _, spec = extra.partition("=")
        _, setup, trivial, printer = KERNELS["gosys"]
        kernels[name] = (spec or name, setup, trivial, printer)
    ensure_python3_spec(kernels)

    print(f"measuring {', '.join(kernels)} in turn ...", file=sys.stderr, flush=True)
    results = measure_all(kernels)

    rows = [
        (f"start → first kernel_info_reply (median of {STARTS})", "start", fmt_s),
        (f'execute "1" → execute_reply (median of {ROUNDS})', "reply", fmt_s),
        (f'execute "1" → status idle (median of {ROUNDS})', "idle", fmt_s),
        (f'execute "1" → status idle (90th percentile)', "p90 idle", fmt_s),
        (f"print {LINES:,} lines → idle (median of {OUTPUT_RUNS})", "out wall", fmt_s),
        (f"print {LINES:,} lines: iopub stream messages", "out msgs", lambda n: f"{n:g}"),
    ]
    names = list(kernels)
    others = [n for n in names if n != "ipykernel"]
    w = max(len(r[0]) for r in rows)
    print()
    head = "".join(f"  {n:>12}" for n in names) + "".join(f"  {n + '/ipykernel':>18}" for n in others)
    print(f"{'':{w}}{head}")
    p = results["ipykernel"]
    for label, key, f in rows:
        line = "".join(f"  {f(results[n][key]):>12}" for n in names)
        for n in others:
            ratio = results[n][key] / p[key] if p[key] else float("nan")
            line += f"  {ratio:>17.2f}×"
        print(f"{label:{w}}{line}")
    print(f"{'all 100k lines arrived, in order':{w}}" + "".join(f"  {str(results[n]['out complete']):>12}" for n in names))
    print()
    gosys_bin = KernelSpecManager().get_kernel_spec("gosys").argv[0]
    gosys_version = subprocess.run([gosys_bin, "version"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
    import ipykernel
    print(f"{gosys_version}; ipykernel {ipykernel.__version__} on Python {platform.python_version()}; "
          f"jupyter_client {jupyter_client_version}; {os.cpu_count()} CPUs; {platform.machine()}")


if __name__ == "__main__":
    main()
