"""Every view of rt through the kernel, driven by a real Jupyter client:
each is a display_data with text/html and a text/plain fallback drawn from
what the processes really did.

Run with /usr/bin/python3 and JUPYTER_PATH naming a data dir where the
gosys kernelspec is installed (see the Makefile's test target)."""

import base64
import re
import unittest

from test_runtime import Kernel


def svg_of(html):
    """The SVG document an SVG view's text/html carries: an <img> with a
    data URL, which untrusted notebooks still show."""
    m = re.fullmatch(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" width="[\d.]+" height="[\d.]+" alt="[^"]*" style="[^"]*"/>', html)
    assert m, html[:200]
    svg = base64.b64decode(m.group(1)).decode()
    assert svg.startswith("<svg ") and svg.endswith("</svg>"), svg[:200]
    return svg


class ViewsThroughKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        cls.k.ok('import (\n\t"fmt"\n\t"syscall"\n\t"time"\n)')

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def display(self, code):
        """Runs code that must succeed and shows exactly one view; returns
        (its data, stdout)."""
        content, out, err, other = self.k.run(code)
        self.assertEqual(content["status"], "ok", (content, out, err))
        shown = [c["data"] for t, c in other if t == "display_data"]
        self.assertEqual(len(shown), 1, other)
        data = shown[0]
        self.assertIn("text/html", data)
        self.assertIn("text/plain", data)
        self.assertNotIn("<script", data["text/html"])
        return data, out

    def test_show_fds_tells_pipe_ends_and_buffered_bytes(self):
        data, _ = self.display('r, w, _ := rt.Pipe()\nrt.Write(w, []byte("abc"))\nrt.ShowFDs()\nrt.Close(r)\nrt.Close(w)')
        self.assertRegex(data["text/plain"], r"pipe \d+, read end, 3 bytes buffered")
        self.assertRegex(data["text/plain"], r"pipe \d+, write end")

    def test_show_fds_of_parent_and_child_share_one_pipe(self):
        data, out = self.display('''r, w, _ := rt.Pipe()
pid, _ := rt.Fork(func() {
	rt.Close(w)
	buf := make([]byte, 1)
	rt.Read(r, buf)
})
rt.Close(r)
time.Sleep(300 * time.Millisecond)
rt.ShowFDsOf(rt.Getpid(), pid)
rt.Write(w, []byte("x"))
rt.Close(w)
rt.WaitPid(pid)
fmt.Println(rt.Getpid(), pid, r, w)''')
        me, child, r, w = out.split()
        svg_of(data["text/html"])
        # One kernel object with both processes' descriptors: the parent
        # writes, the child reads.
        self.assertRegex(data["text/plain"], rf"pid {me} fd {w} \(w\), pid {child} fd {r} \(r\)")

    def test_show_procs_shows_a_zombie_then_its_status(self):
        data, _ = self.display('zpid, _ := rt.Fork(func() { rt.Exit(4) })\ntime.Sleep(400 * time.Millisecond)\nrt.ShowProcs()')
        pid = self.k.ok('fmt.Println(zpid)').strip()
        self.assertRegex(data["text/plain"], pid + r" Z .*zombie")
        data, _ = self.display('rt.WaitPid(zpid)\nrt.ShowProcs()')
        self.assertRegex(data["text/plain"], "pid " + pid + r"\s+exited 4")

    def test_show_sockets_lists_a_listening_socket(self):
        data, _ = self.display('''ais, _ := rt.SetupAddress("0")
ls, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)
rt.Bind(ls, ais[0])
rt.Listen(ls, 5)
rt.ShowSockets()
rt.Close(ls)''')
        self.assertIn("LISTEN", data["text/plain"])

    def test_charts(self):
        data, _ = self.display('rt.BarChart("cost", []string{"fork", "thread"}, []float64{5.2, 0.03}, "ms")')
        self.assertIn("fork", data["text/plain"])
        self.assertIn(">5.2 ms<", svg_of(data["text/html"]))
        data, _ = self.display('rt.LineChart("t", []float64{1, 2, 4}, map[string][]float64{"pipe": {1, 3, 2}}, "KiB", "MB/s")')
        self.assertIn(">pipe<", svg_of(data["text/html"]))

    def test_trace_draws_a_fork_pipe_exchange(self):
        data, out = self.display('''tr, tw, _ := rt.Pipe()
var tchild int
events := rt.Trace(func() {
	tchild, _ = rt.Fork(func() {
		rt.Close(tr)
		rt.Write(tw, []byte("hello, parent"))
		rt.Exit(3)
	})
	rt.Close(tw)
	buf := make([]byte, 64)
	for {
		if n, _ := rt.Read(tr, buf); n == 0 { break }
	}
	rt.WaitPid(tchild)
})
rt.Close(tr)
for _, e := range events {
	who := "parent"
	if e.Pid == tchild { who = "child" }
	fmt.Println(who, rt.TraceLabel(e))
}''')
        lines = out.splitlines()
        fork = next(i for i, l in enumerate(lines) if l.startswith("parent fork() = "))
        child = next(i for i, l in enumerate(lines) if l.startswith("child write(") and l.endswith('= 13 "hello, parent"'))
        read = next(i for i, l in enumerate(lines) if l.startswith("parent read(") and '"hello, parent"' in l)
        self.assertLess(fork, child)
        self.assertLess(child, read)
        self.assertIn("child exit(3)", lines)
        self.assertTrue(any(l.startswith("parent wait() = ") and l.endswith("exited 3") for l in lines), lines)
        self.assertTrue(any(l.startswith("parent read(") and l.endswith("= 0 EOF") for l in lines), lines)
        self.assertRegex(data["text/plain"], r"13 B ← pid \d+")
        svg = svg_of(data["text/html"])
        self.assertIn(">13 B<", svg)
        self.assertIn(">exited 3<", svg)

    def test_trace_draws_a_tcp_exchange_with_a_forked_client(self):
        data, out = self.display('''ais, _ := rt.LookupHost("127.0.0.1", "0")
srv, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)
rt.Bind(srv, ais[0])
rt.Listen(srv, 5)
rt.Trace(func() {
	addr := ais[0]
	addr.Addr, _ = syscall.Getsockname(srv)
	cpid, _ := rt.Fork(func() {
		rt.Close(srv)
		c, _ := rt.Socket(addr.Family, addr.SockType, addr.Protocol)
		rt.Connect(c, addr)
		rt.Write(c, []byte("ping"))
		buf := make([]byte, 16)
		rt.Read(c, buf)
		rt.Close(c)
	})
	conn, _ := rt.Accept(srv)
	buf := make([]byte, 16)
	n, _ := rt.Read(conn, buf)
	rt.Write(conn, buf[:n])
	rt.Close(conn)
	rt.WaitPid(cpid)
})
rt.Close(srv)''')
        text = data["text/plain"]
        self.assertRegex(text, r"accept\(\d+\) = \d+ from 127\.0\.0\.1:\d+.* +← connect of pid \d+")
        self.assertEqual(len(re.findall(r"4 B ← pid \d+", text)), 2, text)
        self.assertIn(">connect<", svg_of(data["text/html"]))

    def test_a_cell_draws_without_showing_through_gosys_rt_view(self):
        """The renderers that are not rt's are gosys/rt/view's: a cell
        imports it, draws rt's data, and shows what it likes; a forked
        child has the import too."""
        self.k.ok('import "gosys/rt/view"')
        data, out = self.display('''vr, vw, _ := rt.Pipe()
fds, _ := rt.FDs()
fmt.Print(view.FDsText(rt.Getpid(), fds))
rt.HTML(view.SVGImageHTML(view.FDsOfSVG(rt.FDTables(rt.Getpid()))))
vpid, _ := rt.Fork(func() {
	fmt.Println(view.TraceLabel(rt.TraceEvent{Call: "close", FD: vw}))
	rt.Exit(0)
})
rt.WaitPid(vpid)
rt.Close(vr)
rt.Close(vw)
fmt.Println(vr, vw)''')
        r, w = out.split()[-2:]
        self.assertRegex(out, rf"(?m)^ *{r} +r +pipe +pipe \d+, read end, empty, write end held by pid \d+ fd {w}$")
        self.assertIn(f"close({w})\n", out)
        self.assertIn(f">{r}<", svg_of(data["text/html"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
