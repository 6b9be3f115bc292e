"""Shared by the transfer_*_netns tests: two headless peers in the two namespaces of a link-emulator lab
(tests/netlab/lab.py), a file sent from alice to bob, and its hash checked at bob."""

import os
import stat
import sys
import time

import duet_harness as h

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlab"))
import lab as netlab  # noqa: E402


def wrapper(workdir, namespace, duet):
    """An executable that runs duet inside `namespace` (the harness starts one program path)."""
    path = os.path.join(workdir, "duet-in-" + namespace)
    with open(path, "w") as script:
        script.write('#!/bin/sh\nexec ip netns exec %s %s "$@"\n' % (namespace, duet))
    os.chmod(path, stat.S_IRWXU)
    return path


def skip_reason():
    reason = netlab.lab_available()
    if reason is None and not os.path.exists(netlab.default_emulator()):
        reason = "no duet-linkemu built (build target duet-linkemu)"
    return reason


def random_file(path, size):
    with open(path, "wb") as f:
        f.write(os.urandom(size))


def send_through(lab, duet, workdir, source, timeout, reconnect=False):
    """alice sends `source` to bob across the lab; returns (alice, bob, seconds, received path). The
    caller closes both peers."""
    alice = h.HeadlessPeer(wrapper(workdir, lab.ns_a, duet), "alice", yes=True, workdir=workdir, port=55555,
                           reconnect=reconnect)
    bob = h.HeadlessPeer(wrapper(workdir, lab.ns_b, duet), "bob", yes=True, workdir=workdir, port=55555,
                         reconnect=reconnect)
    bob.send("connect %s:55555" % lab.addr_a)
    alice.wait_for("verified", timeout=20)
    bob.wait_for("verified", timeout=20)
    started = time.monotonic()
    alice.send('send "%s"' % source)
    sent = alice.wait_for("offer_sent", timeout=10)
    done = bob.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=timeout)
    took = time.monotonic() - started
    failures = [e for e in bob.history if e["event"] in ("transfer_failed", "error")]
    h.check(done["state"] == "done", "bob finished as %r (%r) %r" % (done["state"], done["reason"], failures))
    event = bob.wait_for("transfer_done", lambda e: e["offer"] == sent["offer"], timeout=5)
    h.check(event["hash"] == h.blake(source), "hash reported by bob is not the source's")
    h.check(h.blake(event["path"]) == event["hash"], "the received file does not match its reported hash")
    alice.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"] and e["state"] == "done", timeout=10)
    return alice, bob, took, event["path"]
