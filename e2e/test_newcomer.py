"""What a newcomer meets first: the magics and the help, headless too."""

from harness import Kernel


def test_bare_time_magic_says_what_it_needs(kernel):
    cell = kernel.run("%time")
    assert cell.status == "error"
    assert "%time needs a statement to time" in cell.reply["evalue"], cell.describe()
    assert "unknown magic" not in cell.reply["evalue"]


def test_help_without_a_pager_is_printed(kernel):
    # allow_stdin false: nbconvert, papermill and gosys run have no pager.
    cell = kernel.ok("fmt.Println?", allow_stdin=False)
    assert "func Println" in cell.stdout, cell.describe()
    # An interactive frontend gets the pager payload, not a copy in the cell.
    msg_id = kernel.kc.execute("fmt.Println?", allow_stdin=True)
    reply = kernel.shell_reply(msg_id)["content"]
    assert reply["payload"] and "func Println" in reply["payload"][0]["data"]["text/plain"]
    kernel.drain_iopub()
    streams = [m for _, m in kernel.iopub_for(msg_id) if m["msg_type"] == "stream"]
    assert not streams, streams


def test_docs_without_a_go_tree(tmp_path):
    # A course image has no Go toolchain: GOROOT names an empty directory,
    # and the documentation still comes, from the index built into gosys.
    with Kernel(env={"GOROOT": str(tmp_path)}) as k:
        cell = k.ok("os.Pipe?", allow_stdin=False)
        assert "func Pipe() (r *File, w *File, err error)" in cell.stdout, cell.describe()
        assert "Pipe returns a connected pair of Files" in cell.stdout, cell.describe()
        msg_id = k.kc.inspect("fmt.Println", 11)
        reply = k.shell_reply(msg_id)["content"]
        assert reply["found"], reply
        assert "Println formats using the default formats" in reply["data"]["text/plain"], reply
