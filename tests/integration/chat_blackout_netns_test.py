"""Durable chat through link blackouts (issue 8): alice and bob run in two network namespaces joined by
the link emulator (tests/netlab/lab.py), which cuts the link completely twice for 10 s, longer than
ENet's 8 s timeout, while alice sends 1,000 messages spread over 30 s. Both sides redial by themselves;
afterwards every message is shown at bob exactly once and in order, and alice saw each one delivered.
Needs root, /dev/net/tun, `ip netns` and a built duet-linkemu; otherwise exits 77 (skipped)."""

import os
import stat
import sys
import time

import duet_harness as h

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlab"))
import lab as netlab  # noqa: E402

TOTAL = 1000
SEND_SECONDS = 30.0
BLACKOUTS = "blackout-at=6s-16s+24s-34s"


def wrapper(workdir, namespace, duet):
    """An executable that runs duet inside `namespace` (the harness starts one program path)."""
    path = os.path.join(workdir, "duet-in-" + namespace)
    with open(path, "w") as script:
        script.write('#!/bin/sh\nexec ip netns exec %s %s "$@"\n' % (namespace, duet))
    os.chmod(path, stat.S_IRWXU)
    return path


def test(duet, workdir):
    reason = netlab.lab_available()
    emulator = netlab.default_emulator()
    if reason is None and not os.path.exists(emulator):
        reason = "no duet-linkemu built (build target duet-linkemu)"
    if reason:
        print("SKIP: " + reason)
        return h.SKIP
    netlab.install_signal_exit()
    with netlab.Lab(profile="smoke", emu_args=["--both", BLACKOUTS], seed=8) as lab:
        alice = h.HeadlessPeer(wrapper(workdir, lab.ns_a, duet), "alice", yes=True, workdir=workdir,
                               port=55555, reconnect=True)
        bob = h.HeadlessPeer(wrapper(workdir, lab.ns_b, duet), "bob", yes=True, workdir=workdir, port=55555,
                             reconnect=True)
        try:
            bob.send("connect %s:55555" % lab.addr_a)
            alice.wait_for("verified", timeout=15)
            bob.wait_for("verified", timeout=15)
            started = time.monotonic()
            for i in range(TOTAL):
                # Evenly over SEND_SECONDS, so messages are written before, during and after each blackout.
                due = started + SEND_SECONDS * i / TOTAL
                time.sleep(max(0.0, due - time.monotonic()))
                alice.send("say bk%04d" % i)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and alice.count("delivered") < TOTAL:
                time.sleep(0.5)
            took = time.monotonic() - started
            with bob._cond:
                texts = [e["text"] for e in bob.history if e["event"] == "message"]
            drops = alice.count("disconnected")
            print("%d/%d delivered after %.1f s; alice saw %d disconnections, bob %d"
                  % (alice.count("delivered"), TOTAL, took, drops, bob.count("disconnected")))
            h.check(drops >= 2, "the blackouts dropped the link (ENet timed out) at least twice")
            h.check(alice.count("delivered") == TOTAL, "alice saw every message delivered")
            h.check(len(texts) == len(set(texts)), "no message shown twice")
            h.check(texts == ["bk%04d" % i for i in range(TOTAL)], "every message shown once, in order")
            final = lab.counters()
            print("emulator blackout drops: a->b %d, b->a %d"
                  % (final["a->b"]["blackout"], final["b->a"]["blackout"]))
            h.check(alice.quit() == 0 and bob.quit() == 0, "both quit cleanly")
        finally:
            alice.close()
            bob.close()


if __name__ == "__main__":
    h.run(test)
