"""Read receipts, typing, search, clear and export through the headless interface (issue 8).

alice says three lines; bob types (alice sees `typing`), reads (alice sees each message go to `read`);
bob turns read receipts off and reads again: no receipt. Search finds text literally; export writes a
text file; clear-history empties the conversation; the settings persist across a restart."""

import os
import time

import duet_harness as h


def states(peer, message_id):
    with peer._cond:
        return [e["state"] for e in peer.history if e["event"] == "state" and e["id"] == message_id]


def test(duet, workdir):
    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    try:
        options = bob.wait_for("chat_options")
        h.check(options["read_receipts"] and options["typing_indicator"], "both options on by default")
        h.connect_verified(alice, bob)
        ids = [h.chat(alice, bob, text) for text in ("lunch at noon?", "50% off", "see you")]

        bob.send("typing")
        shown = alice.wait_for("typing")
        h.check(shown["typing"] and shown["fingerprint"] == bob.fingerprint, "alice sees bob typing")
        bob.send("typing off")
        h.check(not alice.wait_for("typing")["typing"], "and then stop")

        bob.send("read")
        for message_id in ids:
            alice.wait_for("state", lambda e, i=message_id: e["id"] == i and e["state"] == "read")
        h.check(states(alice, ids[0]) == ["queued", "sent", "delivered", "read"],
                "queued -> sent -> delivered -> read, got %s" % states(alice, ids[0]))

        bob.send("read-receipts off")
        h.check(not bob.wait_for("chat_options")["read_receipts"], "receipts switched off")
        late = h.chat(alice, bob, "unread forever")
        bob.send("read")
        bob.send("history 1")  # a round trip through bob's engine after the read
        bob.wait_for("history_end")
        time.sleep(0.5)  # a receipt, if one were sent, would be at alice by now (loopback)
        h.check(states(alice, late) == ["queued", "sent", "delivered"], "no receipt with receipts off")

        bob.send("search 0% OFF")
        found = bob.wait_for("found")
        end = bob.wait_for("search_end")
        h.check(found["text"] == "50% off" and end["count"] == 1, "search is literal and ignores ASCII case")

        path = os.path.join(workdir, "bob-export.txt")
        bob.send("export-history " + path)
        exported = bob.wait_for("history_exported")
        h.check(exported["count"] == 4 and exported["path"] == path, "export reports 4 messages")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        h.check(text.startswith("Duet conversation with alice") and "] alice: lunch at noon?\n" in text,
                "export is readable text")
        bob.send("export-history " + path)
        h.check("export history" in bob.wait_for("error")["reason"], "an existing file is never replaced")

        bob.send("clear-history")
        h.check(bob.wait_for("history_cleared")["removed"] == 4, "clear removes the 4 messages")
        bob.send("history 10")
        h.check(bob.wait_for("history_end")["count"] == 0, "history is empty afterwards")

        profile = bob.profile
        h.check(bob.quit() == 0, "bob quits")
        bob = h.HeadlessPeer(duet, "bob", profile=profile, workdir=workdir)
        h.check(not bob.wait_for("chat_options")["read_receipts"], "the setting survives a restart")
        h.check(bob.quit() == 0 and alice.quit() == 0, "both quit")
    finally:
        alice.close()
        bob.close()


if __name__ == "__main__":
    h.run(test)
