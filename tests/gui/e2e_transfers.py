#!/usr/bin/env python3
"""GUI end-to-end for files: two duet windows on a private Xvfb connect and verify, Alice picks two files
in the built-in browser (Ctrl+O) and sends them, Bob accepts in the transfers panel, both watch the
progress until the offer is finished, and the settings window opens. Screenshots of each screen land in
--out (and in --assets with DUET_UPDATE_SCREENSHOTS=1). Every wait is bounded."""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_gui import STEP_PAUSE, Instance, TestFailure, free_udp_port_pair, start_xvfb  # noqa: E402

SHOTS = ("browser.png", "offer.png", "transfers.png", "settings.png")


def ctrl_key(inst, name):
    inst.focus()
    inst.xdo("keydown", "Control_L", "sleep", "0.1", "keydown", name, "sleep", str(STEP_PAUSE), "keyup", name,
             "sleep", "0.1", "keyup", "Control_L")
    time.sleep(STEP_PAUSE)


def make_files(folder):
    os.makedirs(folder)
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("Notes from Alice\n" * 100)
    with open(os.path.join(folder, "big.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024))
    with open(os.path.join(folder, "unused.txt"), "w") as f:
        f.write("not sent")


def blake(path):
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def connect_and_verify(alice, bob, port_a):
    alice.click("host.toggle")
    alice.wait_log(r"^event HostingChanged accepting=true")
    bob.click("join.input")
    bob.type(f"127.0.0.1:{port_a}")
    bob.click("join.button")
    alice.wait_widget("verify.confirm")
    bob.wait_widget("verify.confirm")
    alice.click("verify.confirm")
    bob.click("verify.confirm")
    alice.wait_log(r"^event PeerVerified ")
    bob.wait_log(r"^event PeerVerified ")


def run(args):
    out_dir = os.path.abspath(args.out)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    workdir = tempfile.mkdtemp(prefix="duet-gui-files-")
    xvfb, display, xvfb_fd = start_xvfb()
    os.environ["DISPLAY"] = display
    env = dict(os.environ, DISPLAY=display, ASAN_OPTIONS="detect_leaks=0", LIBGL_ALWAYS_SOFTWARE="1",
               HOME=workdir, XDG_DATA_HOME=os.path.join(workdir, "xdg-data"),
               XDG_CONFIG_HOME=os.path.join(workdir, "xdg-config"))
    env.pop("WAYLAND_DISPLAY", None)
    source = os.path.join(workdir, "to-send")
    make_files(source)
    instances = []
    results = {}
    try:
        port_a, port_b = free_udp_port_pair()
        alice = Instance("Alice", port_a, args.duet, workdir, env)
        instances.append(alice)
        bob = Instance("Bob", port_b, args.duet, workdir, env)
        instances.append(bob)
        for inst in instances:
            inst.find_window()
            inst.wait_log(rf"^event Listening port={inst.port} ")
        alice.xdo("windowsize", "--sync", alice.window, "790", "620")
        alice.xdo("windowmove", "--sync", alice.window, "0", "0")
        bob.xdo("windowsize", "--sync", bob.window, "790", "620")
        bob.xdo("windowmove", "--sync", bob.window, "805", "0")
        time.sleep(0.5)
        connect_and_verify(alice, bob, port_a)

        # Alice: Ctrl+O, type the folder into the path field, pick two files, Send.
        alice.click("chat.input")
        ctrl_key(alice, "o")
        alice.wait_widget("browser.window")
        alice.click("browser.path")
        ctrl_key(alice, "a")
        alice.type(source)
        alice.key("Return")
        alice.wait_widget("browser.row.notes.txt")
        alice.click("browser.row.big.bin")
        alice.focus()
        alice.xdo("keydown", "Control_L")
        try:
            alice.click("browser.row.notes.txt")
        finally:
            alice.xdo("keyup", "Control_L")
        alice.screenshot(os.path.join(out_dir, "browser.png"))
        alice.click("browser.confirm")

        offer = bob.wait_log(r"^event OfferReceived peer=\d+ offer=(\d+) files=2 ").group(1)
        bob.wait_widget(f"offer.{offer}.accept")
        bob.screenshot(os.path.join(out_dir, "offer.png"))
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
        bob.screenshot(os.path.join(out_dir, "transfers.png"))

        # Settings window opens from the status bar.
        bob.click("status.settings")
        bob.wait_widget("settings.save")
        bob.screenshot(os.path.join(out_dir, "settings.png"))
        bob.click("settings.cancel")

        if args.assets and os.environ.get("DUET_UPDATE_SCREENSHOTS") == "1":
            os.makedirs(args.assets, exist_ok=True)
            for name in SHOTS:
                shutil.copyfile(os.path.join(out_dir, name), os.path.join(args.assets, name))
    except Exception:
        for inst in instances:
            print(f"---- {inst.name} event log", file=sys.stderr)
            print("\n".join(inst.log_lines()[-30:]), file=sys.stderr)
            print(f"---- {inst.name} widgets: {sorted(inst.widgets())[:80]}", file=sys.stderr)
        raise
    finally:
        for inst in instances:
            inst.stop()
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
        os.close(xvfb_fd)
        shutil.rmtree(workdir, ignore_errors=True)
    for key, value in results.items():
        print(f"{key}: {value}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duet", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--assets")
    args = parser.parse_args()
    try:
        run(args)
    except TestFailure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
