#!/usr/bin/python3
"""Check executed gosys notebooks: no error outputs, every expectation met.

    check_notebooks.py NB.ipynb...                    check notebooks as they are
    check_notebooks.py --run gosys NB.ipynb...        execute with `gosys run`
                                                      ($GOSYS_BIN, default: gosys)
    check_notebooks.py --run nbconvert NB.ipynb...    execute with nbconvert and
                                                      the gosys kernel (caller sets
                                                      JUPYTER_PATH)

With --run each notebook is executed into a temporary directory (or --keep DIR)
with a per-cell time limit (--timeout, seconds) and then checked; the input
notebook is not changed.

A code cell may carry expectations in its metadata:

    "metadata": {"gosys": {"expect": ["regex", ...]}}

Each regular expression must match (Python re.search, MULTILINE) the cell's
text output: its stream outputs and the text/plain of its results and
displays, concatenated in order. A notebook fails on any error output, any
unmet expectation, and any code cell that was not executed. The exit status
is 1 when a notebook fails, 2 on a usage error.

Uses only the standard library and nbformat.
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat


def cell_text(cell):
    """The cell's text output: streams and text/plain, in order."""
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            text = out.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
        elif kind in ("execute_result", "display_data"):
            text = out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if text:
                parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def parse_time(s):
    try:
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except (TypeError, ValueError, AttributeError):
        return None


def recorded_seconds(nb):
    """Wall time from the first cell's start to the last cell's end, from the
    execution timestamps nbclient and gosys run record; None without them."""
    starts, ends = [], []
    for cell in nb.cells:
        ex = cell.get("metadata", {}).get("execution", {})
        s = parse_time(ex.get("iopub.execute_input") or ex.get("shell.execute_request"))
        e = parse_time(ex.get("shell.execute_reply"))
        if s:
            starts.append(s)
        if e:
            ends.append(e)
    if not starts or not ends:
        return None
    return (max(ends) - min(starts)).total_seconds()


def check(path, seconds=None, label=None):
    """Returns the list of failures of the executed notebook at path."""
    nb = nbformat.read(path, as_version=4)
    failures = []
    code_cells = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_cells += 1
        where = "cell %d (%s)" % (index, first_line(cell.source))
        if not cell.source.strip():
            continue
        if cell.get("execution_count") is None:
            failures.append("%s: not executed" % where)
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                failures.append("%s: error %s: %s" % (where, out.get("ename"), out.get("evalue")))
        text = cell_text(cell)
        expects = cell.get("metadata", {}).get("gosys", {}).get("expect", [])
        if isinstance(expects, str):
            expects = [expects]
        for rx in expects:
            try:
                ok = re.search(rx, text, re.MULTILINE)
            except re.error as e:
                failures.append("%s: bad expectation %r: %s" % (where, rx, e))
                continue
            if not ok:
                shown = text if len(text) < 1500 else text[:700] + "\n...\n" + text[-700:]
                failures.append("%s: expected /%s/ in output:\n%s" % (
                    where, rx, "    " + shown.replace("\n", "\n    ")))
    if seconds is None:
        seconds = recorded_seconds(nb)
    took = "?" if seconds is None else "%.1f" % seconds
    status = "ok" if not failures else "FAILED (%d)" % len(failures)
    print("%s: %d cells (%d code), %s seconds: %s" % (
        label or path, len(nb.cells), code_cells, took, status))
    for f in failures:
        print("  - " + f)
    return failures


def execute(tool, path, outdir, timeout):
    """Executes path into outdir with tool; returns (out path, seconds, problem)."""
    out = os.path.join(outdir, os.path.basename(path))
    if tool == "gosys":
        cmd = [os.environ.get("GOSYS_BIN", "gosys"), "run", "--allow-errors",
               "--timeout", str(timeout), path, "-o", out]
    else:
        cmd = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
               "--allow-errors",
               "--ExecutePreprocessor.kernel_name=gosys",
               "--ExecutePreprocessor.timeout=%d" % timeout,
               "--output-dir", outdir, "--output", os.path.basename(path), path]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout * 50 + 60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return out, time.monotonic() - start, "%s: %s" % (cmd[0], e)
    seconds = time.monotonic() - start
    if proc.returncode != 0 or not os.path.exists(out):
        return out, seconds, "%s exited %d:\n%s" % (
            " ".join(cmd[:3]), proc.returncode, proc.stdout[-3000:])
    return out, seconds, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--run", choices=["gosys", "nbconvert"],
                    help="execute each notebook with this tool first")
    ap.add_argument("--timeout", type=int, default=60, help="per-cell time limit, seconds")
    ap.add_argument("--keep", metavar="DIR", help="write executed notebooks to DIR")
    args = ap.parse_args()

    failed = 0
    tmp = None
    if args.run:
        outdir = args.keep or tempfile.mkdtemp(prefix="gosys-nb-")
        os.makedirs(outdir, exist_ok=True)
        tmp = None if args.keep else outdir
    try:
        for path in args.notebooks:
            if not args.run:
                failed += bool(check(path))
                continue
            out, seconds, problem = execute(args.run, path, outdir, args.timeout)
            if problem and not os.path.exists(out):
                print("%s: could not execute with %s (%.1f seconds)\n  - %s" % (
                    path, args.run, seconds, problem))
                failed += 1
                continue
            failures = check(out, seconds, "%s [%s]" % (path, args.run))
            if problem:
                print("  - " + problem)
            failed += bool(failures) or bool(problem)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        print("%d of %d notebooks failed" % (failed, len(args.notebooks)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
