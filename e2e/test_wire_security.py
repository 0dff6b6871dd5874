"""The kernel acts only on messages signed with the connection key, acts on
each signed message once, and survives whatever bytes arrive on its sockets.

Frames are built with jupyter_client's own Session (so a valid message is
valid by the reference implementation) and sent on raw DEALER sockets, so
that they can be tampered with after signing.
"""

import json
import os
import uuid

import pytest
import zmq
from jupyter_client.session import Session

NO_REPLY_WAIT = 2.0  # seconds a rejected message is given to (wrongly) answer


@pytest.fixture
def wire(kernel, tmp_path):
    w = Wire(kernel, tmp_path)
    yield w
    w.close()


class Wire:
    def __init__(self, kernel, tmp_path):
        self.kernel = kernel
        self.tmp = tmp_path
        # Same key and scheme as the kernel's connection file.
        self.session = Session(key=kernel.km.session.key,
                               signature_scheme=kernel.km.session.signature_scheme)
        self.shell = kernel.km.connect_shell()
        self.control = kernel.km.connect_control()

    def close(self):
        self.shell.close(linger=0)
        self.control.close(linger=0)

    def frames(self, msg_type, content):
        """A valid, signed message: [delimiter, signature, header, parent,
        metadata, content]."""
        msg = self.session.msg(msg_type, content)
        return msg["header"]["msg_id"], self.session.serialize(msg)

    def sign(self, header, parent=b"{}", metadata=b"{}", content=b"{}"):
        """Frames whose signature is right for arbitrary (even invalid) parts."""
        sig = self.session.sign([header, parent, metadata, content])
        return [b"<IDS|MSG>", sig, header, parent, metadata, content]

    def execute_frames(self, code):
        return self.frames("execute_request", {
            "code": code, "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})

    def replies(self, sock, wait):
        """Every message the kernel sends on sock within `wait` seconds."""
        got = []
        while sock.poll(int(wait * 1000)):
            got.append(sock.recv_multipart())
            wait = 0.2  # after one reply, only gather what follows closely
        return got

    def reply_to(self, sock, msg_id, wait=10.0):
        """The reply to msg_id on sock, deserialized and signature-checked."""
        for frames in self.replies(sock, wait):
            _, parts = self.session.feed_identities(frames)
            msg = self.session.deserialize(parts)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
        raise AssertionError(f"no reply to {msg_id} within {wait}s")

    def assert_alive(self):
        """Both raw sockets and the regular client still get answers."""
        for sock in (self.shell, self.control):
            msg_id, frames = self.frames("kernel_info_request", {})
            sock.send_multipart(frames)
            assert self.reply_to(sock, msg_id)["content"]["status"] == "ok"
        assert self.kernel.kernel_info()["implementation"] == "gosys"
        assert self.kernel.value("40 + 2") == "42"


def touch_code(path):
    """A cell that appends one byte to path: each execution is countable."""
    return ('import "os"\n'
            f'f, err := os.OpenFile({json.dumps(str(path))}, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)\n'
            'if err != nil {\n\tpanic(err)\n}\n'
            'f.Write([]byte("x"))\nf.Close()')


def flip(sig):
    """sig with its first hex digit changed: same length, wrong value."""
    return (b"0" if sig[:1] != b"0" else b"1") + sig[1:]


def test_forged_signature_is_ignored(wire):
    target = wire.tmp / f"forged-{uuid.uuid4().hex}"
    _, frames = wire.execute_frames(touch_code(target))
    frames[1] = flip(frames[1])
    wire.shell.send_multipart(frames)
    assert wire.replies(wire.shell, NO_REPLY_WAIT) == [], "the kernel answered a forged message"
    assert not target.exists(), "the kernel executed a forged message"
    wire.assert_alive()
    assert not target.exists()


def test_unsigned_message_is_ignored(wire):
    target = wire.tmp / f"unsigned-{uuid.uuid4().hex}"
    _, frames = wire.execute_frames(touch_code(target))
    frames[1] = b""
    wire.shell.send_multipart(frames)
    assert wire.replies(wire.shell, NO_REPLY_WAIT) == []
    assert not target.exists(), "the kernel executed an unsigned message"
    wire.assert_alive()


def test_tampered_content_is_ignored(wire):
    """A genuine signature over different content does not authorise it."""
    target = wire.tmp / f"tampered-{uuid.uuid4().hex}"
    _, frames = wire.execute_frames("1")
    _, evil = wire.execute_frames(touch_code(target))
    frames[5] = evil[5]
    wire.shell.send_multipart(frames)
    assert wire.replies(wire.shell, NO_REPLY_WAIT) == []
    assert not target.exists(), "the kernel executed content the signature does not cover"
    wire.assert_alive()


def test_replayed_message_is_ignored(wire):
    target = wire.tmp / f"replay-{uuid.uuid4().hex}"
    msg_id, frames = wire.execute_frames(touch_code(target))
    wire.shell.send_multipart(frames)
    assert wire.reply_to(wire.shell, msg_id)["content"]["status"] == "ok"
    assert target.read_bytes() == b"x"
    # The identical, validly signed frames again.
    wire.shell.send_multipart(frames)
    assert wire.replies(wire.shell, NO_REPLY_WAIT) == [], "the kernel answered a replayed message"
    assert target.read_bytes() == b"x", "the kernel executed a replayed message"
    wire.assert_alive()


MALFORMED = {
    "one junk frame": lambda w: [b"junk"],
    "no delimiter": lambda w: [b"ident", b"sig", b"{}", b"{}", b"{}", b"{}"],
    "delimiter and signature only": lambda w: [b"<IDS|MSG>", b"0" * 64],
    "empty frames": lambda w: [b"", b"", b""],
    "non-JSON header, valid signature": lambda w: w.sign(b"not json {"),
    "header is a JSON array": lambda w: w.sign(b"[1, 2]"),
    "header without msg_type": lambda w: w.sign(json.dumps({"msg_id": "x"}).encode()),
    "non-JSON content, valid signature": lambda w: w.sign(
        json.dumps({"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "session": "s",
                    "username": "u", "date": "", "version": "5.3"}).encode(),
        content=b"\xff\xfe not json"),
    "binary garbage": lambda w: [b"<IDS|MSG>", os.urandom(64), os.urandom(300),
                                 os.urandom(10), os.urandom(10), os.urandom(10)],
}


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_malformed_frames_do_not_kill_the_kernel(wire, channel):
    sock = getattr(wire, channel)
    for name, build in MALFORMED.items():
        sock.send_multipart(build(wire))
    # Whatever it answered to those (an error reply is fine), it lives on.
    wire.replies(sock, 0.5)
    assert wire.kernel.km.is_alive()
    wire.assert_alive()
