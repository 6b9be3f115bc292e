"""A 10,000-message burst: alice's user pastes 10,000 lines at once. Every message is stored, paced out
(800/s, so an honest burst never trips bob's flood limit), delivered exactly once and in order, and both
processes keep answering commands meanwhile."""

import os
import sqlite3
import time

import duet_harness as h

TOTAL = 10000


def test(duet, workdir):
    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    try:
        h.connect_verified(alice, bob)
        started = time.monotonic()
        alice.proc.stdin.write("".join("say b%05d\n" % i for i in range(TOTAL)).encode())
        alice.proc.stdin.flush()
        written = time.monotonic() - started
        # Responsive during the burst: a history request is answered quickly on both sides.
        time.sleep(1.0)
        for peer in (alice, bob):
            asked = time.monotonic()
            peer.send("history 1")
            peer.wait_for("history_end", timeout=30)
            print("%s answered history after %.2f s mid-burst" % (peer.name, time.monotonic() - asked))
        deadline = time.monotonic() + 150
        while bob.count("message") < TOTAL and time.monotonic() < deadline and bob.alive():
            time.sleep(0.2)
        took = time.monotonic() - started
        print("%d lines written in %.2f s; %d shown at bob after %.1f s"
              % (TOTAL, written, bob.count("message"), took))
        h.check(bob.count("message") == TOTAL, "every message shown at bob")
        with bob._cond:
            texts = [e["text"] for e in bob.history if e["event"] == "message"]
        h.check(texts == ["b%05d" % i for i in range(TOTAL)], "exactly once, in order")
        deadline = time.monotonic() + 60
        while alice.count("delivered") < TOTAL and time.monotonic() < deadline:
            time.sleep(0.2)
        h.check(alice.count("delivered") == TOTAL, "every message delivered")
        h.check(bob.count("disconnected") == 0, "an honest burst never trips the flood limit")
        bob_profile = bob.profile
        h.check(bob.quit() == 0 and alice.quit() == 0, "both quit")
        db = sqlite3.connect(os.path.join(bob_profile, "duet.db"))
        try:
            h.check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
            h.check(db.execute("SELECT COUNT(*) FROM messages WHERE direction = 1").fetchone()[0] == TOTAL,
                    "stored once each")
        finally:
            db.close()
    finally:
        alice.close()
        bob.close()


if __name__ == "__main__":
    h.run(test)
