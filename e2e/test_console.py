"""jupyter console, the terminal frontend the README offers, with gosys:
driven as a person would, through a terminal (tmux), cell by cell."""

import os
import shlex
import shutil
import subprocess
import time
import uuid

import pytest

CONSOLE = "/usr/bin/jupyter-console"


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=20)


def screen(sock):
    return tmux(sock, "capture-pane", "-p", "-J", "-S", "-200", "-t", "console").stdout


def wait_for(sock, text, timeout=60, after=0):
    """Waits until the screen shows text (counting from occurrence `after`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = screen(sock)
        if s.count(text) > after:
            return s
        time.sleep(0.2)
    raise AssertionError(f"the console never showed {text!r}; screen:\n{screen(sock)}")


@pytest.mark.skipif(not shutil.which("tmux") or not os.path.exists(CONSOLE), reason="needs tmux and jupyter-console (scripts/deps.sh installs both)")
def test_jupyter_console_runs_cells():
    sock = "gosys-" + uuid.uuid4().hex[:8]
    env = " ".join(f"{k}={shlex.quote(os.environ[k])}" for k in ("JUPYTER_PATH", "HOME", "PATH") if k in os.environ)
    cmd = f"env {env} {CONSOLE} --kernel gosys --no-confirm-exit"
    r = tmux(sock, "new-session", "-d", "-s", "console", "-x", "160", "-y", "50", cmd)
    assert r.returncode == 0, r.stderr
    try:
        wait_for(sock, "In [1]:")
        tmux(sock, "send-keys", "-t", "console", 'import "fmt"', "Enter")
        wait_for(sock, "In [2]:")
        tmux(sock, "send-keys", "-t", "console", "fmt.Println(6 * 7)", "Enter")
        s = wait_for(sock, "In [3]:")
        assert "\n42\n" in s or "42" in s.split("In [2]:")[-1], s
        # A value is shown as Out[n], and a fork's child writes into the terminal too.
        tmux(sock, "send-keys", "-t", "console", 'c, _ := rt.Fork(func() { fmt.Println("from the child") })', "Enter")
        wait_for(sock, "In [4]:")
        tmux(sock, "send-keys", "-t", "console", "rt.WaitPid(c)", "Enter")
        s = wait_for(sock, "In [5]:")
        assert "from the child" in s, s
        tmux(sock, "send-keys", "-t", "console", "40 + 2", "Enter")
        s = wait_for(sock, "Out[5]: 42")
    finally:
        tmux(sock, "send-keys", "-t", "console", "C-d")
        time.sleep(1)
        tmux(sock, "kill-server")
