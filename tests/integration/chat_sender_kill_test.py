"""Kill -9 of the sending side while it writes (issue 8): alice types 600 messages at a steady pace and is
killed with SIGKILL three times in the middle of it; each restart (same profile, same port, no command)
goes on typing where the last one stopped. Every message alice reported `queued` (stored) arrives at bob
exactly once and in the order written, alice's restarts deliver what the killed ones stored, and both
databases pass PRAGMA integrity_check with the same set of messages on each side. A line typed after the
last stored one can die with the process (it was never reported queued); that count is printed."""

import os
import sqlite3
import time

import duet_harness as h

TOTAL = 600
KILLS = 3


def queued_ids(peer):
    with peer._cond:
        return [e["id"] for e in peer.history if e["event"] == "state" and e["state"] == "queued"]


def delivered(peer):
    with peer._cond:
        return {e["id"] for e in peer.history if e["event"] == "delivered"}


def rows(profile, direction):
    db = sqlite3.connect(os.path.join(profile, "duet.db"))
    try:
        h.check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
        return [r[0] for r in db.execute("SELECT text FROM messages WHERE direction = ? ORDER BY id",
                                         (direction,))]
    finally:
        db.close()


def test(duet, workdir):
    alice_profile = os.path.join(workdir, "alice-profile")
    bob_profile = os.path.join(workdir, "bob-profile")
    alice_port, bob_port = h.free_port(), h.free_port()
    alice = h.HeadlessPeer(duet, "alice", yes=True, profile=alice_profile, port=alice_port, workdir=workdir,
                           reconnect=True)
    bob = h.HeadlessPeer(duet, "bob", yes=True, profile=bob_profile, port=bob_port, workdir=workdir,
                         reconnect=True)
    peers = [alice, bob]
    try:
        h.connect_verified(bob, alice)
        texts = ["s%04d" % i for i in range(TOTAL)]
        per_life = TOTAL // (KILLS + 1)
        stored_ids = []  # ids alice reported queued, over all her lives
        for life in range(KILLS + 1):
            for text in texts[life * per_life:(life + 1) * per_life]:
                alice.send("say " + text)
                time.sleep(0.002)
            if life == KILLS:
                break
            alice.kill()
            stored_ids += queued_ids(alice)
            alice = h.HeadlessPeer(duet, "alice", profile=alice_profile, port=alice_port, workdir=workdir,
                                   reconnect=True)
            peers.append(alice)
            alice.wait_for("verified", timeout=20)
        # The last life reports its own queued ones; earlier lives' stored messages are delivered by it.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = rows(alice_profile, 0)
            if len(rows(bob_profile, 1)) >= len(sent) and set(queued_ids(alice)) <= delivered(alice):
                break
            time.sleep(0.3)
        stored_ids += queued_ids(alice)
        with bob._cond:
            shown = [e["text"] for e in bob.history if e["event"] == "message"]
        h.check(bob.quit() == 0 and alice.quit() == 0, "both quit")

        sent = rows(alice_profile, 0)
        received = rows(bob_profile, 1)
        print("%d typed, %d reported queued, %d stored by alice, %d received by bob, %d lost with a killed "
              "process before being stored" % (TOTAL, len(stored_ids), len(sent), len(received),
                                               TOTAL - len(sent)))
        h.check(len(stored_ids) == len(set(stored_ids)), "each message reported queued once")
        h.check(len(sent) >= len(stored_ids), "everything reported queued is in alice's database")
        h.check(received == sent, "bob holds exactly alice's stored messages, once each, in order")
        h.check(sent == [t for t in texts if t in set(sent)], "alice stored them in the order typed")
        h.check(len(shown) == len(set(shown)), "bob showed no message twice")
        h.check(TOTAL - len(sent) <= KILLS * 50, "only lines typed just before a kill are lost")
    finally:
        for peer in peers:
            peer.close()


if __name__ == "__main__":
    h.run(test)
