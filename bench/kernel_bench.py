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
for comparison, not pass/fail.

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


def ensure_python3_spec():
    """Installs ipykernel's kernelspec into GOSYS_PREFIX, next to gosys's, so
    that both come from the same temporary JUPYTER_PATH entry."""
    prefix = os.environ.get("GOSYS_PREFIX")
    if prefix:
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", prefix],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=120)
    ksm = KernelSpecManager()
    for name, (spec, *_rest) in KERNELS.items():
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


def measure_start(spec):
    times = []
    for _ in range(STARTS):
        t0 = time.perf_counter()
        c = Client(spec)
        try:
            msg_id = c.kc.kernel_info()
            c.shell_reply(msg_id, t0 + START_TIMEOUT)
            times.append(time.perf_counter() - t0)
        finally:
            c.close()
    return times


def measure_session(spec, setup, trivial, printer):
    c = Client(spec)
    try:
        msg_id = c.kc.kernel_info()
        c.shell_reply(msg_id, time.perf_counter() + START_TIMEOUT)
        c.execute(setup)
        for _ in range(WARMUP):
            c.execute(trivial)
        rounds = [c.execute(trivial) for _ in range(ROUNDS)]

        outputs = []
        want = "".join(f"{i}\n" for i in range(LINES))
        for _ in range(OUTPUT_RUNS):
            chunks = []

            def collect(msg):
                if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                    chunks.append(msg["content"]["text"])

            _, wall = c.execute(printer, timeout=OUTPUT_TIMEOUT, on_msg=collect)
            complete = "".join(chunks) == want
            outputs.append((wall, len(chunks), complete))
        return rounds, outputs
    finally:
        c.close()


def fmt_s(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    global STARTS, ROUNDS, OUTPUT_RUNS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=STARTS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--output-runs", type=int, default=OUTPUT_RUNS)
    args = ap.parse_args()
    STARTS, ROUNDS, OUTPUT_RUNS = args.starts, args.rounds, args.output_runs

    # ipykernel's debugger (debugpy) warns about frozen modules on start-up.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    ensure_python3_spec()

    results = {}
    for name, (spec, setup, trivial, printer) in KERNELS.items():
        print(f"measuring {name} (kernelspec {spec}) ...", file=sys.stderr, flush=True)
        starts = measure_start(spec)
        rounds, outputs = measure_session(spec, setup, trivial, printer)
        results[name] = {
            "start": statistics.median(starts),
            "reply": statistics.median(r for r, _ in rounds),
            "idle": statistics.median(i for _, i in rounds),
            "p90 idle": statistics.quantiles([i for _, i in rounds], n=10)[-1],
            "out wall": statistics.median(w for w, _, _ in outputs),
            "out msgs": statistics.median(n for _, n, _ in outputs),
            "out complete": all(ok for _, _, ok in outputs),
        }

    g, p = results["gosys"], results["ipykernel"]
    rows = [
        (f"start → first kernel_info_reply (median of {STARTS})", "start", fmt_s),
        (f'execute "1" → execute_reply (median of {ROUNDS})', "reply", fmt_s),
        (f'execute "1" → status idle (median of {ROUNDS})', "idle", fmt_s),
        (f'execute "1" → status idle (90th percentile)', "p90 idle", fmt_s),
        (f"print {LINES:,} lines → idle (median of {OUTPUT_RUNS})", "out wall", fmt_s),
        (f"print {LINES:,} lines: iopub stream messages", "out msgs", lambda n: f"{n:g}"),
    ]
    w = max(len(r[0]) for r in rows)
    print()
    print(f"{'':{w}}  {'gosys':>10}  {'ipykernel':>10}  {'gosys/ipykernel':>15}")
    for label, key, f in rows:
        ratio = g[key] / p[key] if p[key] else float("nan")
        print(f"{label:{w}}  {f(g[key]):>10}  {f(p[key]):>10}  {ratio:>14.2f}×")
    print(f"{'all 100k lines arrived, in order':{w}}  {str(g['out complete']):>10}  {str(p['out complete']):>10}")
    print()
    gosys_bin = KernelSpecManager().get_kernel_spec("gosys").argv[0]
    gosys_version = subprocess.run([gosys_bin, "version"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
    import ipykernel
    print(f"{gosys_version}; ipykernel {ipykernel.__version__} on Python {platform.python_version()}; "
          f"jupyter_client {jupyter_client_version}; {os.cpu_count()} CPUs; {platform.machine()}")


if __name__ == "__main__":
    main()
