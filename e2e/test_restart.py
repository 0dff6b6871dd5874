"""Restart gives a new kernel process with an empty session, reachable on the
same connection."""

import harness


def test_restart_clears_session(kernel):
    kernel.ok("survivor := 7")
    old_pid = int(kernel.value("rt.Getpid()"))
    assert old_pid == kernel.pid, "rt.Getpid() is not the kernel process the launcher started"

    kernel.km.restart_kernel(now=False)
    kernel.kc.wait_for_ready(timeout=harness.START_TIMEOUT)

    # The old process is gone (the launcher waited for it), a new one answers.
    assert harness.process_state(old_pid) is None, f"old kernel {old_pid} still exists"
    info = kernel.kernel_info()
    assert info["status"] == "ok"
    assert info["implementation"] == "gosys"
    assert info["language_info"]["name"] == "go"

    new_pid = int(kernel.value("rt.Getpid()"))
    assert new_pid != old_pid
    assert new_pid == kernel.pid

    # Nothing of the old session survives.
    cell = kernel.run("survivor")
    assert cell.status == "error", cell.describe()
    assert "undefined" in cell.reply["evalue"], cell.describe()
    # And the new session works.
    assert kernel.value("survivor := 8\nsurvivor * 2") == "16"
