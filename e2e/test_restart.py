"""Restart gives a new kernel process with an empty session, reachable on the
same connection. Cells run in a session process, a child of the kernel."""

import harness


def test_restart_clears_session(kernel):
    kernel.ok("survivor := 7")
    old_pid = kernel.pid
    old_session = int(kernel.value("rt.Getpid()"))
    assert int(kernel.value("rt.Getppid()")) == old_pid, "the session is not a child of the kernel the launcher started"

    kernel.km.restart_kernel(now=False)
    kernel.kc.wait_for_ready(timeout=harness.START_TIMEOUT)

    # The old process is gone (the launcher waited for it), a new one answers.
    assert harness.process_state(old_pid) is None, f"old kernel {old_pid} still exists"
    assert harness.process_state(old_session) is None, f"old session {old_session} still exists"
    info = kernel.kernel_info()
    assert info["status"] == "ok"
    assert info["implementation"] == "gosys"
    assert info["language_info"]["name"] == "go"

    assert kernel.pid != old_pid
    assert int(kernel.value("rt.Getppid()")) == kernel.pid

    # Nothing of the old session survives.
    cell = kernel.run("survivor")
    assert cell.status == "error", cell.describe()
    assert "undefined" in cell.reply["evalue"], cell.describe()
    # And the new session works.
    assert kernel.value("survivor := 8\nsurvivor * 2") == "16"
