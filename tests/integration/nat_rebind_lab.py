"""The rebinding variant of the NAT lab (nat_lab_test.py): after A and B connected with codes, A's NAT
re-maps A to another public port mid-session (its MASQUERADE moves to ports 42000-42999 and its
connection tracking is flushed, as when a home router reboots). ENet ignores datagrams from a peer's new
address, so the old connection dies; both sides must then punch and dial again from the codes they already
have, without anyone pasting anything, and chat must flow again through A's new mapping. A file that was
moving when the NAT re-mapped arrives complete (same hash) after the reconnection, and resumes: the
receiver's progress events after the reconnection start where they were when the link was lost, give or
take the data in flight (RESENT_LIMIT), not from zero. The NAT re-maps once a quarter of the file arrived.

A's NAT is port-restricted and B's address-restricted: B's NAT lets A's new port in because B talked to
A's address before. (With port-restricted NATs on both sides no one can learn A's new port without a new
code or a rendezvous server; that case is documented, not tested.)
"""

import hashlib
import os
import time

from duet_harness import check
import nat_lab_common

HERE = os.path.dirname(os.path.abspath(__file__))
# 8 s until ENet's silence limit ends the dead connection, then punching and a handshake (< 2 s here).
RECOVERY_BUDGET = 20.0
PAYLOAD_MIB = 96


# What the receiver may count twice across the reconnection: data in flight or not yet written when the
# link died. Restarting would count again everything received before (tens of MiB here).
RESENT_LIMIT = 8 << 20
REBIND_AT = PAYLOAD_MIB << 18  # a quarter of the payload


def resume_figures(receiver, offer):
    """From the receiver's progress events for `offer`: the bytes it had when it saw the link go down, and
    the lowest count it reported once connected again (None if it reported none)."""
    with receiver._cond:
        history = list(receiver.history)
    ours = lambda e: e["event"] == "progress" and not e["outgoing"] and e["offer"] == offer  # noqa: E731
    started = next(i for i, e in enumerate(history) if ours(e))
    lost = next((i for i in range(started, len(history)) if history[i]["event"] == "disconnected"), None)
    check(lost is not None, "the receiver never saw the link go down")
    back = next((i for i in range(lost, len(history)) if history[i]["event"] == "connected"), None)
    check(back is not None, "the receiver never saw the link come back")
    before = max(e["bytes"] for e in history[:lost] if ours(e))
    after = [e["bytes"] for e in history[back:] if ours(e) and e["state"] == "active"]
    return before, (min(after) if after else None)


def rebind(lab):
    lab.ns(lab.nat_a, "iptables", "-t", "nat", "-R", "POSTROUTING", "1", "-o", "wan0", "-p", "udp", "-j",
           "MASQUERADE", "--to-ports", "42000-42999")
    lab.ns(lab.nat_a, "/usr/bin/python3", os.path.join(HERE, "conntrack_flush.py"))


def rebind_run(lab, duet, workdir, run):
    rundir = os.path.join(workdir, "%s-%d" % (lab.variant, run))
    os.makedirs(rundir)
    port = 40200 + run
    lab.forget_destinations()
    lab.ns(lab.nat_a, "iptables", "-t", "nat", "-R", "POSTROUTING", "1", "-o", "wan0", "-j", "MASQUERADE")
    a, b = nat_lab_common.start_pair(lab, duet, workdir, rundir, port)
    try:
        nat_lab_common.exchange_codes(a, b)
        for peer in (a, b):
            peer.wait_for("nat", lambda e: e["stage"] == "connected", timeout=8)
            peer.wait_for("verified", timeout=5)
        nat_lab_common.check_single_dialler(a, b)
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
        # A quarter of the file first, so that a restart (everything again) and a resume (at most the data
        # in flight again) are far apart.
        moving = b.wait_for("progress", lambda e: not e["outgoing"] and e["bytes"] >= REBIND_AT, timeout=30)

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
        before, after = resume_figures(b, moving["offer"])
        check(before < len(payload), "the file was complete before the link was lost: nothing was resumed")
        check(after is not None, "no progress after the reconnection")
        resent = max(0, before - after)
        print("%s run %d: %d of %d bytes received when the link was lost; resumed at %d (%d bytes again)" % (
            lab.variant, run, before, len(payload), after, resent))
        check(resent <= RESENT_LIMIT, "the transfer restarted instead of resuming: %d bytes received again "
              "(at %d when the link was lost, back at %d)" % (resent, before, after))
        return took
    finally:
        nat_lab_common.stop_peers(a, b)
