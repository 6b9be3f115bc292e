#!/usr/bin/python3
"""End-to-end test of the internet settings in the window: the STUN servers setting and the hosting switch.

Alice sets "STUN servers" in Settings to a STUN responder this test runs on 127.0.0.1 (the value must land
in the profile), and starts again. Opening "Connect over the internet" turns hosting on (the window says
so) and the engine asks exactly that server: the public address it reports is the one the responder made
up. Screenshots settings-stun.png and internet.png. Port mapping is off (--no-port-mapping): nothing leaves
127.0.0.1. Every wait is bounded. Exit status 0 = pass.
"""

import glob
import os
import socket
import sqlite3
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import GuiSession, TestFailure, free_udp_port_pair, main, wait_for  # noqa: E402

MAGIC = 0x2112A442
INVENTED_PUBLIC = ("203.0.113.77", 40404)  # TEST-NET-3: only ever a label in a reply


class StunResponder:
    """Answers RFC 5389 binding requests with a fixed XOR-MAPPED-ADDRESS; counts requests. Bounded: the
    socket times out every 0.2 s and the thread stops when asked."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
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
            address = struct.unpack("!I", socket.inet_aton(INVENTED_PUBLIC[0]))[0]
            value = struct.pack("!BBHI", 0, 1, INVENTED_PUBLIC[1] ^ (MAGIC >> 16), address ^ MAGIC)
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
    port, _ = free_udp_port_pair()
    alice = session.start("Alice", port, extra_args=["--no-port-mapping"])
    alice.show()

    alice.click("status.settings")
    alice.click("settings.stun")
    server = f"127.0.0.1:{stun.port}"
    alice.type(server)
    time.sleep(0.3)
    alice.screenshot(session.path("settings-stun.png"))
    alice.click("settings.save")
    wait_for("the STUN setting in the profile", lambda: saved_setting(alice, "stun_servers") == server, 10)
    results["STUN servers saved"] = server

    alice = session.restart(alice)
    alice.show()
    if any(line.startswith("event HostingChanged accepting=true") for line in alice.log_lines()):
        raise TestFailure("hosting was on before the internet window opened")
    alice.click("internet.open")
    alice.wait_log(r"^event HostingChanged accepting=true")
    alice.wait_widget("internet.hosting")
    public = alice.wait_log(r'^event Reachability .*public="([^"]*)"', timeout=20).group(1)
    if public != "%s:%d" % INVENTED_PUBLIC:
        raise TestFailure(f"public address {public!r} did not come from the configured server")
    if stun.requests == 0:
        raise TestFailure("the configured STUN server was never asked")
    alice.wait_log(r"^event NatCode ", timeout=20)
    results["internet window"] = f"hosting on, {stun.requests} STUN request(s) to the saved server"
    time.sleep(0.5)
    alice.screenshot(session.path("internet.png"))
    session.publish(["settings-stun.png", "internet.png"])
    return results


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0]))
