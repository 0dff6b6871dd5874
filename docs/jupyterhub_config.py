# jupyterhub_config.py for a class on one machine (docs/course.md): Debian's
# JupyterHub with its local process spawner, one Unix account per student,
# gosys installed for everyone by scripts/install-system.sh (into /usr/local,
# where every Jupyter finds the kernelspec).
#
#   sudo jupyterhub -f docs/jupyterhub_config.py
#
# e2e/test_hub.py runs JupyterHub with this very file, adding only its own
# ports, files, test users and a dummy authenticator.
import os
import pwd

c = get_config()  # noqa: F821 (JupyterHub provides it)

# The hub's own files where Debian's package keeps them, not in the
# directory it is started from.
c.JupyterHub.db_url = "sqlite:////var/lib/jupyterhub/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/var/lib/jupyterhub/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "/var/lib/jupyterhub/jupyterhub-proxy.pid"

# Debian's configurable-http-proxy finds its modules only with Debian's
# node: NODE_PATH lets another node first on PATH (nodesource's) find them.
os.environ["NODE_PATH"] = os.pathsep.join(p for p in ("/usr/share/nodejs", os.environ.get("NODE_PATH")) if p)

# Each student's server runs as that student (the hub runs as root).
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"

# At most 1024 processes and threads per student (RLIMIT_NPROC, counted for
# the student's uid): a fork bomb in a `!` shell, which GOSYS_MAX_CHILDREN
# does not see, stops there and not at the machine's limit. Go processes have
# several threads each: an idle student has about 30, the lecture notebooks
# take up to about 120, and GOSYS_MAX_CHILDREN=64 live children of about 6
# threads fit (measured by e2e/test_hub.py).
c.Spawner.cmd = ["/usr/bin/prlimit", "--nproc=1024", "--", "/usr/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/tree"


def private_tmp(spawner):
    """Gives the student a TMPDIR of their own, ~/.tmp (mode 0700): /tmp is
    shared by every student of the machine. Go's os.TempDir, os.MkdirTemp
    and os.CreateTemp use it, in cells and in forked children."""
    pw = pwd.getpwnam(spawner.user.name)
    tmp = os.path.join(pw.pw_dir, ".tmp")
    os.makedirs(tmp, mode=0o700, exist_ok=True)
    os.chown(tmp, pw.pw_uid, pw.pw_gid)
    os.chmod(tmp, 0o700)
    spawner.environment = {**spawner.environment, "TMPDIR": tmp}


c.Spawner.pre_spawn_hook = private_tmp

# The local spawner does not enforce Spawner.mem_limit: the memory of each
# kernel is bounded by GOSYS_MEMORY_LIMIT in the kernelspec's env (1G as
# scripts/install-system.sh installs it; docs/course.md sizes it).

# Who may log in: the machine's accounts through PAM (JupyterHub's default
# authenticator), limited to the class, e.g. the members of a group:
# c.PAMAuthenticator.allowed_groups = {"students"}
# c.Authenticator.admin_users = {"teacher"}
