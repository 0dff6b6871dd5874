"""Connection files and requests that are allowed but unusual, or wrong:
each gets a working kernel, a warning, or a clear error."""

import json
import os
import pwd
import socket
import subprocess
import time

import pytest
import zmq
from jupyter_client.session import Session

import harness

TIMEOUT = 30


def free_ports(n, family=socket.AF_INET, host="127.0.0.1"):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind((host, 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class RawKernel:
    """gosys started by hand on a connection file written by the test, and
    a client made of raw pyzmq sockets (jupyter_client refuses some of the
    addresses tested here)."""

    def __init__(self, tmp_path, ip="127.0.0.1", key="secret", scheme="hmac-sha256"):
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]
        ports = dict(zip(names, free_ports(5, family, ip.strip("[]") if ip not in ("*", "0.0.0.0") else "127.0.0.1")))
        self.info = {"transport": "tcp", "ip": ip, "key": key, "signature_scheme": scheme, **ports}
        path = tmp_path / "kernel.json"
        path.write_text(json.dumps(self.info))
        self.log = tmp_path / "kernel.log"
        gosys = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
        self.proc = subprocess.Popen([gosys, "kernel", "-f", str(path)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.session = Session(key=key.encode(), signature_scheme=scheme)
        self.ctx = zmq.Context()
        self.shell = self.ctx.socket(zmq.DEALER)
        self.shell.setsockopt(zmq.IPV6, 1)
        self.shell.setsockopt(zmq.LINGER, 0)
        host = ip.strip("[]")
        if host in ("*", "0.0.0.0"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        self.shell.connect(f"tcp://{host}:{ports['shell_port']}")

    def request(self, msg_type, content, timeout=TIMEOUT):
        msg = self.session.msg(msg_type, content)
        self.session.send(self.shell, msg)
        if not self.shell.poll(timeout * 1000):
            raise harness.Timeout(f"no reply to {msg_type}; log:\n{self.log.read_text()}")
        _, frames = self.session.feed_identities(self.shell.recv_multipart())
        return self.session.deserialize(frames)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.shell.close()
        self.ctx.term()


@pytest.fixture
def raw(tmp_path):
    made = []

    def make(**kw):
        k = RawKernel(tmp_path, **kw)
        made.append(k)
        return k
    yield make
    for k in made:
        k.close()


def test_ipv6_address_and_sha512(raw):
    k = raw(ip="::1", scheme="hmac-sha512")
    reply = k.request("kernel_info_request", {})
    assert reply["content"]["implementation"] == "gosys"
    reply = k.request("execute_request", {"code": "6 * 7", "silent": False})
    assert reply["content"]["status"] == "ok", reply["content"]


@pytest.mark.parametrize("kw,warning", [
    ({"key": ""}, "has no key"),
    ({"ip": "0.0.0.0"}, "every network interface"),
])
def test_risky_connection_files_are_warned_about(raw, kw, warning):
    k = raw(**kw)
    assert k.request("kernel_info_request", {})["content"]["status"] == "ok"
    log = k.log.read_text()
    assert warning in log
    # Every log line says whose kernel it is: the id from the connection
    # file's name (kernel.json here) and the user.
    user = pwd.getpwuid(os.getuid()).pw_name
    line = next(l for l in log.splitlines() if warning in l)
    assert line.startswith(f"gosys[kernel {user}]: "), line


def test_unknown_signature_scheme_is_a_clear_error(tmp_path):
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-blake9",
                                "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}))
    gosys = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
    r = subprocess.run([gosys, "kernel", "-f", str(path)], capture_output=True, text=True, timeout=TIMEOUT,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert 'signature scheme "hmac-blake9": gosys knows hmac-md5' in r.stderr, r.stderr


def test_execute_without_code_is_an_error_and_uses_no_count(kernel):
    kernel.ok("1")
    msg = kernel.kc.session.msg("execute_request", {"silent": False})
    kernel.kc.shell_channel.send(msg)
    reply = kernel.shell_reply(msg["header"]["msg_id"])
    assert reply["content"]["status"] == "error"
    assert reply["content"]["evalue"] == "execute_request without code"
    cell = kernel.ok("2")
    assert cell.reply["execution_count"] == 2, cell.reply


@pytest.mark.parametrize("cursor", [99999, -5])
def test_bad_cursor_positions_are_clamped(kernel, cursor):
    code = "import \"strings\"\nstrings.ToUp"
    msg_id = kernel.kc.complete(code, cursor)
    reply = kernel.shell_reply(msg_id)["content"]
    assert reply["status"] == "ok"
    assert 0 <= reply["cursor_start"] <= reply["cursor_end"] <= len(code), reply
    if cursor > len(code):
        assert "strings.ToUpper" in "".join(reply["matches"]) or "ToUpper" in reply["matches"], reply


def test_kernel_exits_when_its_launcher_is_gone(tmp_path):
    """A kernel whose launcher died while a cell spins ends itself, and
    leaves no session or child behind (ipykernel polls its parent too)."""
    info = {"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256",
            **dict(zip(["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"], free_ports(5)))}
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps(info))
    gosys = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
    # A launcher (sh) that starts the kernel in the background, then exits.
    pidfile = tmp_path / "pid"
    subprocess.run(["sh", "-c", f'"{gosys}" kernel -f "{path}" </dev/null >/dev/null 2>&1 & echo $! > "{pidfile}"; sleep 3'],
                   timeout=TIMEOUT)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 15
    while harness.process_state(pid) not in (None, "Z") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert harness.process_state(pid) in (None, "Z"), "the kernel outlived its launcher"
