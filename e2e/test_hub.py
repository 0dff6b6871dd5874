"""A class on one machine: Debian's JupyterHub, its local process spawner
and dummy authenticator, three real Unix users this test creates, each
logging in, starting a single-user server and a gosys kernel through the
hub's REST API, and running lecture notebooks over the kernel's websocket
at the same time, every cell's expectations checked (check_notebooks.py).

gosys is installed the way docs/course.md says and the Dockerfile does
(scripts/install-system.sh), into a prefix every user can read, with the
class settings in the kernelspec (GOSYS_WARM_CHILDREN=0); a second
kernelspec with three warm children is measured against it. Also checked:
a kernelspec whose binary other users cannot run is refused; one student
cannot signal, or read the environment or descriptors of, another's
kernel; the kernels' log lines in the hub's log say whose they are; and
stopping servers and hub leaves no process, port, user or home behind.

Per-student memory (RSS and PSS of the notebook server, kernel, session
and warm children) is printed among the e2e figures: docs/course.md has
the table.

Needs root (it creates users; skipped otherwise) and scripts/deps.sh's
jupyterhub and python3-websocket.
"""

import datetime
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import nbformat
import pytest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "notebooks"))
import check_notebooks  # noqa: E402  (the expectations' checker, reused)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix users and runs JupyterHub's "
                                "local spawner, which needs root: run as root (CI does)")

STUDENTS = 3
NOTEBOOKS = ["03-pipes.ipynb", "04-protocols-and-clients.ipynb", "05-servers.ipynb"]
HTTP_TIMEOUT = 30
SPAWN_TIMEOUT = 90
CELL_TIMEOUT = 120
JUPYTERHUB = "/usr/bin/jupyterhub"
SINGLEUSER = "/usr/bin/jupyterhub-singleuser"
CLASS_CONFIG = os.path.join(ROOT, "docs", "jupyterhub_config.py")
NPROC = 1024  # docs/jupyterhub_config.py's prlimit


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, timeout=120, **kw):
    """Runs cmd; returns the CompletedProcess (text, output captured)."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


# -- /proc ----------------------------------------------------------------

def proc_table():
    """{pid: (uid, ppid, argv)} of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        table[int(entry)] = (int(fields["Uid"].split()[0]), int(fields["PPid"]), argv)
    return table


def memory_kb(pid):
    """(RSS, PSS) of pid in kB, from /proc (0, 0 when it is gone)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def threads_of(uid):
    """How many threads the processes of uid have (what RLIMIT_NPROC counts)."""
    n = 0
    for pid, (u, _, _) in proc_table().items():
        if u == uid:
            try:
                n += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return n


def role(argv):
    """What a student's process is: server, kernel, session, child or other."""
    if any(a.endswith("jupyterhub-singleuser") for a in argv[:2]):
        return "server"
    if len(argv) >= 2 and os.path.basename(argv[0]) == "gosys":
        return {"kernel": "kernel", "session": "session", "fork-child": "child"}.get(argv[1], "other")
    return "other"


def listening(uids=None, ports=None):
    """Listening TCP sockets as (port, uid), filtered by uid or port."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] != "0A":  # LISTEN
                continue
            port, uid = int(cols[1].rsplit(":", 1)[1], 16), int(cols[7])
            if (uids is not None and uid in uids) or (ports is not None and port in ports):
                found.add((port, uid))
    return found


# -- HTTP and the kernel websocket ---------------------------------------

class Api:
    """The hub's REST API and the single-user servers behind its proxy."""

    def __init__(self, base):
        import requests
        self.base = base
        self.http = requests.Session()

    def call(self, method, path, token, expect=(200,), **kw):
        r = self.http.request(method, self.base + path, timeout=HTTP_TIMEOUT,
                              headers={"Authorization": f"token {token}"}, **kw)
        assert r.status_code in expect, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.content and r.headers.get("Content-Type", "").startswith("application/json") else None


class KernelSocket:
    """A kernel's websocket (/api/kernels/ID/channels) through the hub's
    proxy: execute requests in, replies and iopub messages out, each wait
    bounded."""

    def __init__(self, url, token):
        import websocket
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {token}"],
                                              timeout=HTTP_TIMEOUT)
        self.session = uuid.uuid4().hex

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def _msg(self, msg_type, content, channel="shell"):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "student", "session": self.session, "msg_type": msg_type,
                       "version": "5.3", "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def execute(self, code, timeout=CELL_TIMEOUT):
        """Runs code; returns (reply content, nbformat outputs, seconds)."""
        import websocket
        msg_id = self._msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False,
                                               "stop_on_error": True})
        start = time.monotonic()
        reply, idle, outputs, clear_next = None, False, [], False
        while reply is None or not idle:
            left = start + timeout - time.monotonic()
            if left <= 0:
                raise harness.Timeout(f"cell did not finish within {timeout}s "
                                      f"(reply={reply is not None}, idle={idle}):\n{code[:300]}")
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                reply = content
                continue
            if kind == "status":
                idle = idle or content["execution_state"] == "idle"
                continue
            if kind == "clear_output":
                if content.get("wait"):
                    clear_next = True
                else:
                    outputs.clear()
                continue
            out = None
            if kind == "stream":
                if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1]["name"] == content["name"] \
                        and not clear_next:
                    outputs[-1]["text"] += content["text"]
                    continue
                out = nbformat.v4.new_output("stream", name=content["name"], text=content["text"])
            elif kind in ("display_data", "execute_result"):
                out = nbformat.v4.new_output(kind, data=content["data"], metadata=content.get("metadata", {}),
                                             **({"execution_count": content["execution_count"]}
                                                if kind == "execute_result" else {}))
            elif kind == "error":
                out = nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                             traceback=content["traceback"])
            if out is not None:
                if clear_next:
                    outputs.clear()
                    clear_next = False
                outputs.append(out)
        return reply, outputs, time.monotonic() - start

    def ok(self, code, timeout=CELL_TIMEOUT):
        """Runs code that must succeed; returns its text output."""
        reply, outputs, _ = self.execute(code, timeout)
        text = check_notebooks.cell_text({"outputs": outputs})
        assert reply["status"] == "ok", f"cell failed: {code[:300]}\n{reply}\n{text}"
        return text

    def run_notebook(self, path, out_path):
        """Runs every code cell of the notebook at path, in order, and
        writes the executed notebook to out_path; returns the seconds."""
        nb = nbformat.read(path, as_version=4)
        start = time.monotonic()
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            reply, outputs, _ = self.execute(cell.source)
            cell.outputs = outputs
            cell.execution_count = reply.get("execution_count")
            if reply["status"] != "ok" and not any(o["output_type"] == "error" for o in outputs):
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename=reply.get("ename", reply["status"]), evalue=reply.get("evalue", ""),
                    traceback=reply.get("traceback", [])))
        nbformat.write(nb, out_path)
        return time.monotonic() - start


# -- the classroom --------------------------------------------------------

class Student:
    def __init__(self, name):
        self.name = name
        self.uid = None
        self.token = None
        self.kernel_id = None
        self.socket = None


class Classroom:
    """Everything the test sets up, and its teardown."""

    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="gosys-hub-")  # the hub's own files: root only
        # The prefix every student's server reads the kernelspec and binary
        # from: world-readable, as /usr/local is.
        self.prefix = tempfile.mkdtemp(prefix="gosys-class-", dir="/tmp")  # /tmp: every user passes
        os.chmod(self.prefix, 0o755)
        tag = secrets.token_hex(2)
        self.students = [Student(f"gosysstu{tag}{i}") for i in range(1, STUDENTS + 1)]
        self.created_users = []
        self.hub = None
        self.hub_log = os.path.join(self.work, "hub.log")
        self.ports = []
        self.proxy_pid = None
        self.user_ports = set()
        self.after_lecture = {}  # student -> [memory after each notebook]
        self.torn_down = False

    # setup

    def install(self):
        """scripts/install-system.sh, as the Dockerfile runs it: the class
        kernelspec (warm children 0) and one with three warm children."""
        binary = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
        script = os.path.join(ROOT, "scripts", "install-system.sh")
        for extra in ([], ["--name", "gosys-warm3", "--env", "GOSYS_WARM_CHILDREN=3"]):
            r = run(["bash", script, "--binary", binary, *extra, self.prefix])
            assert r.returncode == 0, f"install-system.sh {extra}: {r.stdout}\n{r.stderr}"
        self.data = os.path.join(self.prefix, "share", "jupyter")
        with open(os.path.join(self.data, "kernels", "gosys", "kernel.json")) as f:
            spec = json.load(f)
        assert spec["argv"][0] == os.path.join(self.prefix, "bin", "gosys"), spec
        assert spec["env"]["GOSYS_WARM_CHILDREN"] == "0", spec

    def add_users(self):
        for s in self.students:
            r = run(["useradd", "--create-home", "--shell", "/bin/bash", "-K", "HOME_MODE=0700", s.name])
            assert r.returncode == 0, f"useradd {s.name}: {r.stderr}"
            self.created_users.append(s.name)
            s.uid = pwd.getpwnam(s.name).pw_uid
        self.warm_native_cells()

    def warm_native_cells(self):
        """What docs/course.md tells a class to do per account: `gosys
        native-warm` compiles the standard library for plugins into each
        student's Go build cache, so that notebook 03's native cell takes a
        second, not minutes with a class compiling at once. The time is a
        figure."""
        gosys = os.path.join(self.prefix, "bin", "gosys")
        start = time.monotonic()
        procs = {s.name: subprocess.Popen(["runuser", "-l", s.name, "-c", f"{gosys} native-warm"],
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for s in self.students}
        for name, p in procs.items():
            out, _ = p.communicate(timeout=900)
            assert p.returncode == 0, f"gosys native-warm as {name}: {out}"
        self.native_warm_seconds = time.monotonic() - start

    def start_hub(self):
        self.admin_token = secrets.token_hex(32)
        self.password = secrets.token_hex(8)
        public, hub_port, proxy_api = free_port(), free_port(), free_port()
        self.ports = [public, hub_port, proxy_api]
        self.base = f"http://127.0.0.1:{public}"
        names = [s.name for s in self.students]
        # docs/jupyterhub_config.py, the configuration docs/course.md
        # gives a class, with this test's ports, files, users and
        # authenticator, and the kernelspecs' prefix.
        config = f"""
c = get_config()  # noqa
load_subconfig({CLASS_CONFIG!r})  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {public}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.JupyterHub.db_url = "sqlite:///{self.work}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{self.work}/cookie_secret"
c.JupyterHub.pid_file = "{self.work}/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = "{self.work}/jupyterhub-proxy.pid"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = "{self.password}"
c.Authenticator.allowed_users = set({names!r})
c.Spawner.environment = {{"JUPYTER_PATH": "{self.data}"}}
c.Spawner.start_timeout = {SPAWN_TIMEOUT}
c.Spawner.http_timeout = {SPAWN_TIMEOUT}
c.JupyterHub.services = [{{"name": "gosys-test", "api_token": "{self.admin_token}"}}]
c.JupyterHub.load_roles = [{{"name": "gosys-test", "services": ["gosys-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "read:users", "access:servers"]}}]
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
"""
        path = os.path.join(self.work, "jupyterhub_config.py")
        with open(path, "w") as f:
            f.write(config)
        env = dict(os.environ)  # NODE_PATH for the proxy: the class configuration sets it
        env.pop("JUPYTER_PATH", None)  # the students' servers get theirs from the config
        self.hub = subprocess.Popen([JUPYTERHUB, "-f", path], cwd=self.work, env=env,
                                    stdin=subprocess.DEVNULL, stdout=open(self.hub_log, "w"),
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.api = Api(self.base)
        deadline = time.monotonic() + 60
        while True:
            assert self.hub.poll() is None, f"jupyterhub exited {self.hub.returncode}:\n{self.log_tail()}"
            try:
                r = self.api.http.get(self.base + "/hub/api/", timeout=5)
                if r.status_code == 200:
                    break
            except Exception:
                pass
            assert time.monotonic() < deadline, f"the hub did not answer within 60 s:\n{self.log_tail()}"
            time.sleep(0.3)
        for pid, (_, ppid, argv) in proc_table().items():
            if ppid == self.hub.pid and any("configurable-http-proxy" in a for a in argv):
                self.proxy_pid = pid

    def log_tail(self, n=4000):
        try:
            with open(self.hub_log) as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def login(self, s):
        """The dummy authenticator's login form, then a token for the
        student's own API calls (their browser would use the cookie)."""
        import requests
        with requests.Session() as web:
            r = web.post(self.base + "/hub/login", data={"username": s.name, "password": self.password},
                         allow_redirects=False, timeout=HTTP_TIMEOUT)
            assert r.status_code == 302, f"login {s.name}: {r.status_code} {r.text[:300]}"
            assert any(c.name.startswith("jupyterhub-") for c in web.cookies), web.cookies
            bad = web.post(self.base + "/hub/login", data={"username": s.name, "password": "wrong"},
                           allow_redirects=False, timeout=HTTP_TIMEOUT)
            assert bad.status_code != 302, "a wrong password was accepted"
        s.token = self.api.call("POST", f"/hub/api/users/{s.name}/tokens", self.admin_token,
                                expect=(200, 201), json={"note": "gosys class test"})["token"]

    def spawn(self, s):
        """The student starts their server with their own token."""
        self.api.call("POST", f"/hub/api/users/{s.name}/server", s.token, expect=(201, 202))
        deadline = time.monotonic() + SPAWN_TIMEOUT
        while True:
            model = self.api.call("GET", f"/hub/api/users/{s.name}", s.token)
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            assert time.monotonic() < deadline, f"{s.name}'s server not ready within {SPAWN_TIMEOUT}s: " \
                                                f"{model}\n{self.log_tail()}"
            time.sleep(0.3)

    def start_kernel(self, s, name="gosys"):
        k = self.api.call("POST", f"/user/{s.name}/api/kernels", s.token, expect=(200, 201), json={"name": name})
        return k["id"]

    def connect(self, s, kernel_id):
        url = self.base.replace("http://", "ws://") + f"/user/{s.name}/api/kernels/{kernel_id}/channels"
        return KernelSocket(url, s.token)

    def processes(self, s):
        """The student's processes by role: {role: [pid, ...]}."""
        by_role = {}
        for pid, (uid, _, argv) in proc_table().items():
            if uid == s.uid:
                by_role.setdefault(role(argv), []).append(pid)
        return by_role

    def kernel_tree(self, kernel_id):
        """(kernel pid, session pid, [child pids]) of a kernel, from /proc."""
        table = proc_table()
        kernel = next((p for p, (_, _, argv) in table.items()
                       if role(argv) == "kernel" and any(f"kernel-{kernel_id}.json" in a for a in argv)), None)
        session = next((p for p, (_, ppid, argv) in table.items() if ppid == kernel and role(argv) == "session"),
                       None)
        kids = [p for p, (_, ppid, argv) in table.items() if ppid == session and role(argv) == "child"]
        return kernel, session, kids

    # teardown

    def teardown(self):
        """Stops kernels, servers and hub politely; returns what was left
        (and then removed by force)."""
        if self.torn_down:
            return []
        self.torn_down = True
        left = []
        for s in self.students:
            if s.socket:
                s.socket.close()
        if self.hub and self.hub.poll() is None:
            for s in self.students:
                if s.token:
                    try:
                        self.api.call("DELETE", f"/hub/api/users/{s.name}/server", self.admin_token,
                                      expect=(202, 204, 400))
                    except Exception as e:
                        left.append(f"stopping {s.name}'s server: {e}")
            deadline = time.monotonic() + 60
            while any(self.processes(s) for s in self.students if s.uid) and time.monotonic() < deadline:
                time.sleep(0.3)
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                left.append("jupyterhub still running 30 s after SIGTERM")
                os.killpg(self.hub.pid, signal.SIGKILL)
                self.hub.wait(timeout=10)
        # What is left, ended by pid.
        uids = {s.uid for s in self.students if s.uid is not None}
        deadline = time.monotonic() + 10
        while True:
            table = proc_table()
            stray = {p: argv for p, (uid, _, argv) in table.items() if uid in uids}
            if self.proxy_pid in table:
                stray[self.proxy_pid] = table[self.proxy_pid][2]
            if not stray or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for pid, argv in stray.items():
            left.append(f"process {pid} {' '.join(argv)[:120]}")
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for port, uid in listening(uids=uids, ports=set(self.ports) | self.user_ports):
            left.append(f"port {port} (uid {uid}) still listening")
        for name in self.created_users:
            home = pwd.getpwnam(name).pw_dir
            r = run(["userdel", "--remove", name], timeout=60)
            if r.returncode != 0:
                left.append(f"userdel {name}: {r.stderr.strip()}")
                run(["userdel", "--force", "--remove", name], timeout=60)
            if os.path.exists(home):
                left.append(f"home {home} left")
                shutil.rmtree(home, ignore_errors=True)
        for d in (self.work, self.prefix):
            shutil.rmtree(d, ignore_errors=True)
        return left


@pytest.fixture(scope="module")
def classroom():
    for path in (JUPYTERHUB, SINGLEUSER, "/usr/bin/configurable-http-proxy"):
        assert os.path.exists(path), f"{path} missing: run scripts/deps.sh (Debian's jupyterhub)"
    room = Classroom()
    try:
        room.install()
        room.add_users()
        room.start_hub()
        threads = [threading.Thread(target=lambda s=s: (room.login(s), room.spawn(s))) for s in room.students]
        for t in threads:
            t.start()
        for t in threads:
            t.join(SPAWN_TIMEOUT + 30)
        for s in room.students:
            assert s.token, f"{s.name} could not log in:\n{room.log_tail()}"
            assert room.processes(s).get("server"), f"{s.name} has no server:\n{room.log_tail()}"
            s.kernel_id = room.start_kernel(s)
            s.socket = room.connect(s, s.kernel_id)
        yield room
    finally:
        room.teardown()


def test_a_kernelspec_others_cannot_run_is_refused(tmp_path):
    # The installer's refusal, the way a root user meets it: a binary under
    # a 0700 directory (as /root/go/bin is) registered system-wide.
    prefix = tempfile.mkdtemp(prefix="gosys-shared-", dir="/tmp")  # reachable by every user, as /usr/local
    try:
        os.chmod(prefix, 0o755)
        private = os.path.join(prefix, "root")
        os.makedirs(os.path.join(private, "bin"))
        os.chmod(private, 0o700)
        binary = os.path.join(private, "bin", "gosys")
        shutil.copy(os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys"), binary)
        os.chmod(binary, 0o755)
        r = run([binary, "install", "--prefix", prefix, "--name", "refused"])
        assert r.returncode == 1, r
        assert "other users cannot run" in r.stderr and "mode 0700" in r.stderr, r.stderr
        assert f"install -D -m 0755 {binary} {prefix}/bin/gosys && {prefix}/bin/gosys install --prefix {prefix} " \
               "--name refused" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(prefix, "share", "jupyter", "kernels", "refused"))
        # The command it suggests works.
        fix = r.stderr.split("register that copy:\n", 1)[1].splitlines()[0].strip()
        r = run(["sh", "-c", fix])
        assert r.returncode == 0, f"{fix}: {r.stderr}"
        assert os.path.exists(os.path.join(prefix, "share", "jupyter", "kernels", "refused", "kernel.json"))
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_students_run_the_lectures_at_once(classroom, tmp_path, figure):
    # Each notebook in a kernel of its own, as Jupyter runs it; the three
    # students at the same time. Memory is sampled after each notebook.
    results, errors = {}, {}

    def lecture(s):
        try:
            for nb in NOTEBOOKS:
                kid = classroom.start_kernel(s)
                sock = classroom.connect(s, kid)
                try:
                    out = str(tmp_path / f"{s.name}-{nb}")
                    seconds = sock.run_notebook(os.path.join(ROOT, "notebooks", nb), out)
                    results[(s.name, nb)] = check_notebooks.check(out, seconds, f"{nb} [{s.name} via the hub]")
                    classroom.after_lecture.setdefault(s.name, []).append(student_memory(classroom, s, kid))
                finally:
                    sock.close()
                    classroom.api.call("DELETE", f"/user/{s.name}/api/kernels/{kid}", s.token, expect=(204,))
        except BaseException as e:  # reported below, with the thread's student
            errors[s.name] = e

    # The threads of each student, sampled while the lectures run: what the
    # class configuration's RLIMIT_NPROC must leave room for.
    idle_threads = max(threads_of(s.uid) for s in classroom.students)
    peak, sampling = [0], threading.Event()

    def sample():
        while not sampling.wait(0.1):
            peak[0] = max([peak[0]] + [threads_of(s.uid) for s in classroom.students])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.monotonic()
    threads = [threading.Thread(target=lecture, args=(s,)) for s in classroom.students]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CELL_TIMEOUT * 3 + 60)
    took = time.monotonic() - start
    sampling.set()
    sampler.join(10)
    assert not any(t.is_alive() for t in threads), "a student's notebooks did not finish in time"
    assert not errors, errors
    failed = {k: v for k, v in results.items() if v}
    assert len(results) == STUDENTS * len(NOTEBOOKS), results.keys()
    assert not failed, failed
    figure(f"hub: {STUDENTS} students running notebooks {', '.join(n[:2] for n in NOTEBOOKS)} at once",
           f"{took:.1f} s")
    figure(f"hub: gosys native-warm for {STUDENTS} new accounts at once (their first native cells' compile)",
           f"{classroom.native_warm_seconds:.1f} s")
    figure("hub: threads per student (RLIMIT_NPROC counts them)",
           f"{idle_threads} with a server and an idle kernel, at most {peak[0]} during the notebooks "
           f"(the class limit: {NPROC})")
    assert peak[0] < NPROC / 2, "the class configuration's process limit is too tight for the lectures"


def student_memory(room, s, kernel_id):
    """{role: (RSS kB, PSS kB, count)} of the student's server and one kernel."""
    kernel, session, kids = room.kernel_tree(kernel_id)
    assert kernel and session, f"no kernel/session for {kernel_id}: {room.processes(s)}"
    parts = {"server": room.processes(s)["server"], "kernel": [kernel], "session": [session], "warm": kids}
    out = {}
    for name, pids in parts.items():
        rss = pss = 0
        for p in pids:
            r, q = memory_kb(p)
            rss, pss = rss + r, pss + q
        out[name] = (rss, pss, len(pids))
    return out


def wait_for_children(room, kernel_id, n, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        _, _, kids = room.kernel_tree(kernel_id)
        if len(kids) == n or time.monotonic() > deadline:
            return kids
        time.sleep(0.2)


def describe(parts):
    mb = lambda kb: kb / 1024  # noqa: E731
    total_rss = sum(v[0] for v in parts.values())
    total_pss = sum(v[1] for v in parts.values())
    return (f"server {mb(parts['server'][0]):.0f}, kernel {mb(parts['kernel'][0]):.0f}, "
            f"session {mb(parts['session'][0]):.0f}, warm children {mb(parts['warm'][0]):.0f} "
            f"({parts['warm'][2]}): total {mb(total_rss):.0f} MB RSS, {mb(total_pss):.0f} MB PSS")


# Twelve children alive at once, then reaped: the warm pool grows with the
# demand (none before the first fork, doubling each time a fork finds it
# empty, up to GOSYS_WARM_CHILDREN), so a few bursts bring it to its size.
FORK_BURST = ('import "fmt"\nburstR, burstW, _ := rt.Pipe()\nvar burst []int\n'
              'for i := 0; i < 12; i++ {\n'
              '\tpid, _ := rt.Fork(func() { rt.Close(burstW); rt.Read(burstR, make([]byte, 1)) })\n'
              '\tburst = append(burst, pid)\n}\n'
              'rt.Close(burstW)\nrt.Close(burstR)\nfor _, p := range burst { rt.WaitPid(p) }\nfmt.Println(len(burst))')


def test_memory_per_student(classroom, figure):
    # After each lecture notebook (the previous test: the largest of the
    # three per student); a fresh idle kernel; and idle kernels after a
    # burst of forks with warm children 0 (the class kernelspec) and 3
    # (gosys-warm3, the default). Then what a live forked child costs.
    rows = {"warm 0, after a notebook": [], "a new kernel, idle": [],
            "warm 0, idle after forking": [], "warm 3, idle after forking": []}
    for s in classroom.students:
        samples = classroom.after_lecture.get(s.name)
        assert samples, f"no memory sample of {s.name} after the lectures"
        rows["warm 0, after a notebook"].append(max(samples, key=lambda p: sum(v[0] for v in p.values())))
    for s in classroom.students:
        for kspec, warm in (("gosys", 0), ("gosys-warm3", 3)):
            kid = classroom.start_kernel(s, kspec)
            sock = classroom.connect(s, kid)
            try:
                assert sock.ok("6 * 7") == "42\n"
                if warm == 0:
                    time.sleep(0.5)
                    rows["a new kernel, idle"].append(student_memory(classroom, s, kid))
                for _ in range(5):
                    assert sock.ok(FORK_BURST) == "12\n"
                    kids = wait_for_children(classroom, kid, warm, timeout=5)
                    if len(kids) == warm:
                        break
                # The pool's growth depends on timing: at least one warm
                # child with a pool of 3, none with 0.
                assert (len(kids) == 0) if warm == 0 else (1 <= len(kids) <= warm), \
                    f"{len(kids)} warm children with GOSYS_WARM_CHILDREN={warm}"
                time.sleep(0.5)  # let the children settle after their start
                rows[f"warm {warm}, idle after forking"].append(student_memory(classroom, s, kid))
            finally:
                sock.close()
                classroom.api.call("DELETE", f"/user/{s.name}/api/kernels/{kid}", s.token, expect=(204,))
    for kind, samples in rows.items():
        # The median student by total RSS.
        samples.sort(key=lambda p: sum(v[0] for v in p.values()))
        figure(f"hub: per-student memory, {kind} (median of {len(samples)})", describe(samples[len(samples) // 2]))

    # What a live forked child costs, with the class setting (no warm pool).
    s = classroom.students[0]
    text = s.socket.ok('import "fmt"\nkidR, kidW, _ := rt.Pipe()\nvar kidPids []int\n'
                       'for i := 0; i < 10; i++ {\n'
                       '\tpid, _ := rt.Fork(func() { rt.Close(kidW); b := make([]byte, 1); rt.Read(kidR, b) })\n'
                       '\tkidPids = append(kidPids, pid)\n}\nfmt.Println(len(kidPids))')
    assert text == "10\n", text
    kids = wait_for_children(classroom, s.kernel_id, 10)
    assert len(kids) == 10, kids
    mem = [memory_kb(p) for p in kids]
    nthreads = sorted(len(os.listdir(f"/proc/{p}/task")) for p in kids)
    s.socket.ok("rt.Close(kidW)\nrt.Close(kidR)\nfor _, p := range kidPids { rt.WaitPid(p) }")
    rss = sorted(m[0] for m in mem)
    pss = sorted(m[1] for m in mem)
    figure("hub: per live forked child (10 blocked in read)",
           f"RSS {rss[0] / 1024:.0f}-{rss[-1] / 1024:.0f} MB, PSS {pss[0] / 1024:.0f}-{pss[-1] / 1024:.0f} MB, "
           f"{nthreads[0]}-{nthreads[-1]} threads")


def test_students_are_kept_apart(classroom):
    a, b = classroom.students[0], classroom.students[1]
    kernel_b, session_b, _ = classroom.kernel_tree(b.kernel_id)
    server_b = classroom.processes(b)["server"][0]
    # From a's kernel, in a cell: a's session may not signal b's processes
    # nor read their environment (it holds b's hub token) or descriptors.
    code = ('import (\n\t"fmt"\n\t"os"\n\t"syscall"\n)\n'
            f'for _, pid := range []int{{{kernel_b}, {session_b}, {server_b}}} {{\n'
            '\tfmt.Println("kill:", syscall.Kill(pid, syscall.SIGKILL))\n'
            '\t_, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))\n'
            '\tfmt.Println("environ:", err != nil && os.IsPermission(err))\n'
            '\t_, err = os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))\n'
            '\tfmt.Println("fd:", err != nil && os.IsPermission(err))\n'
            '}\n')
    text = a.socket.ok(code)
    assert text.count("kill: operation not permitted") == 3, text
    assert text.count("environ: true") == 3 and text.count("fd: true") == 3, text
    # And from a shell of a's, as `!kill -9` would.
    text = a.socket.ok(f"!kill -9 {kernel_b} 2>&1; echo status $?")
    assert "Operation not permitted" in text and "status 0" not in text, text
    # a's token does not open b's server.
    r = classroom.api.http.get(f"{classroom.base}/user/{b.name}/api/kernels", timeout=HTTP_TIMEOUT,
                               headers={"Authorization": f"token {a.token}"}, allow_redirects=False)
    assert r.status_code in (302, 403, 404), f"a's token on b's server: {r.status_code}"
    # b's kernel is untouched.
    assert b.socket.ok("6 * 7") == "42\n"
    assert classroom.kernel_tree(b.kernel_id)[0] == kernel_b
    # Homes are private.
    assert stat.S_IMODE(os.stat(pwd.getpwnam(a.name).pw_dir).st_mode) & 0o077 == 0


def test_class_settings_reach_the_kernel(classroom):
    # docs/jupyterhub_config.py's process limit and private TMPDIR, and the
    # class kernelspec's env, as a student's kernel and session see them.
    s = classroom.students[0]
    kernel, session, _ = classroom.kernel_tree(s.kernel_id)
    for pid in (kernel, session):
        with open(f"/proc/{pid}/limits") as f:
            limits = f.read()
        assert f"Max processes             {NPROC}                 {NPROC}" in limits, limits
    home = pwd.getpwnam(s.name).pw_dir
    text = s.socket.ok('import "os"\nfmt.Println(os.TempDir())\nfmt.Println(os.Getenv("GOSYS_WARM_CHILDREN"))\n'
                       'd, err := os.MkdirTemp("", "lab-")\nfmt.Println(d, err)\nos.Remove(d)')
    lines = text.splitlines()
    assert lines[0] == os.path.join(home, ".tmp") and lines[1] == "0", text
    assert lines[2].startswith(os.path.join(home, ".tmp", "lab-")) and lines[2].endswith(" <nil>"), text
    st = os.stat(lines[0])
    assert st.st_uid == s.uid and stat.S_IMODE(st.st_mode) == 0o700, st


def test_teardown_leaves_nothing(classroom):
    # The kernels' log lines in the hub's log say whose they are; a kernel
    # logs when it shuts down.
    ids = {}
    for s in classroom.students:
        s.socket.close()
        s.socket = None
        classroom.api.call("DELETE", f"/user/{s.name}/api/kernels/{s.kernel_id}", s.token, expect=(204,))
        ids[s.name] = s.kernel_id
    classroom.user_ports = {port for port, _ in listening(uids={s.uid for s in classroom.students})}
    deadline = time.monotonic() + 10
    while True:
        log = classroom.log_tail(10 ** 7)
        missing = [n for n, k in ids.items() if f"gosys[{k} {n}]: " not in log]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not missing, f"no log line gosys[ID USER] for {missing}:\n{log[-3000:]}"
    users = [s.name for s in classroom.students]
    left = classroom.teardown()
    assert not left, left
    for name in users:
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
