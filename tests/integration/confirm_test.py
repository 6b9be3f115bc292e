"""Without --yes: both users confirm by hand (`confirm`), chat is refused before; `reject` ends a
connection on both sides; `host off` refuses newcomers; `name` is used from the next connection on."""

import time

import duet_harness as h


def settled(peer, connection, timeout=10.0):
    """How `connection` of `peer` ended up: "connected", or "disconnected" (refused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in list(peer.history):
            if event["event"] in ("connected", "disconnected") and event.get("peer") == connection:
                return event["event"]
        time.sleep(0.02)
    raise h.TestFailure("%s: connection %d neither connected nor refused" % (peer.name, connection))


def test(duet, workdir):
    alice = h.HeadlessPeer(duet, "alice", workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", workdir=workdir)
    carol = None
    try:
        bob.send("connect 127.0.0.1:%d" % alice.port)
        at_bob = bob.wait_for("connected")
        at_alice = alice.wait_for("connected")
        h.check(not at_bob["verified"] and not at_alice["verified"], "first contact is unverified")
        h.check(at_bob["code"] == at_alice["code"], "same code on both sides")

        bob.send("say too early")
        refused = bob.wait_for("error")
        h.check("no verified peer" in refused["reason"], "reason: %r" % refused["reason"])
        bob.send("confirm")
        alice.send("confirm %d" % at_alice["peer"])
        bob.wait_for("verified")
        alice.wait_for("verified")
        h.chat(bob, alice, "confirmed by hand")
        bob.send("confirm")
        h.check("no peer is waiting" in bob.wait_for("error")["reason"], "nothing left to confirm")

        # A third party (her own identity: bob's would replace bob's connection): alice turns hosting
        # off, then on; carol is then known by her new name and rejected by alice.
        alice.send("host off")
        alice.wait_for("hosting", lambda e: e["accepting"] is False)
        carol = h.HeadlessPeer(duet, "carol", workdir=workdir)
        carol.send("connect 127.0.0.1:%d" % alice.port)
        first = carol.wait_for("connecting")["peer"]
        refused = carol.wait_for("disconnected", lambda e: e["peer"] == first)
        h.check("not accepting" in refused["reason"], "reason: %r" % refused["reason"])
        alice.send("host on")
        alice.wait_for("hosting", lambda e: e["accepting"])
        carol.send("name caroline")
        # The refusal of carol's first connection may still be in flight on the loopback (ENet resends it
        # until acknowledged) and end her next attempt too; as a user would, she connects again.
        for attempt in range(5):
            carol.send("connect 127.0.0.1:%d" % alice.port)
            dialled = carol.wait_for("connecting")["peer"]
            if settled(carol, dialled) == "connected":
                break
            time.sleep(0.5)
        at_alice = alice.wait_for("connected")
        h.check(at_alice["name"] == "caroline", "the new name travels in Hello")
        h.check(at_alice["verified"] is False, "a new key is unverified")
        alice.send("reject %d" % at_alice["peer"])
        gone = alice.wait_for("disconnected", lambda e: e["peer"] == at_alice["peer"])
        h.check(gone["reason"] == "rejected by you", "local reason: %r" % gone["reason"])
        told = carol.wait_for("disconnected", lambda e: e["peer"] == dialled)
        h.check("rejected" in told["reason"], "carol is told: %r" % told["reason"])
        h.chat(alice, bob, "bob is still here")
    finally:
        for peer in (alice, bob, carol):
            if peer is not None:
                peer.close()


if __name__ == "__main__":
    h.run(test)
