#!/usr/bin/env python3
"""GUI end-to-end for window attention: news reaching an unfocused window asks the desktop for attention
and shows the unread count in the title.

duet-ewmh-wm plays a minimal EWMH window manager on the private Xvfb (started before the apps: GLFW looks
for one at glfwInit) and prints each _NET_WM_STATE request. Alice and Bob connect and verify; Bob's
window has the focus when he sends two messages: Alice's window asks for _NET_WM_STATE_DEMANDS_ATTENTION
and her title reads "(2) Duet — Alice", while Bob's never asks. Activating Alice's window (xdotool
windowactivate, through the window manager) marks the messages read and the count leaves her title. Then a
file dropped on Bob's window (duet-xdnd-drop) offers it to Alice while Bob has the focus: her window asks
again and her title reads "(1) ..." until she accepts. Every wait is bounded."""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import GuiSession, TestFailure, main, wait_for, xdnd_drop  # noqa: E402

ATTENTION = "_NET_WM_STATE_DEMANDS_ATTENTION"


class WindowManager:
    """duet-ewmh-wm on the session's display; its stdout lines are collected by a reader thread. The tool
    ends when its stdin closes, so it cannot outlive this test even if the test is killed."""

    def __init__(self, path, env):
        self.lines = []
        self.lock = threading.Lock()
        self.process = subprocess.Popen([path, "--timeout", "300"], env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        wait_for("duet-ewmh-wm ready", lambda: self.find(r"^ready check=0x[0-9a-f]+$"), 10)

    def read(self):
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def find(self, pattern):
        regex = re.compile(pattern)
        with self.lock:
            return [line for line in self.lines if regex.search(line)]

    def attention_requests(self, window):
        """How many times `window` (xdotool's decimal id) asked for DEMANDS_ATTENTION."""
        return len(self.find(rf"^state window=0x{int(window):x} action=add atoms=(.*,)?{ATTENTION}(,|$)"))

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.reader.join(5)


def title(inst):
    result = subprocess.run(["xdotool", "getwindowname", inst.window], capture_output=True, text=True,
                            timeout=20)
    return result.stdout.strip()


def wait_title(inst, expected, timeout=20.0):
    wait_for(f"{inst.name}: window title {expected!r} (now {title(inst)!r})",
             lambda: title(inst) == expected, timeout)


def wait_attention(wm, inst, count, timeout=20.0):
    wait_for(f"{inst.name}: attention request number {count}",
             lambda: wm.attention_requests(inst.window) >= count, timeout)


def window_state(inst):
    result = subprocess.run(["xprop", "-id", inst.window, "_NET_WM_STATE"], capture_output=True, text=True,
                            timeout=20)
    return result.stdout.strip()


def send_chat(bob, text):
    bob.click("chat.input")
    bob.type(text)
    bob.key("Return")


def run(args):
    with GuiSession(args, "duet-gui-attention-") as session:
        wm = WindowManager(args.wm, session.env)
        try:
            return scenario(args, session, wm)
        except TestFailure:
            print("---- duet-ewmh-wm output\n" + "\n".join(wm.find("")), file=sys.stderr)
            raise
        finally:
            wm.stop()


def scenario(args, session, wm):
    results = session.results
    alice, bob = session.start_pair()
    session.connect_and_verify(alice, bob)
    wait_title(alice, "Duet — Alice")
    before = wm.attention_requests(alice.window)

    # Typing in Bob's window focuses it (xdotool windowfocus): Alice's window looks elsewhere.
    send_chat(bob, "are you there?")
    send_chat(bob, "the build is green")
    alice.wait_log(r'^event ChatReceived .* text="the build is green"')
    wait_attention(wm, alice, before + 1)
    wait_title(alice, "(2) Duet — Alice")
    if ATTENTION not in window_state(alice):
        raise TestFailure(f"Alice's _NET_WM_STATE lacks {ATTENTION}: {window_state(alice)!r}")
    if wm.attention_requests(bob.window):
        raise TestFailure("Bob's focused window asked for attention")
    results["chat while unfocused"] = (f"{wm.attention_requests(alice.window) - before} attention request(s), "
                                       f"title {title(alice)!r}")

    alice.xdo("windowactivate", "--sync", alice.window)
    wait_title(alice, "Duet — Alice")
    if ATTENTION in window_state(alice):
        raise TestFailure(f"Alice's window still demands attention after activation: {window_state(alice)!r}")
    results["after activation"] = f"title {title(alice)!r}"

    source = os.path.join(session.workdir, "report.txt")
    with open(source, "w") as f:
        f.write("quarterly numbers\n" * 100)
    before = wm.attention_requests(alice.window)
    bob.focus()
    xdnd_drop(args.dropper, bob, [source])
    offer = alice.wait_log(r"^event OfferReceived peer=\d+ offer=(\d+) ").group(1)
    wait_attention(wm, alice, before + 1)
    wait_title(alice, "(1) Duet — Alice")
    results["offer while unfocused"] = f"attention requested, title {title(alice)!r}"

    alice.click(f"offer.{offer}.accept")
    alice.wait_log(rf"^event OfferFinished peer=\d+ offer={offer} state=6 ", timeout=60)
    wait_title(alice, "Duet — Alice")
    if wm.attention_requests(bob.window):
        raise TestFailure("Bob's focused window asked for attention")
    results["offer accepted"] = f"title {title(alice)!r}"
    return results


def extra_arguments(parser):
    parser.add_argument("--wm", required=True, help="path to duet-ewmh-wm")
    parser.add_argument("--dropper", required=True, help="path to duet-xdnd-drop")


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0], extra_arguments))
