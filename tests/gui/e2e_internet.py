#!/usr/bin/python3
"""End-to-end test of the "Connect over the internet" window: settings, copy, paste, connect, failure.

1. Alice sets "STUN servers" in Settings to a STUN responder this test runs on 127.0.0.1 (the value must
   land in the profile), and starts again. Opening the window turns hosting on (the window says so) and
   the engine asks exactly that server (it saw Alice's port; the public address is what it answered).
2. Copy puts Alice's code on the X clipboard: read with xclip, xsel or tkinter when one is installed (a
   valid code with Alice's fingerprint and the public address, as long as the code the engine made), and
   in any case pasted back with Ctrl+V into "their code": the engine refuses it as her own code.
3. A code for an identity nobody runs, at a silent port on 127.0.0.1, is typed into "their code" and
   Connect pressed: the progress line shows punching, then the failure reason.
4. Bob starts with the same server. Each copies his code and the other pastes it with Ctrl+V into "their
   code"; both press Connect: both windows say connected, with the right identity, verified by the codes.
Screenshots settings-stun.png, internet.png, internet-copied.png, internet-punching.png,
internet-failed.png, internet-connected.png. Port mapping is off (--no-port-mapping); the codes hold
127.0.0.1 and this machine's own addresses, so nothing leaves the machine. Every wait is bounded.
Exit status 0 = pass.
"""

import binascii
import glob
import os
import re
import socket
import sqlite3
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import (GuiSession, TestFailure, clipboard_reader, ctrl_key, free_udp_port_pair, main,  # noqa: E402
                         read_clipboard, wait_for)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from code_text import CROCKFORD, RFC4648, base32_bytes, crockford_text  # noqa: E402

MAGIC = 0x2112A442
KIND_PUBLIC = 2
FAILURE_BUDGET = 20.0  # the engine gives up on a code after 12 s
CONNECT_BUDGET = 15.0


def parse_code(text):
    """(fingerprint bytes, [(kind, "ip", port)]) of a connection code (PROTOCOL.md), or TestFailure."""
    try:
        data = base32_bytes(text.strip(), CROCKFORD)
    except ValueError:
        raise TestFailure(f"not a connection code: {text!r}")
    body, crc = data[:-4], data[-4:]
    if len(body) < 23 or struct.pack(">I", binascii.crc32(body)) != crc:
        raise TestFailure(f"connection code with a bad checksum: {text!r}")
    count = body[22]
    endpoints = []
    for i in range(count):
        kind, ip, port = struct.unpack(">B4sH", body[23 + 7 * i:30 + 7 * i])
        endpoints.append((kind, socket.inet_ntoa(ip), port))
    return body[2:22], endpoints


def make_code(fingerprint, endpoints, nat_type=2):
    body = bytes([1, nat_type]) + fingerprint + bytes([len(endpoints)])
    for kind, ip, port in endpoints:
        body += struct.pack(">B4sH", kind, socket.inet_aton(ip), port)
    return crockford_text(body + struct.pack(">I", binascii.crc32(body)))


def log_count(inst, pattern):
    regex = re.compile(pattern)
    return sum(1 for line in inst.log_lines() if regex.search(line))


def wait_new_log(inst, pattern, seen, timeout):
    """The first line matching pattern after the `seen` earlier matches; returns the match."""
    regex = re.compile(pattern)

    def find():
        inst.check_alive()
        matches = [m for m in map(regex.search, inst.log_lines()) if m]
        return matches[seen] if len(matches) > seen else None
    return wait_for(f"{inst.name}: new log line /{pattern}/", find, timeout)


def fingerprint_of(inst):
    text = inst.wait_log(r'^event Listening port=\d+ fingerprint="([^"]*)"').group(1)
    return text, base32_bytes(text, RFC4648)


def copy_code(inst, fingerprint, reader, attempts=3):
    """Presses Copy in inst's window. With a clipboard reader, returns the clipboard's text after checking
    it is inst's code (a click in a busy frame can be dropped, as ImGui 1.86 has no input queue: Copy is
    pressed again then); without one, returns None (the callers check through the app instead)."""
    chars = int(inst.wait_log(r"^event NatCode chars=(\d+)").group(1))
    if reader is None:
        inst.click("internet.copy")
        return None
    seen = []
    for _ in range(attempts):
        inst.click("internet.copy")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            text, problem = read_clipboard(reader)
            seen = problem or [text[:40]]
            if text and parse_code(text)[0] == fingerprint:
                if len(text) != chars:
                    raise TestFailure(f"clipboard holds {len(text)} characters, the code has {chars}")
                return text
            time.sleep(0.2)
    raise TestFailure(f"{inst.name}'s code never reached the clipboard (last read: {seen})")


def paste_code(inst):
    """Their code field: select what is there and paste the clipboard over it."""
    inst.click("internet.theircode")
    ctrl_key(inst, "a")
    ctrl_key(inst, "v")


class StunResponder:
    """Answers RFC 5389 binding requests with the requester's own address in XOR-MAPPED-ADDRESS, as a
    real server on the same host would; remembers who asked. Bounded: the socket times out every 0.2 s and
    the thread stops when asked."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.senders = set()
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                data, sender = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            if len(data) < 20:
                continue
            kind, _, cookie = struct.unpack("!HHI", data[:8])
            if kind != 0x0001 or cookie != MAGIC:
                continue
            self.requests += 1
            self.senders.add(sender)
            address = struct.unpack("!I", socket.inet_aton(sender[0]))[0]
            value = struct.pack("!BBHI", 0, 1, sender[1] ^ (MAGIC >> 16), address ^ MAGIC)
            attribute = struct.pack("!HH", 0x0020, len(value)) + value
            self.sock.sendto(struct.pack("!HHI", 0x0101, len(attribute), MAGIC) + data[8:20] + attribute, sender)

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def saved_setting(inst, key):
    paths = glob.glob(os.path.join(inst.dir, "profile", "*.db"))
    if not paths:
        return None
    with sqlite3.connect(paths[0], timeout=2) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        table = next((t for t in tables if "setting" in t), None)
        if table is None:
            return None
        row = db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def run(args):
    stun = StunResponder()
    try:
        with GuiSession(args, "duet-gui-internet-") as session:
            return scenario(session, stun)
    finally:
        stun.stop()


def scenario(session, stun):
    results = session.results
    port, bob_port = free_udp_port_pair()
    alice = session.start("Alice", port, extra_args=["--no-port-mapping"])
    alice.show()

    # 1. The STUN setting reaches the engine.
    alice.click("status.settings")
    alice.click("settings.stun")
    server = f"127.0.0.1:{stun.port}"
    alice.type(server)
    time.sleep(0.3)
    alice.screenshot(session.path("settings-stun.png"))
    # The port field: "used the next time Duet starts" (when no --port says otherwise).
    saved_port, _ = free_udp_port_pair()
    alice.click("settings.port")
    alice.key("ctrl+a")
    alice.type(str(saved_port))
    time.sleep(0.3)
    alice.click("settings.save")
    wait_for("the STUN setting in the profile", lambda: saved_setting(alice, "stun_servers") == server, 10)
    wait_for("the port in the profile", lambda: saved_setting(alice, "gui.port") == str(saved_port), 10)
    results["STUN servers saved"] = server

    alice = session.restart(alice, saved_port=saved_port)
    alice.wait_log(rf"^event Listening port={saved_port} ", timeout=20)
    results["saved port"] = f"listening on {saved_port} after a restart without --port"
    alice = session.restart(alice)
    alice.show()
    if any(line.startswith("event HostingChanged accepting=true") for line in alice.log_lines()):
        raise TestFailure("hosting was on before the internet window opened")
    alice.click("internet.open")
    alice.wait_log(r"^event HostingChanged accepting=true")
    alice.wait_widget("internet.hosting")
    public = alice.wait_log(r'^event Reachability .*public="([^"]*)"', timeout=20).group(1)
    if ("127.0.0.1", alice.port) not in stun.senders:
        raise TestFailure(f"the configured STUN server was never asked from Alice's port ({stun.senders})")
    if public != f"127.0.0.1:{alice.port}":
        raise TestFailure(f"public address {public!r} did not come from the configured server")
    alice.wait_log(r"^event NatCode ", timeout=20)
    results["internet window"] = f"hosting on, {stun.requests} STUN request(s) to the saved server"
    time.sleep(0.5)
    alice.screenshot(session.path("internet.png"))

    # 2. Copy puts Alice's code on the clipboard: read directly when a reader is installed, and in any case
    # through the app, where her own code pasted back into "their code" is recognised as hers.
    reader = clipboard_reader()
    alice_fp_text, alice_fp = fingerprint_of(alice)
    code_a = copy_code(alice, alice_fp, reader)
    if code_a is not None and (KIND_PUBLIC, "127.0.0.1", alice.port) not in parse_code(code_a)[1]:
        raise TestFailure(f"the copied code lacks the public address: {parse_code(code_a)[1]}")
    paste_code(alice)
    alice.click("internet.connect")
    alice.wait_log(r'^event NatProgress stage="failed" detail="this is your own code', timeout=10)
    alice.screenshot(session.path("internet-copied.png"))
    results["copy"] = ("clipboard holds Alice's code (%d characters, read with %s); pasted back, the app "
                       "knows it as hers" % (len(code_a), os.path.basename(reader[0])) if code_a else
                       "no clipboard reader installed; pasted back, the app knows the clipboard's code as hers")

    # 3. A code nobody answers: the progress line shows punching, then the reason.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        silent_port = probe.getsockname()[1]
    nobody = make_code(bytes(range(20)), [(KIND_PUBLIC, "127.0.0.1", silent_port)])
    failed_before = log_count(alice, r'^event NatProgress stage="failed"')
    punching_before = log_count(alice, r'^event NatProgress stage="punching"')
    alice.click("internet.theircode")
    ctrl_key(alice, "a")  # typing replaces the pasted code
    alice.type(nobody)
    alice.click("internet.connect")
    wait_new_log(alice, r'^event NatProgress stage="punching"', punching_before, 10)
    alice.screenshot(session.path("internet-punching.png"))
    failed = wait_new_log(alice, r'^event NatProgress stage="failed" detail="([^"]*)"', failed_before,
                          FAILURE_BUDGET)
    if "no direct connection" not in failed.group(1):
        raise TestFailure(f"the failure does not explain itself: {failed.group(1)!r}")
    time.sleep(0.3)
    alice.screenshot(session.path("internet-failed.png"))
    results["unreachable code"] = failed.group(1)[:60] + "..."

    # 4. Bob: codes exchanged through the clipboard, both press Connect.
    bob = session.start("Bob", bob_port, extra_args=["--no-port-mapping", "--stun", server])
    bob.show()
    session.side_by_side(alice, bob)
    bob_fp_text, bob_fp = fingerprint_of(bob)
    bob.click("internet.open")
    bob.wait_log(r"^event HostingChanged accepting=true")
    bob.wait_log(r"^event NatCode ", timeout=20)
    punching_a = log_count(alice, r'^event NatProgress stage="punching"')
    connected_a = log_count(alice, r'^event NatProgress stage="connected"')
    # Without a clipboard reader, the codes' arrival is checked below: Alice reaches Bob's identity.
    copy_code(bob, bob_fp, reader)
    paste_code(alice)
    copy_code(alice, alice_fp, reader)
    paste_code(bob)
    started = time.monotonic()
    alice.click("internet.connect")
    bob.click("internet.connect")
    reaching = wait_new_log(alice, r'^event NatProgress stage="punching" detail="([^"]*)"', punching_a, 10)
    if bob_fp_text[:9] not in reaching.group(1):
        raise TestFailure(f"Alice's pasted code is not Bob's: {reaching.group(1)!r}")
    wait_new_log(alice, r'^event NatProgress stage="connected"', connected_a, CONNECT_BUDGET)
    bob.wait_log(r'^event NatProgress stage="connected"', timeout=CONNECT_BUDGET)
    took = time.monotonic() - started
    peer_b = alice.wait_log(r'^event PeerConnected .*fingerprint="([^"]*)"', timeout=5).group(1)
    peer_a = bob.wait_log(r'^event PeerConnected .*fingerprint="([^"]*)"', timeout=5).group(1)
    if peer_b != bob_fp_text or peer_a != alice_fp_text:
        raise TestFailure(f"connected to the wrong identities: {peer_b!r}, {peer_a!r}")
    alice.wait_log(r"^event PeerVerified ", timeout=10)
    bob.wait_log(r"^event PeerVerified ", timeout=10)
    time.sleep(0.3)
    alice.screenshot(session.path("internet-connected.png"))
    results["connect by pasted codes"] = f"both connected and verified {took:.1f} s after Connect"
    session.publish(["settings-stun.png", "internet.png"])
    return results


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0]))
