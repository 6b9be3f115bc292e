"""The rebinding variant of the NAT lab (nat_lab_test.py): after A and B connected with codes, A's NAT
re-maps A to another public port mid-session (its MASQUERADE moves to ports 42000-42999 and its
connection tracking is flushed, as when a home router reboots). ENet ignores datagrams from a peer's new
address, so the old connection dies; both sides must then punch and dial again from the codes they already
have, without anyone pasting anything, and chat must flow again through A's new mapping. A file that was
moving when the NAT re-mapped arrives complete (same hash) after the reconnection.

A's NAT is port-restricted and B's address-restricted: B's NAT lets A's new port in because B talked to
A's address before. (With port-restricted NATs on both sides no one can learn A's new port without a new
code or a rendezvous server; that case is documented, not tested.)
"""

import hashlib
import os
import time

from duet_harness import HeadlessPeer, check

HERE = os.path.dirname(os.path.abspath(__file__))
# 8 s until ENet's silence limit ends the dead connection, then punching and a handshake (< 2 s here).
RECOVERY_BUDGET = 20.0
PAYLOAD_MIB = 96


def rebind(lab):
    lab.ns(lab.nat_a, "iptables", "-t", "nat", "-R", "POSTROUTING", "1", "-o", "wan0", "-p", "udp", "-j",
           "MASQUERADE", "--to-ports", "42000-42999")
    lab.ns(lab.nat_a, "/usr/bin/python3", os.path.join(HERE, "conntrack_flush.py"))


def rebind_run(lab, duet, workdir, run, wrapper):
    rundir = os.path.join(workdir, "%s-%d" % (lab.variant, run))
    os.makedirs(rundir)
    port = 40200 + run
    lab.forget_destinations()
    lab.ns(lab.nat_a, "iptables", "-t", "nat", "-R", "POSTROUTING", "1", "-o", "wan0", "-j", "MASQUERADE")
    a = HeadlessPeer(wrapper(workdir, duet, lab.peer_a, "a", lab.stun_servers), "alice", port=port, workdir=rundir)
    b = HeadlessPeer(wrapper(workdir, duet, lab.peer_b, "bob", lab.stun_servers), "bob", port=port, workdir=rundir)
    try:
        a.send("code")
        b.send("code")
        code_a = a.wait_for("code", timeout=10)["code"]
        code_b = b.wait_for("code", timeout=10)["code"]
        a.send("connect " + code_b)
        b.send("connect " + code_a)
        for peer in (a, b):
            peer.wait_for("nat", lambda e: e["stage"] == "connected", timeout=8)
            peer.wait_for("verified", timeout=5)
        first = b.wait_for("connected", timeout=5)
        check(first["address"] == "%s.10:%d" % (lab.wan_prefix, port), "A's first mapping is %r" % first["address"])
        a.send("say before the rebinding")
        check(b.wait_for("message", timeout=5)["text"] == "before the rebinding", "chat text changed")

        # A file is moving when the NAT re-maps: it must continue from the receiver's verified data.
        payload = os.urandom(1 << 20) * PAYLOAD_MIB
        source = os.path.join(rundir, "across-the-rebinding.bin")
        with open(source, "wb") as f:
            f.write(payload)
        a.send("send " + source)
        b.wait_for("offer", timeout=10)
        b.send("accept")
        moving = b.wait_for("progress", lambda e: not e["outgoing"] and e["bytes"] > 0, timeout=10)

        rebind(lab)
        started = time.monotonic()
        # Keep traffic flowing so A's NAT makes its new mapping at once (as any chat or keep-alive would).
        a.send("say during the rebinding")
        for peer in (a, b):
            peer.wait_for("disconnected", timeout=RECOVERY_BUDGET)
        for peer in (a, b):
            left = RECOVERY_BUDGET - (time.monotonic() - started)
            peer.wait_for("nat", lambda e: e["stage"] == "connected", timeout=max(left, 0.1))
        took = time.monotonic() - started
        again = b.wait_for("connected", timeout=5)
        check(again["fingerprint"] == a.fingerprint, "B reconnected to the wrong identity")
        new_port = int(again["address"].rsplit(":", 1)[1])
        check(42000 <= new_port <= 42999, "B is not talking to A's new mapping: %r" % again["address"])
        a.wait_for("verified", timeout=5)
        b.wait_for("verified", timeout=5)
        # The message sent into the dead link is delivered once the link is back (the durable outbox).
        check(b.wait_for("message", timeout=10)["text"] == "during the rebinding", "queued message lost")
        a.send("say after the rebinding")
        check(b.wait_for("message", timeout=5)["text"] == "after the rebinding", "chat text changed")
        done = b.wait_for("transfer_done", timeout=60)
        with open(done["path"], "rb") as f:
            check(hashlib.sha256(f.read()).digest() == hashlib.sha256(payload).digest(), "file differs")
        with b._cond:
            waited = [e for e in b.history if e["event"] == "progress" and e["state"] == "waiting"]
        print("%s run %d: file at %d of %d bytes when the NAT re-mapped; %s" % (
            lab.variant, run, moving["bytes"], len(payload),
            "it waited for the link and resumed" if waited else "it finished before the link was lost"))
        return took
    finally:
        for peer in (a, b):
            if peer.alive():
                try:
                    peer.quit(timeout=5)
                except Exception:  # already gone or stuck: close() kills it
                    pass
            peer.close()
