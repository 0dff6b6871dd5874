"""scripts/deps.sh installs everything the steps of `make` and `make test`
need, on a Debian that has none of it: run here with dpkg reporting every
package missing and node, npm, gcc, make and tmux off PATH (a PATH of its
own), with apt-get and sudo replaced by recorders. The package names are
checked against Debian's archive with apt-cache."""

import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The commands the steps run, found by reading the scripts: what a clean
# machine must get from deps.sh (Go excepted: the README asks for it).
NEEDED = {
    "node": "browser/run.sh", "npm": "browser/run.sh", "tmux": "e2e/test_console.py",
    "cc": "bench/runtime_bench.py, notebooks (C comparison)", "make": "README",
    "jupyterhub": "e2e/test_hub.py", "configurable-http-proxy": "e2e/test_hub.py (a dependency of jupyterhub)",
}
BASICS = ["bash", "sh", "env", "id", "grep", "cat", "mkdir", "printf", "dirname", "rm", "ls", "sed", "chmod"]


def fake_machine(tmp_path, root=True):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for b in BASICS:
        path = shutil.which(b)
        os.symlink(path, bin_ / b)
    os.symlink(shutil.which("go"), bin_ / "go")
    log = tmp_path / "apt.log"
    (bin_ / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")  # nothing is installed
    # apt-get records its arguments; "install" provides the commands.
    (bin_ / "apt-get").write_text(
        "#!/bin/sh\necho \"$@\" >> " + str(log) + "\n"
        "case \"$1\" in install) for c in node npm tmux cc make; do printf '#!/bin/sh\\n' > " + str(bin_) +
        "/$c; chmod +x " + str(bin_) + "/$c; done;; esac\n")
    (bin_ / "sudo").write_text("#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n")
    if root:
        (bin_ / "id").unlink()
        (bin_ / "id").write_text("#!/bin/sh\necho 0\n")
    for f in ("dpkg-query", "apt-get", "sudo", "id"):
        if (bin_ / f).exists() and not (bin_ / f).is_symlink():
            (bin_ / f).chmod(0o755)
    return bin_, log


@pytest.mark.parametrize("root", [True, False])
def test_deps_installs_what_the_steps_need(tmp_path, root):
    bin_, log = fake_machine(tmp_path, root=root)
    env = {"PATH": str(bin_), "HOME": str(tmp_path)}
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "deps.sh")], env=env, capture_output=True,
                       text=True, timeout=120, stdin=subprocess.DEVNULL)
    # dpkg-query still says "missing" after the fake install: deps.sh must
    # have asked for every package and every command, then complained.
    calls = log.read_text().splitlines()
    assert calls[0] == "update", calls
    install = calls[1].split()
    assert install[:3] == ["install", "-y", "--no-install-recommends"], calls
    asked = set(install[3:])
    script = open(os.path.join(ROOT, "scripts", "deps.sh")).read()
    packages = re.search(r"PACKAGES=\((.*?)\)", script, re.S).group(1).split()
    assert set(packages) <= asked
    for pkg in ("nodejs", "npm", "gcc", "make", "tmux", "jupyter-console", "chromium", "jupyter-notebook",
                "jupyterhub", "python3-websocket"):
        assert pkg in asked, f"{pkg} not installed by deps.sh"
    assert "still missing" in r.stderr, r.stderr  # the fake dpkg never sees them


def test_package_names_exist_in_debian():
    if not shutil.which("apt-cache"):
        pytest.skip("not Debian")
    script = open(os.path.join(ROOT, "scripts", "deps.sh")).read()
    names = re.search(r"PACKAGES=\((.*?)\)", script, re.S).group(1).split()
    names += re.findall(r"\[\w+\]=([\w.+-]+)", script)
    for name in names:
        r = subprocess.run(["apt-cache", "show", "--no-all-versions", name], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and f"Package: {name}" in r.stdout, f"{name}: not in Debian's archive"
