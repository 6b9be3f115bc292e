#!/usr/bin/env python3
"""GUI end-to-end for drag and drop: duet-xdnd-drop plays a desktop file manager (an XDND drag source) and
drops on Alice's window on a private Xvfb. A drop before any peer is connected is taken but sends nothing
and shows the error banner; once Alice and Bob are connected and verified, a file with spaces, '%', '#'
and non-ASCII in its name and a folder (a nested subfolder, an empty folder, a big file) dropped together
reach Bob as one offer, he accepts it, and the received tree must match the dropped one byte for byte,
empty folder included. A screenshot of the whole screen (`import -window root`) is taken after the drop.
Every wait is bounded."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import GuiSession, TestFailure, main, wait_for, xdnd_drop  # noqa: E402

# Every character here must survive the file:// URI ('?' would too, but Duet refuses names that are not
# portable: RECEIVING.md).
ODD_NAME = "café notes 100%#1.txt"


def make_tree(source):
    """The dropped items: one file and one folder. Returns their paths."""
    folder = os.path.join(source, "album 2024")
    os.makedirs(os.path.join(folder, "nested", "deeper"))
    os.makedirs(os.path.join(folder, "empty"))
    with open(os.path.join(source, ODD_NAME), "w", encoding="utf-8") as f:
        f.write("Dropped from the desktop: é ü 日本\n" * 50)
    with open(os.path.join(folder, "photo.bin"), "wb") as f:
        f.write(os.urandom(2 * 1024 * 1024 + 17))
    with open(os.path.join(folder, "nested", "readme.txt"), "w") as f:
        f.write("nested\n")
    with open(os.path.join(folder, "nested", "deeper", "zero.bin"), "wb"):
        pass
    return [os.path.join(source, ODD_NAME), folder]


def snapshot(root):
    """{relative path: bytes or None for a folder} of everything under root, root itself excluded."""
    tree = {}
    for here, dirs, files in os.walk(root):
        for name in dirs:
            tree[os.path.relpath(os.path.join(here, name), root)] = None
        for name in files:
            with open(os.path.join(here, name), "rb") as f:
                tree[os.path.relpath(os.path.join(here, name), root)] = f.read()
    return tree


def dropped_tree(paths):
    """What the receiver should hold: each dropped item under its own name, folders recursively."""
    tree = {}
    for path in paths:
        name = os.path.basename(path)
        if os.path.isdir(path):
            tree[name] = None
            tree.update({os.path.join(name, k): v for k, v in snapshot(path).items()})
        else:
            with open(path, "rb") as f:
                tree[name] = f.read()
    return tree


def dropped_paths_logged(inst, count):
    lines = [line for line in inst.log_lines() if line.startswith("gui drop path=")]
    return lines if len(lines) >= count else None


def screen_shot(path):
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30)


def run(args):
    with GuiSession(args, "duet-gui-drop-") as session:
        results = session.results
        source = os.path.join(session.workdir, "desktop")
        paths = make_tree(source)
        alice, bob = session.start_pair()

        # With nobody connected the window takes the drop (the desktop sees success) but sends nothing.
        xdnd_drop(args.dropper, alice, paths[:1])
        wait_for("Alice: the early drop in her log", lambda: dropped_paths_logged(alice, 1))
        alice.wait_widget("error.banner")
        if any(line.startswith("event OfferSent ") for line in alice.log_lines()):
            raise TestFailure("a drop with no peer connected sent an offer")
        alice.click("error.dismiss")
        results["drop with no peer"] = "taken, nothing sent, error banner shown"

        session.connect_and_verify(alice, bob)
        results["tool output"] = xdnd_drop(args.dropper, alice, paths)
        logged = wait_for("Alice: both dropped paths in her log", lambda: dropped_paths_logged(alice, 3))[1:]
        expected = [f'gui drop path="{path}"' for path in paths]
        if logged != expected:
            raise TestFailure(f"GLFW decoded the URI list as {logged}, expected {expected}")

        offer = bob.wait_log(r"^event OfferReceived peer=\d+ offer=(\d+) ").group(1)
        bob.wait_widget(f"offer.{offer}.accept")
        time.sleep(0.5)
        screen_shot(session.path("drop-offer.png"))
        bob.click(f"offer.{offer}.accept")
        bob.wait_log(rf"^event OfferFinished peer=\d+ offer={offer} state=6 ", timeout=60)
        alice.wait_log(r"^event OfferFinished peer=\d+ offer=\d+ state=6 ", timeout=30)

        received = snapshot(os.path.join(bob.dir, "downloads"))
        # The receiver's staging folder (RECEIVING.md) may stay, but holds no file once the offer is done.
        staging = {k: v for k, v in received.items() if k.split(os.sep)[0] == ".duet-partial"}
        if any(v is not None for v in staging.values()):
            raise TestFailure(f"partial data left after the offer finished: {sorted(staging)}")
        received = {k: v for k, v in received.items() if k not in staging}
        wanted = dropped_tree(paths)
        if received != wanted:
            missing = sorted(set(wanted) - set(received))
            extra = sorted(set(received) - set(wanted))
            differ = sorted(k for k in set(wanted) & set(received) if wanted[k] != received[k])
            raise TestFailure(f"received tree differs: missing {missing}, unexpected {extra}, contents differ {differ}")
        folders = sum(1 for v in wanted.values() if v is None)
        results["dropped and received"] = f"{len(wanted) - folders} files and {folders} folders, byte for byte"
        time.sleep(0.5)
        screen_shot(session.path("drop-done.png"))
        return results


def extra_arguments(parser):
    parser.add_argument("--dropper", required=True, help="path to duet-xdnd-drop")


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0], extra_arguments))
