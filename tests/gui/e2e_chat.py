#!/usr/bin/python3
"""End-to-end test of durable chat in the window: typing indicator, read receipts, Ctrl+F, history menu.

Bob types (Alice's window shows "Bob is typing..."), sends three messages; Alice's focused window marks
them read and Bob's messages turn "read". Bob presses Ctrl+F and searches; his History menu is opened.
Screenshots of each step land in --out.
Every wait is bounded. Exit status 0 = pass.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import GuiSession, TestFailure, ctrl_key, free_udp_port_pair, main  # noqa: E402


def run(args):
    with GuiSession(args, "duet-gui-chat-") as session:
        results = session.results
        port_a, port_b = free_udp_port_pair()
        alice = session.start("Alice", port_a)
        bob = session.start("Bob", port_b)
        for inst in (alice, bob):
            inst.find_window()
            inst.wait_log(rf"^event Listening port={inst.port} ")
        session.side_by_side(alice, bob)
        session.connect_and_verify(alice, bob)

        bob.click("chat.input")
        bob.type("Lunch at noon")
        alice.wait_log(r"^event PeerTyping .* typing=true")
        alice.wait_widget("chat.typing")
        alice.screenshot(session.path("chat-typing.png"))
        bob.key("Return")
        for text in ("or at one?", "lunch is on me"):
            bob.type(text)
            bob.key("Return")
        alice.wait_log(r'^event ChatReceived .* text="lunch is on me"')
        alice.focus()  # Alice looks at the conversation: her engine sends a read receipt
        bob.wait_log(r"^event ChatStateChanged .* state=3", timeout=20)
        results["read receipt"] = "seen at Bob"
        bob.screenshot(session.path("chat-read.png"))

        bob.click("chat.input")
        ctrl_key(bob, "f")
        bob.wait_widget("chat.find")
        bob.type("lunch")
        time.sleep(0.5)
        bob.screenshot(session.path("chat-find.png"))
        bob.click("chat.find.close")

        bob.click("chat.history.menu")
        time.sleep(0.5)
        bob.screenshot(session.path("chat-history-menu.png"))
        bob.key("Escape")
        results["find and menu"] = "drawn"
        return results


def extra_arguments(_parser):
    pass


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0], extra_arguments))
