"""Internet connections over loopback: two headless peers and two local coturn STUN servers on 127.0.0.1.

Checks the headless interface (`code`, `connect CODE`, `reachability`, `nat` events), that pasted codes
connect and verify both sides without a manual confirm, that a code whose fingerprint is not the
answering peer's is refused, and that a mistyped code is rejected with a reason. Skipped (77) without
coturn. Port mapping is off: nothing leaves 127.0.0.1 and this machine's own addresses.
"""

import base64
import binascii
import os
import shutil
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from code_text import base32_bytes, crockford_text  # noqa: E402
from duet_harness import SKIP, HeadlessPeer, check, run  # noqa: E402


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def forge(code, fingerprint):
    """The same endpoints under another identity, with a valid checksum."""
    body = bytearray(base32_bytes(code)[:-4])
    body[2:22] = fingerprint
    return crockford_text(bytes(body) + struct.pack(">I", binascii.crc32(bytes(body))))


def test(duet, workdir):
    if shutil.which("turnserver") is None:
        print("SKIP: coturn's turnserver is not installed")
        return SKIP
    stun_ports = [free_udp_port(), free_udp_port()]
    servers = []
    for index, port in enumerate(stun_ports):
        log = open(os.path.join(workdir, "stun%d.log" % index), "wb")
        servers.append(subprocess.Popen(
            ["turnserver", "--listening-ip", "127.0.0.1", "--listening-port", str(port), "--stun-only",
             "--no-cli", "--no-tls", "--no-dtls", "--no-tcp", "--simple-log", "--log-file", "stdout",
             "--pidfile", os.path.join(workdir, "stun%d.pid" % index),
             "--userdb", os.path.join(workdir, "stun%d.db" % index)], stdout=log, stderr=subprocess.STDOUT))
    launcher = os.path.join(workdir, "duet-stun")
    with open(launcher, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\" --no-port-mapping --stun 127.0.0.1:%d --stun 127.0.0.1:%d\n"
                % (duet, stun_ports[0], stun_ports[1]))
    os.chmod(launcher, 0o755)
    peers = []
    try:
        a = HeadlessPeer(launcher, "alice", workdir=workdir)
        b = HeadlessPeer(launcher, "bob", workdir=workdir)
        peers += [a, b]
        a.send("code")
        b.send("code")
        code_a = a.wait_for("code", timeout=10)["code"]
        code_b = b.wait_for("code", timeout=10)["code"]
        reach = a.wait_for("reachability", timeout=5)
        check(reach["public"] == "127.0.0.1:%d" % a.port, "STUN saw %r" % reach["public"])
        check(reach["mapping"] == "none" and reach["mapping_detail"] == "port mapping is off", repr(reach))

        # A typo is caught by the checksum before anything is sent.
        typo = code_b[:7] + ("X" if code_b[7] != "X" else "Y") + code_b[8:]
        a.send("connect " + typo)
        error = a.wait_for("error", timeout=5)
        check("typo" in error["reason"], "typo not explained: %r" % error["reason"])

        # Someone else's identity at Bob's address: the handshake proves Bob's key, which is refused.
        # "2222-..." sorts below every real fingerprint, so Alice is the side that dials.
        a.send("connect " + forge(code_b, base64.b32decode("2" * 32)))
        failed = a.wait_for("nat", lambda e: e["stage"] == "failed", timeout=15)
        check("not the owner" in failed["detail"], "mismatch not explained: %r" % failed["detail"])
        check(a.count("verified") == 0, "a forged code led to a verified peer")
        a.wait_for("disconnected", timeout=10)
        b.wait_for("disconnected", timeout=10)

        a.send("connect " + code_b)
        b.send("connect " + code_a)
        a.wait_for("nat", lambda e: e["stage"] == "connected", timeout=5)
        b.wait_for("nat", lambda e: e["stage"] == "connected", timeout=5)
        a.wait_for("verified", timeout=5)
        b.wait_for("verified", timeout=5)
        a.send("say hi over the internet path")
        check(b.wait_for("message", timeout=5)["text"] == "hi over the internet path", "chat text changed")
        for peer in peers:
            check(peer.quit(timeout=10) == 0, "%s did not exit cleanly" % peer.name)
    finally:
        for peer in peers:
            peer.close()
        for server in servers:
            server.kill()
            server.wait(timeout=5)


if __name__ == "__main__":
    run(test)
