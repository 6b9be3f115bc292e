"""Two headless peers chat both ways: newlines, backslashes, accents, CJK, emoji and a 64 KiB message;
malformed input lines give error events without ending the process; quit ends it with code 0."""

import duet_harness as h

MAX_CHAT_BYTES = 64 * 1024


def sixty_four_kib_text():
    # Exactly 65536 bytes of UTF-8, with every character class the escaping has to survive.
    unit = "line with \\ backslash, \u00e9t\u00e9, \u4f60\u597d, \U0001F389\n"
    text = ""
    while len((text + unit).encode("utf-8")) <= MAX_CHAT_BYTES:
        text += unit
    text += "x" * (MAX_CHAT_BYTES - len(text.encode("utf-8")))
    assert len(text.encode("utf-8")) == MAX_CHAT_BYTES
    return text


def test(duet, workdir):
    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    try:
        at_bob, at_alice = h.connect_verified(bob, alice)
        h.check(at_bob["name"] == "alice" and at_alice["name"] == "bob", "names not exchanged")
        h.check(at_alice["verified"] is False, "a first contact cannot be verified already")

        h.chat(alice, bob, "first line\nsecond line\n\nfourth after a blank one")
        h.chat(bob, alice, "h\u00e9llo w\u00f6rld \u2014 \u4f60\u597d\uff0c\u4e16\u754c \U0001F389\U0001F600 \\n stays literal")
        h.chat(alice, bob, "trailing backslash \\")
        h.chat(bob, alice, sixty_four_kib_text(), timeout=15)

        alice.send("say " + "y" * (MAX_CHAT_BYTES + 1))
        too_long = alice.wait_for("error", lambda e: "too long" in e["reason"])
        h.check(too_long.get("peer") == at_alice["peer"], "the error names the peer")

        for bad in ["say bad \\t escape", "frobnicate now", "connect nowhere:0", "host maybe", "confirm x1"]:
            alice.send(bad)
            alice.wait_for("error")
        h.check(alice.alive(), "malformed lines must not end the process")
        h.chat(alice, bob, "still talking after the errors")

        h.check(alice.quit() == 0, "quit must exit with 0")
        gone = bob.wait_for("disconnected", timeout=5)
        h.check("peer closed the connection" in gone["reason"], "reason: %r" % gone["reason"])
        bob.proc.stdin.close()  # end of input means quit
        h.check(bob.proc.wait(timeout=5) == 0, "EOF must exit with 0")
    finally:
        alice.close()
        bob.close()


if __name__ == "__main__":
    h.run(test)
