#!/usr/bin/python3
"""End-to-end test of stored history in the window across a restart, against a headless peer.

Alice (GUI) joins Bob (`duet --headless`), both confirm the code, and they chat, one message in Cyrillic
and German. Bob reads Alice's message (her window marks it read). Alice's app is ended at a window size of
its own, which the next start restores; Bob writes while
she is away (queued in his outbox) and quits too. Alice starts again on the same profile: with nobody to
connect to, Bob is listed from her profile, and clicking him shows the stored conversation with its day
separator and read marks (screenshot history-restart.png). Bob starts again: Alice's app redials him by
itself, the queued message arrives in the same conversation row (screenshot history-reconnected.png).
Every wait is bounded. Exit status 0 = pass.
"""

import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from gui_harness import (TestFailure, free_udp_port_pair, main, run_with_headless_peers,  # noqa: E402
                         start_headless, wait_for)
import duet_harness  # noqa: E402

UNICODE_TEXT = "Привет, Алиса! Grüße aus Köln"
AWAY_TEXT = "Written while you were away"
SAVED_SIZE = (880, 600)


def window_size(inst):
    """The window's size as X reports it (no window manager under Xvfb: what the app asked for)."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", inst.window], capture_output=True,
                         text=True, check=True, timeout=20).stdout
    fields = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(fields["WIDTH"]), int(fields["HEIGHT"])


def start_bob(args, session, port, profile):
    return start_headless(args, session, "Bob", port, profile)


REMEMBERED_ID_BASE = 1 << 62  # AppState::kRememberedIdBase: rows listed from the profile


def peer_rows(inst):
    return sorted(key for key in inst.widgets() if re.fullmatch(r"peer\.\d+", key))


def remembered_rows(inst):
    return [key for key in peer_rows(inst) if int(key.split(".")[1]) >= REMEMBERED_ID_BASE]


def run(args):
    return run_with_headless_peers(args, "duet-gui-history-", scenario)


def scenario(args, session, bobs):
    results = session.results
    port_a, port_b = free_udp_port_pair()
    bob_profile = os.path.join(session.workdir, "bob-profile")
    bob = start_bob(args, session, port_b, bob_profile)
    bobs.append(bob)
    alice = session.start("Alice", port_a)
    alice.show()

    # First contact: Alice joins Bob; both confirm the code.
    alice.click("join.input")
    alice.type(f"127.0.0.1:{port_b}")
    alice.click("join.button")
    code = alice.wait_log(r'^event PeerConnected .* code="([^"]*)" trust="unverified"').group(1)
    at_bob = bob.wait_for("connected", timeout=20)
    if at_bob["code"] != code:
        raise TestFailure(f"codes differ: Alice {code!r}, Bob {at_bob['code']!r}")
    bob.send("confirm")
    alice.wait_widget("verify.confirm")
    alice.click_until_gone("verify.confirm")
    alice.wait_log(r"^event PeerVerified ")
    bob.wait_for("verified", timeout=20)

    # Chat: Alice writes, Bob answers in Cyrillic and German, then reads Alice's message.
    alice.click("chat.input")
    alice.type("Hello Bob, see you at noon")
    alice.key("Return")
    bob.wait_for("message", lambda e: e["text"] == "Hello Bob, see you at noon", timeout=20)
    bob.send("say " + duet_harness.escape(UNICODE_TEXT))
    alice.wait_log(r"^event ChatReceived .*Grüße aus Köln")
    bob.send("read")
    alice.wait_log(r"^event ChatStateChanged .* state=3", timeout=20)
    results["before restart"] = "chatted, read mark seen"

    # Alice's app ends (at a size of her own, which the next start must restore); Bob writes while she is
    # away (queued), then quits as well.
    alice.xdo("windowsize", "--sync", alice.window, str(SAVED_SIZE[0]), str(SAVED_SIZE[1]))
    time.sleep(0.5)
    alice.stop()
    bob.wait_for("disconnected", timeout=20)
    bob.send("say " + AWAY_TEXT)
    bob.wait_for("state", lambda e: e["state"] == "queued", timeout=20)
    bob.quit()
    bob.close()

    # Alice again, same profile, nobody to connect to: Bob is listed from the profile.
    alice = session.restart(alice)
    alice.find_window()
    alice.wait_log(r"^gui first-frame ms=")
    size = window_size(alice)
    if size != SAVED_SIZE:
        raise TestFailure(f"the window came back at {size}, not at the {SAVED_SIZE} it closed with")
    results["window size remembered"] = "%dx%d" % size
    alice.show()
    rows = wait_for("Alice: a remembered conversation row", lambda: remembered_rows(alice), 20)
    if len(rows) != 1:
        raise TestFailure(f"expected one remembered conversation, found {rows}")
    alice.click(rows[0])
    alice.wait_log(r"^event HistoryPage .* messages=2 ")
    time.sleep(0.5)
    if any(line.startswith("event PeerConnected ") for line in alice.log_lines()):
        raise TestFailure("Alice connected to somebody while Bob was down")
    alice.screenshot(session.path("history-restart.png"))
    results["after restart"] = "stored conversation shown offline"

    # Bob is back; Alice's app redials by itself (backoff) and the queued message arrives.
    started = time.monotonic()
    bob = start_bob(args, session, port_b, bob_profile)
    bobs.append(bob)
    alice.wait_log(r'^event PeerConnected .* trust="verified"', timeout=60)
    alice.wait_log(rf'^event ChatReceived .* text="{AWAY_TEXT}"', timeout=30)
    results["reconnected and delivered after (s)"] = round(time.monotonic() - started, 1)
    time.sleep(0.5)
    rows = peer_rows(alice)
    if len(rows) != 1:
        raise TestFailure(f"expected one conversation row after reconnection, found {rows}")
    alice.screenshot(session.path("history-reconnected.png"))
    session.publish(["history-restart.png", "history-reconnected.png"])
    return results


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0]))
