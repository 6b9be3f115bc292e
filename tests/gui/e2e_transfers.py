#!/usr/bin/env python3
"""GUI end-to-end for files: two duet windows on a private Xvfb connect and verify, Alice picks two files
in the built-in browser (Ctrl+O) and sends them, Bob accepts in the transfers panel, both watch the
progress until the offer is finished, and the settings window opens. Then Alice sends a picture: both
conversations show its thumbnail, and a click on Bob's opens the preview (drawn with our shader).
Screenshots of each screen land in --out (and in --assets with DUET_UPDATE_SCREENSHOTS=1). Every wait is
bounded."""
import hashlib
import math
import os
import re
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import GuiSession, TestFailure, ctrl_key, free_udp_port_pair, main, wait_for  # noqa: E402

SHOTS = ("browser.png", "offer.png", "transfers.png", "settings.png", "images.png", "preview.png")


def write_png(path, width, height):
    """An RGBA picture with a colour gradient and a transparent hole (shows the preview's checkerboard)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            inside = math.hypot(x - width * 0.7, y - height * 0.5) < height * 0.25
            rows += bytes((x * 255 // width, y * 255 // height, 160, 0 if inside else 255))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))


def make_files(folder):
    os.makedirs(folder)
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("Notes from Alice\n" * 100)
    with open(os.path.join(folder, "big.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024))
    with open(os.path.join(folder, "unused.txt"), "w") as f:
        f.write("not sent")
    write_png(os.path.join(folder, "sunset.png"), 480, 300)


def blake(path):
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def open_browser_at(alice, folder, row):
    """Ctrl+O, then the folder typed into the path field, until `row` is listed. xdotool can lose keys
    on a loaded machine, so a garbled path is typed again (at most three times)."""
    alice.click("chat.input")
    ctrl_key(alice, "o")
    alice.wait_widget("browser.window")
    for attempt in range(3):
        alice.click("browser.path")
        ctrl_key(alice, "a")
        alice.type(folder)
        alice.key("Return")
        try:
            return alice.wait_widget(row, timeout=8)
        except TestFailure:
            if attempt == 2:
                raise


def thumbnail_key(inst):
    keys = [k for k in inst.widgets() if k.startswith("image.") and not k.startswith("image.preview")]
    return keys[0] if keys else None


def run(args):
    with GuiSession(args, "duet-gui-files-") as session:
        results = session.results
        source = os.path.join(session.workdir, "to-send")
        make_files(source)
        port_a, port_b = free_udp_port_pair()
        alice = session.start("Alice", port_a)
        bob = session.start("Bob", port_b)
        for inst in (alice, bob):
            inst.find_window()
            inst.wait_log(rf"^event Listening port={inst.port} ")
        session.side_by_side(alice, bob)
        session.connect_and_verify(alice, bob)

        # Alice: Ctrl+O, type the folder into the path field, pick two files, Send.
        open_browser_at(alice, source, "browser.row.notes.txt")
        alice.click("browser.row.big.bin")
        alice.focus()
        alice.xdo("keydown", "Control_L")
        try:
            alice.click("browser.row.notes.txt")
        finally:
            alice.xdo("keyup", "Control_L")
        alice.screenshot(session.path("browser.png"))
        alice.click("browser.confirm")

        offer = bob.wait_log(r"^event OfferReceived peer=\d+ offer=(\d+) files=2 ").group(1)
        bob.wait_widget(f"offer.{offer}.accept")
        bob.screenshot(session.path("offer.png"))
        bob.click(f"offer.{offer}.accept")
        bob.wait_log(rf"^event OfferFinished peer=\d+ offer={offer} state=6 ", timeout=60)
        alice.wait_log(r"^event OfferFinished peer=\d+ offer=\d+ state=6 ", timeout=30)
        received = os.path.join(bob.dir, "downloads")
        for name in ("notes.txt", "big.bin"):
            got = os.path.join(received, name)
            if not os.path.exists(got) or blake(got) != blake(os.path.join(source, name)):
                raise TestFailure(f"{name} did not arrive intact in {received}")
        if os.path.exists(os.path.join(received, "unused.txt")):
            raise TestFailure("a file that was not picked arrived")
        results["files sent through the browser"] = "2 of 3, hashes match"
        bob.wait_widget(f"transfer.{offer}.row")
        time.sleep(0.5)
        bob.screenshot(session.path("transfers.png"))

        # Settings window opens from the status bar.
        bob.click("status.settings")
        bob.wait_widget("settings.save")
        bob.screenshot(session.path("settings.png"))
        bob.click("settings.cancel")

        # A picture between two messages: inline thumbnails on both sides once it is done, then Bob's preview.
        alice.click("chat.input")
        alice.type("Here is the sunset")
        alice.key("Return")
        bob.wait_log(r'^event ChatReceived .* text="Here is the sunset"')
        open_browser_at(alice, source, "browser.row.sunset.png")
        alice.click("browser.row.sunset.png")
        alice.click("browser.confirm")
        picture = bob.wait_log(r"^event OfferReceived peer=\d+ offer=(\d+) files=1 ").group(1)
        bob.click(f"offer.{picture}.accept")
        bob.wait_log(rf"^event OfferFinished peer=\d+ offer={picture} state=6 ", timeout=30)
        ready = bob.wait_log(r"^gui image ready (\d+)x(\d+) texture=(\d+)x(\d+) .*sunset\.png")
        if ready.group(1, 2) != ("480", "300"):
            raise TestFailure(f"Bob decoded the picture as {ready.group(1)}x{ready.group(2)}")
        alice.wait_log(r"^gui image ready 480x300 .*sunset\.png")
        key = wait_for("Bob: a thumbnail", lambda: thumbnail_key(bob))
        wait_for("Alice: a thumbnail", lambda: thumbnail_key(alice))
        bob.click("chat.input")
        bob.type("Beautiful!")
        bob.key("Return")
        alice.wait_log(r'^event ChatReceived .* text="Beautiful!"')
        # Inline: the thumbnail sits in the history, between the two messages.
        history = bob.wait_widget("chat.history")
        thumb = bob.wait_widget(key)
        if not (history[1] <= thumb[1] and thumb[3] <= history[3]):
            raise TestFailure(f"thumbnail {thumb} is not inside the history {history}")
        time.sleep(0.3)
        bob.screenshot(session.path("images.png"))
        results["picture thumbnail"] = f"{key} on both sides, decoded 480x300"
        bob.click(key)
        bob.wait_widget("image.preview.picture")
        bob.screenshot(session.path("preview.png"))
        if any(line.startswith("gui shader ") for line in bob.log_lines()):
            raise TestFailure("the preview shader did not build: " +
                              [l for l in bob.log_lines() if l.startswith("gui shader ")][0])
        results["picture preview"] = "opened with the preview shader"
        bob.click("image.preview.close")
        wait_for("Bob: the preview closes", lambda: "image.preview" not in bob.widgets())

        # Bob's app restarts: the conversation with Alice still shows the picture (remembered in his profile).
        bob = session.restart(bob)
        bob.find_window()

        def picture_back():
            # Bob's app may be redialling Alice meanwhile, which turns the remembered row into a live one:
            # select whichever row is there until the thumbnail shows.
            if thumbnail_key(bob):
                return True
            rows = sorted(k for k in bob.widgets() if re.fullmatch(r"peer\.\d+", k))
            if rows:
                bob.click(rows[-1])
            return False

        wait_for("Bob: the thumbnail after the restart", picture_back, 30, interval=1.0)
        bob.wait_log(r"^gui image ready 480x300 .*sunset\.png", timeout=20)
        time.sleep(0.3)
        bob.screenshot(session.path("images-after-restart.png"))
        results["picture after restart"] = "thumbnail back in the stored conversation"

        session.publish(SHOTS)
        return results


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0]))
