"""Reads of the kernel's stdin become input_request messages when the
request allows stdin, and end-of-file at once when it does not."""

import time


# jupyter_client's KernelClient.input() (used by jupyter console and by this
# test) sends input_reply with an empty parent_header.

READ_LINE = ('import "bufio"\nimport "os"\nimport "fmt"\n'
             'r := bufio.NewReader(os.Stdin)\n'
             "line, _ := r.ReadString('\\n')\n"
             'fmt.Println("got", line)')


def answer(kernel, text, prompts):
    """A stdin hook that answers like a console: KernelClient.input()."""
    def hook(msg):
        assert msg["msg_type"] == "input_request", msg
        prompts.append(msg["content"])
        kernel.kc.input(text)
    return hook


def test_bufio_readline(kernel):
    prompts = []
    cell = kernel.run(READ_LINE, timeout=10, stdin_hook=answer(kernel, "hello", prompts))
    assert cell.status == "ok", cell.describe()
    assert len(prompts) == 1, prompts
    assert prompts[0]["password"] is False
    # The reply is a line: ReadString returns it with its newline.
    assert cell.stdout.startswith("got hello\n"), cell.describe()


def test_scan_int(kernel):
    prompts = []
    code = 'import "fmt"\nvar n int\nif _, err := fmt.Scan(&n); err != nil {\n\tpanic(err)\n}\nn + 1'
    cell = kernel.run(code, timeout=10, stdin_hook=answer(kernel, "41", prompts))
    assert cell.status == "ok", cell.describe()
    assert cell.result == "42", cell.describe()
    assert len(prompts) == 1, prompts


def test_no_stdin_gives_eof(kernel):
    code = ('import "bufio"\nimport "os"\nimport "fmt"\n'
            "line, err := bufio.NewReader(os.Stdin).ReadString('\\n')\n"
            'fmt.Printf("%q %v\\n", line, err)')
    start = time.monotonic()
    cell = kernel.run(code, timeout=20)  # allow_stdin=False
    took = cell.replied - start
    assert cell.status == "ok", cell.describe()
    assert cell.stdout == '"" EOF\n', cell.describe()
    assert took < 5, f"reading stdin without allow_stdin took {took:.2f}s"
    # Reading again still ends at once, and the session is fine.
    cell = kernel.run('var m int\n_, err = fmt.Scan(&m)\nfmt.Println(m, err)', timeout=20)
    assert cell.stdout == "0 EOF\n", cell.describe()
