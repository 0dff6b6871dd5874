"""pytest setup for the e2e tests.

The tests talk to the kernel through its installed kernelspec, as a real
frontend would. `make test` (scripts/with-kernel.sh) builds gosys, installs
it with `gosys install --prefix PREFIX` and sets JUPYTER_PATH and
GOSYS_PREFIX. Run bare (`/usr/bin/python3 -m pytest e2e`), this file does
the same into a temporary prefix, so the tests never pick up a stale gosys
installed elsewhere by accident.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

_own_prefix = None


def _install_into_temp_prefix():
    global _own_prefix
    _own_prefix = tempfile.mkdtemp(prefix="gosys-e2e-")
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "install-prefix.sh"), _own_prefix],
                   check=True, stdin=subprocess.DEVNULL, timeout=600)
    os.environ["GOSYS_PREFIX"] = _own_prefix
    data = os.path.join(_own_prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (data, os.environ.get("JUPYTER_PATH")) if p)


if not os.environ.get("GOSYS_PREFIX"):
    _install_into_temp_prefix()


def pytest_sessionfinish(session, exitstatus):
    if _own_prefix:
        shutil.rmtree(_own_prefix, ignore_errors=True)


# Figures the tests measure but do not assert (message counts, timings),
# printed once at the end of the run.
FIGURES = []


@pytest.fixture
def figure():
    def record(name, value):
        FIGURES.append((name, value))
    return record


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("e2e figures (measured, not asserted)")
        for name, value in FIGURES:
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture
def kernel():
    """A fresh gosys kernel for one test, always shut down afterwards."""
    from harness import Kernel

    k = Kernel()
    try:
        yield k
    finally:
        k.close()
