"""One side is killed: the other reports it within 10 s. Restarted with the same profile and without
--yes, both sides are verified at once (the keys were pinned) and chat again. A quit is seen at once."""

import os
import time

import duet_harness as h


def test(duet, workdir):
    alice_profile = os.path.join(workdir, "alice-profile")
    bob_profile = os.path.join(workdir, "bob-profile")
    alice = h.HeadlessPeer(duet, "alice", yes=True, profile=alice_profile, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, profile=bob_profile, workdir=workdir)
    peers = [alice, bob]
    try:
        h.connect_verified(bob, alice)
        h.chat(bob, alice, "before the crash")

        bob.kill()
        killed_at = time.monotonic()
        gone = alice.wait_for("disconnected", timeout=12)
        detected = time.monotonic() - killed_at
        print("kill detected after %.1f s: %s" % (detected, gone["reason"]))
        h.check(detected < 10.0, "a dead peer must be noticed within 10 s (took %.1f s)" % detected)

        bob = h.HeadlessPeer(duet, "bob", yes=False, profile=bob_profile, workdir=workdir)
        peers.append(bob)
        h.check(bob.fingerprint == peers[1].fingerprint, "same profile, same identity")
        bob.send("connect 127.0.0.1:%d" % alice.port)
        at_bob = bob.wait_for("connected")
        at_alice = alice.wait_for("connected")
        h.check(at_bob["verified"] is True, "bob pinned alice: verified without --yes")
        h.check(at_alice["verified"] is True, "alice pinned bob")
        bob.wait_for("verified")
        alice.wait_for("verified")
        h.chat(bob, alice, "after the restart")
        h.chat(alice, bob, "welcome back")

        # Now alice restarts without --yes too; a polite quit is noticed at once.
        h.check(alice.quit() == 0, "quit exits with 0")
        gone = bob.wait_for("disconnected", timeout=3)
        h.check("peer closed the connection" in gone["reason"], "reason: %r" % gone["reason"])
        alice = h.HeadlessPeer(duet, "alice", yes=False, profile=alice_profile, workdir=workdir)
        peers.append(alice)
        at_bob, at_alice = h.connect_verified(bob, alice)
        h.check(at_bob["verified"] and at_alice["verified"], "both pinned: verified at once")
        h.chat(alice, bob, "both without --yes")
        h.check(bob.count("error") == 0 and alice.count("error") == 0, "no errors expected")
    finally:
        for peer in peers:
            peer.close()


if __name__ == "__main__":
    h.run(test)
