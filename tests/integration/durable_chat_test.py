"""Durable chat with real processes and automatic reconnection (issue 8).

1,000 messages from alice while bob is killed with SIGKILL and restarted four times (same profile, same
port, nobody types `connect` after the first time): bob's restarts redial alice by themselves, alice's
outbox re-sends what was not acknowledged. Afterwards every message is in bob's history exactly once and in
order, no message was shown twice (across all of bob's lives), alice saw every message delivered, and bob's
database passes PRAGMA integrity_check. Then alice quits, bob queues messages for her while she is away,
and her restart brings them in without any command."""

import os
import sqlite3
import time

import duet_harness as h

TOTAL = 1000
KILLS = 4


def delivered_ids(peer):
    with peer._cond:
        return {e["id"] for e in peer.history if e["event"] == "delivered"}


def messages(peer):
    with peer._cond:
        return [e for e in peer.history if e["event"] == "message"]


def read_history(peer, count):
    peer.send("history %d" % count)
    end = peer.wait_for("history_end", timeout=20)
    with peer._cond:
        rows = [e for e in peer.history if e["event"] == "history"]
    return rows[-end["count"]:] if end["count"] else [], end


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
        shown = []  # every `message` event of every bob, in order
        texts = ["m%04d" % i for i in range(TOTAL)]
        per_round = TOTAL // (KILLS + 1)
        started = time.monotonic()
        for round_ in range(KILLS + 1):
            for text in texts[round_ * per_round:(round_ + 1) * per_round]:
                alice.send("say " + text)
            if round_ == KILLS:
                break
            time.sleep(0.15)  # some arrive, some are in flight, some still queued
            bob.kill()
            shown += messages(bob)
            bob = h.HeadlessPeer(duet, "bob", profile=bob_profile, port=bob_port, workdir=workdir,
                                 reconnect=True)
            peers.append(bob)
        deadline = time.monotonic() + 90
        while len(delivered_ids(alice)) < TOTAL and time.monotonic() < deadline:
            time.sleep(0.2)
        took = time.monotonic() - started
        print("%d messages through %d kills delivered in %.1f s" % (len(delivered_ids(alice)), KILLS, took))
        h.check(len(delivered_ids(alice)) == TOTAL, "alice must see all %d delivered" % TOTAL)
        shown += messages(bob)
        shown_texts = [e["text"] for e in shown]
        h.check(len(shown_texts) == len(set(shown_texts)), "no bob showed a message twice")
        # A bob killed between storing a message and printing its event never shows it, and the re-send
        # is recognised as stored: history (below) is the record that must be complete.
        missing = len(set(texts) - set(shown_texts))
        print("%d messages stored by a bob that was killed before printing them" % missing)
        h.check(set(shown_texts) <= set(texts), "nothing but alice's messages")
        h.check(missing <= KILLS * 300, "at most what was in flight at each kill")

        rows, end = read_history(bob, TOTAL)
        h.check([r["text"] for r in rows] == texts, "bob's history holds every message once, in order")
        h.check(all(not r["outgoing"] and r["state"] == "received" for r in rows), "incoming, received")
        h.check(end["more"] is False, "nothing else in the conversation")

        # Alice goes away; bob queues for her; her restart reconnects and delivers without a command.
        h.check(alice.quit() == 0, "alice quits")
        bob.wait_for("disconnected", timeout=5)
        bob.send("say while you were out")
        queued = bob.wait_for("state", lambda e: e["state"] == "queued", timeout=5)
        h.check("peer" not in queued, "queued for an offline identity")
        alice = h.HeadlessPeer(duet, "alice", profile=alice_profile, port=alice_port, workdir=workdir,
                               reconnect=True)
        peers.append(alice)
        got = alice.wait_for("message", lambda e: e["text"] == "while you were out", timeout=15)
        h.check(got["fingerprint"] == bob.fingerprint, "conversation keyed by bob's identity")
        bob.wait_for("state", lambda e: e["id"] == queued["id"] and e["state"] == "delivered", timeout=10)
        h.check(bob.quit() == 0 and alice.quit() == 0, "both quit")

        for profile in (alice_profile, bob_profile):
            db = sqlite3.connect(os.path.join(profile, "duet.db"))
            try:
                h.check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
            finally:
                db.close()
        db = sqlite3.connect(os.path.join(bob_profile, "duet.db"))
        try:
            incoming = db.execute("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM messages "
                                  "WHERE direction = 1").fetchone()
        finally:
            db.close()
        h.check(incoming == (TOTAL, TOTAL), "bob stored each message exactly once: %r" % (incoming,))
    finally:
        for peer in peers:
            peer.close()


if __name__ == "__main__":
    h.run(test)
