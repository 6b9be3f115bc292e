#!/usr/bin/python3
"""End-to-end test of what the profile keeps across a restart of the window: the settings, and a recent peer.

Alice (GUI) joins Bob (`duet --headless`) and nobody confirms the code; Bob goes away. In Settings Alice
changes her name, download folder, theme, auto-accept for verified peers, notifications and visibility,
and saves. She starts again without --name: the window title carries the new name, the Settings window
opens with every value she saved (the app's "settings-shown" log line, screenshot profile-settings.png),
and Bob is listed offline with an "unverified" badge (screenshots profile-recent.png, profile-tooltip.png
with his fingerprint and last seen time, and profile-menu.png of the whole screen with the row's menu open). Connect again from the row's menu dials Bob, and the
verification code is asked again: a recent entry grants no trust. Forget removes the row and Bob's
profile entry. Every wait is bounded. Exit status 0 = pass.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from gui_harness import (TestFailure, free_udp_port_pair, main, run_with_headless_peers,  # noqa: E402
                         start_headless, wait_for)

NEW_NAME = "Alicia"
EXPECTED = {"theme": "light", "auto-accept": "1", "notifications": "0", "visible": "0"}


def profile_db(inst):
    paths = glob.glob(os.path.join(inst.dir, "profile", "*.db"))
    if not paths:
        raise TestFailure(f"{inst.name}: no profile database")
    return paths[0]


def saved_setting(inst, key):
    with sqlite3.connect(profile_db(inst), timeout=2) as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def stored_peer(inst, fingerprint):
    with sqlite3.connect(profile_db(inst), timeout=2) as db:
        return db.execute("SELECT verified FROM known_peers WHERE fingerprint = ?", (fingerprint,)).fetchone()


# Greek, so the restarted window's first screen (Bob's recent row) needs glyphs beyond the start-up
# atlas's Latin: they must be baked into it, not drawn as fallback boxes until the full set arrives.
BOB_NAME = "Βασίλης"


def start_bob(args, session, port, profile):
    return start_headless(args, session, BOB_NAME, port, profile)


def root_screenshot(path):
    """The whole X screen as the user sees it (with the row's menu open), when ImageMagick is installed."""
    if shutil.which("import"):
        time.sleep(0.4)
        subprocess.run(["import", "-window", "root", path], check=True, timeout=20)


def unverified_rows(inst):
    return sorted(key for key in inst.widgets() if re.fullmatch(r"peer\.unverified\.\d+", key))


def replace_text(inst, key, text):
    inst.click(key)
    inst.key("ctrl+a")
    inst.type(text)


def run(args):
    return run_with_headless_peers(args, "duet-gui-profile-", scenario)


def meet_bob_unverified(args, session, alice, bobs, port_b, bob_profile):
    bob = start_bob(args, session, port_b, bob_profile)
    bobs.append(bob)
    alice.click("join.input")
    alice.type(f"127.0.0.1:{port_b}")
    alice.click("join.button")
    alice.wait_log(r'^event PeerConnected .* trust="unverified"')
    bob.wait_for("connected", timeout=20)
    bob.quit()
    bob.close()
    alice.wait_log(r"^event PeerDisconnected ")
    return bob.fingerprint


def change_settings(session, alice, downloads):
    alice.click("status.settings")
    alice.wait_log(r"^gui settings-shown ")
    replace_text(alice, "settings.name", NEW_NAME)
    replace_text(alice, "settings.downloads", downloads)
    for key in ("settings.light", "settings.autoaccept", "settings.notifications", "settings.visible"):
        alice.click(key)
    time.sleep(0.3)
    alice.click_until_gone("settings.save")
    checks = {"display_name": NEW_NAME, "gui.download_dir": downloads, "gui.theme": "light",
              "gui.auto_accept_verified": "1", "gui.notifications": "0", "discovery_visible": "0"}
    for key, value in checks.items():
        wait_for(f"{key} = {value!r} in the profile", lambda: saved_setting(alice, key) == value, 10)


def check_settings_restored(session, alice, downloads):
    alice.click("status.settings")
    shown = alice.wait_log(r"^gui settings-shown (.*)$").group(1)
    values = dict(re.findall(r'([a-z-]+)=("[^"]*"|\S+)', shown))
    values = {key: value.strip('"') for key, value in values.items()}
    expected = dict(EXPECTED, name=NEW_NAME, downloads=downloads)
    wrong = {key: (values.get(key), value) for key, value in expected.items() if values.get(key) != value}
    if wrong:
        raise TestFailure(f"settings not restored (shown, saved): {wrong}")
    alice.screenshot(session.path("profile-settings.png"))
    alice.click_until_gone("settings.cancel")
    return values


def scenario(args, session, bobs):
    results = session.results
    port_a, port_b = free_udp_port_pair()
    bob_profile = os.path.join(session.workdir, "bob-profile")
    alice = session.start("Alice", port_a, extra_args=["--no-port-mapping"])
    alice.show()
    bob_fingerprint = meet_bob_unverified(args, session, alice, bobs, port_b, bob_profile)
    results["before restart"] = "met Bob, code never confirmed"

    downloads = os.path.join(session.workdir, "alice", "elsewhere")
    os.makedirs(downloads, exist_ok=True)
    change_settings(session, alice, downloads)
    results["settings saved"] = ", ".join(f"{k}={v}" for k, v in dict(EXPECTED, name=NEW_NAME).items())

    alice = session.restart(alice, saved_name=NEW_NAME)
    alice.show()  # finds the window by its title: the saved name
    results["name after restart"] = f"window title 'Duet — {NEW_NAME}' without --name"
    check_settings_restored(session, alice, downloads)
    results["settings after restart"] = "every value shown as saved"

    rows = wait_for("Alice: Bob's recent row with an unverified badge", lambda: unverified_rows(alice), 20)
    if len(rows) != 1:
        raise TestFailure(f"expected one recent unverified row, found {rows}")
    startup = alice.wait_log(r"^gui fonts ms=\d+ scale=\S+ extra-glyphs=(\d+) \(during start-up\)")
    if int(startup.group(1)) < len(set(BOB_NAME)):
        raise TestFailure(f"the start-up atlas lacks the Greek of Bob's name: {startup.group(0)}")
    if [line for line in alice.log_lines() if line.startswith("gui fonts-full waited")]:
        raise TestFailure("the first screen waited for the full glyph set")
    results["first screen glyphs"] = f"{startup.group(1)} Greek glyphs in the start-up atlas, no wait"
    row = "peer." + rows[0].split(".")[2]
    alice.screenshot(session.path("profile-recent.png"))
    # With the mouse on the row, its tooltip: the fingerprint and when it was last seen.
    x0, y0, x1, y1 = alice.wait_widget(row)
    alice.xdo("mousemove", "--window", alice.window, str((x0 + x1) // 2), str((y0 + y1) // 2))
    time.sleep(0.5)
    alice.screenshot(session.path("profile-tooltip.png"))
    results["recent peer after restart"] = "listed offline, unverified"

    # Connect again: a new handshake, and the code must be compared again.
    bob = start_bob(args, session, port_b, bob_profile)
    bobs.append(bob)
    alice.right_click(row)
    alice.wait_widget("peer.menu.forget")
    root_screenshot(session.path("profile-menu.png"))
    alice.click("peer.menu.connect")
    alice.wait_log(r'^event PeerConnected .* trust="unverified"', timeout=20)
    alice.wait_widget("verify.confirm")
    results["connect again"] = "verification code asked again"
    bob.quit()
    bob.close()
    alice.wait_log(r"^event PeerDisconnected ")

    rows = wait_for("Alice: the unverified row again", lambda: unverified_rows(alice), 20)
    alice.right_click("peer." + rows[0].split(".")[2])
    alice.click("peer.menu.forget")
    alice.wait_log(r"^gui peer forgotten ")
    wait_for("Bob's row gone", lambda: not unverified_rows(alice), 10)
    if stored_peer(alice, bob_fingerprint) is not None:
        raise TestFailure("Bob is still in Alice's profile after Forget")
    results["forget"] = "row and profile entry removed"
    session.publish(["profile-recent.png"])
    return results


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0]))
