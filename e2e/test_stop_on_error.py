"""An error aborts the execute requests already queued behind it, unless the
failing request said stop_on_error=False."""

# The failing cell sleeps first so that the two requests sent right after it
# are surely in the kernel's queue when it fails: what is tested is the
# abort, not a race between the client's sends and the error.
FAILING = 'import "time"\ntime.Sleep(200 * time.Millisecond)\npanic("x")'


def send_three(kernel, stop_on_error, first=FAILING):
    """Sends three cells back to back, the first failing; returns replies."""
    ids = [
        kernel.send(first, stop_on_error=stop_on_error),
        kernel.send("ran2 := 2\nran2", stop_on_error=stop_on_error),
        kernel.send("ran3 := 3\nran3", stop_on_error=stop_on_error),
    ]
    return [kernel.shell_reply(i, timeout=30)["content"] for i in ids]


def test_error_aborts_queued_cells(kernel):
    replies = send_three(kernel, stop_on_error=True)
    assert [r["status"] for r in replies] == ["error", "aborted", "aborted"], replies
    assert replies[0]["ename"] == "panic", replies[0]
    # The aborted cells did not run, and the kernel takes new work.
    cell = kernel.run("ran2")
    assert cell.status == "error" and "undefined" in cell.reply["evalue"], cell.describe()
    assert kernel.value("40 + 2") == "42"


def test_no_stop_on_error_runs_queued_cells(kernel):
    replies = send_three(kernel, stop_on_error=False)
    assert [r["status"] for r in replies] == ["error", "ok", "ok"], replies
    assert kernel.value("ran2 + ran3") == "5"


def test_immediate_error_abort_rate(kernel, figure):
    """The same with a cell that fails at once (`panic("x")`), as a frontend
    sends them: whether the later requests are already queued when it fails
    is a race inside the kernel. Recorded, not asserted (see the report)."""
    tries, ran = 20, 0
    for _ in range(tries):
        replies = send_three(kernel, stop_on_error=True, first='panic("x")')
        assert replies[0]["status"] == "error", replies
        ran += sum(r["status"] == "ok" for r in replies[1:])
    figure('back-to-back cells after an immediate panic("x") that ran instead of being aborted',
           f"{ran} of {2 * tries}")
