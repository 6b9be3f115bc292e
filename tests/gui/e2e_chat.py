#!/usr/bin/python3
"""End-to-end test of durable chat in the window: typing indicator, read receipts, Ctrl+F, history menu, links.

Bob types (Alice's window shows "Bob is typing..."), sends three messages; Alice's focused window marks
them read and Bob's messages turn "read". Bob presses Ctrl+F and searches; his History menu is opened.
Alice drags over part of a message and presses Ctrl+C: the clipboard holds that part. Bob sends a link:
Alice's window draws it as a link and a click runs xdg-open with the URL (a fake xdg-open on PATH
records it); a link that xdg-open fails to open shows the error banner.
Screenshots of each step land in --out.
Every wait is bounded. Exit status 0 = pass.
"""

import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_harness import (GuiSession, TestFailure, clipboard_reader, ctrl_key, main, read_clipboard,  # noqa: E402
                         wait_for)  # noqa: E402


def run(args):
    with GuiSession(args, "duet-gui-chat-") as session:
        results = session.results
        opened = install_fake_xdg_open(session)
        alice, bob = session.start_pair()
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

        results["part of a message"] = select_and_copy(alice, session)
        results["across messages"] = select_across_and_copy(alice, session)
        check_links(alice, bob, opened, session)
        results["links"] = "drawn, opened with xdg-open, a failure shown"
        session.publish(["chat-select.png", "chat-select-across.png", "chat-link.png"])
        return results


def copy_and_read(inst, session, screenshot):
    """Ctrl+C in inst after a selection, a screenshot of it, then (text, problem) of the clipboard, or None
    when nothing here can read the clipboard."""
    time.sleep(0.3)
    ctrl_key(inst, "c")
    inst.screenshot(session.path(screenshot))
    reader = clipboard_reader()
    return read_clipboard(reader) if reader else None


def select_and_copy(alice, session):
    """Alice drags over the start of "lunch is on me" and presses Ctrl+C: the clipboard holds that part."""
    x0, y0, x1, y1 = alice.wait_widget("chat.text.2")
    y = (y0 + y1) // 2
    alice.focus()
    alice.xdo("mousemove", "--window", alice.window, str(x0 - 2), str(y), "sleep", "0.2", "mousedown", "1",
              "sleep", "0.2", "mousemove", "--window", alice.window, str(x0 + (x1 - x0) // 3), str(y), "sleep",
              "0.2", "mousemove", "--window", alice.window, str(x0 + (x1 - x0) * 2 // 5), str(y), "sleep", "0.2",
              "mouseup", "1")
    copied = copy_and_read(alice, session, "chat-select.png")
    if copied is None:
        return "selected (no clipboard reader here to check the copy)"
    text, problem = copied
    if not text or text == "lunch is on me" or not "lunch is on me".startswith(text):
        raise TestFailure(f"clipboard after selecting part of a message: {text!r} {problem}")
    return f"copied {text!r}"


def select_across_and_copy(alice, session):
    """Alice drags from the middle of Bob's first message into his third and presses Ctrl+C: the clipboard
    holds one "[HH:MM] Bob: text" block per message, the first and last in part."""
    first = alice.wait_widget("chat.text.0")
    last = alice.wait_widget("chat.text.2")
    y0 = (first[1] + first[3]) // 2
    y1 = (last[1] + last[3]) // 2
    alice.focus()
    alice.xdo("mousemove", "--window", alice.window, str((first[0] + first[2]) // 2), str(y0), "sleep", "0.2",
              "mousedown", "1", "sleep", "0.2", "mousemove", "--window", alice.window, str(first[0] + 5),
              str((y0 + y1) // 2), "sleep", "0.2", "mousemove", "--window", alice.window,
              str(last[0] + (last[2] - last[0]) // 3), str(y1), "sleep", "0.2", "mouseup", "1")
    copied = copy_and_read(alice, session, "chat-select-across.png")
    if copied is None:
        return "selected (no clipboard reader here to check the copy)"
    text, problem = copied
    pattern = (r"(-- [^\n]+ --\n)?\[\d\d:\d\d\] Bob: [^\n]*noon\n\[\d\d:\d\d\] Bob: or at one\?\n"
               r"\[\d\d:\d\d\] Bob: lu[^\n]*\n")
    if not text or not re.fullmatch(pattern, text) or "lunch is on me" in text:
        raise TestFailure(f"clipboard after selecting across three messages: {text!r} {problem}")
    return f"copied {text!r}"


def install_fake_xdg_open(session):
    """Puts an xdg-open first on the apps' PATH that appends its argument count, its first argument and
    how many sockets it inherited to a file (and fails, as a missing browser does, for URLs containing
    "fail"). Returns the file's path."""
    bin_dir = os.path.join(session.workdir, "fake-bin")
    os.makedirs(bin_dir)
    opened = os.path.join(session.workdir, "xdg-open.log")
    script = os.path.join(bin_dir, "xdg-open")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nsockets=$(ls -l /proc/$$/fd | grep -c socket:)\n"
                "printf '%s|%s|%s\\n' \"$#\" \"$1\" \"$sockets\" >> '" + opened + "'\n"
                "case \"$1\" in *fail*) exit 3 ;; esac\nexit 0\n")
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR)
    session.env["PATH"] = bin_dir + os.pathsep + session.env.get("PATH", "")
    return opened


def opened_urls(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def link_widget(inst):
    return wait_for(f"{inst.name}: a link drawn",
                    lambda: sorted((k for k in inst.widgets() if k.startswith("chat.link.")),
                                   key=lambda k: int(k.split(".")[2])), 20)[-1]


def check_links(alice, bob, opened, session):
    time.sleep(0.5)
    bob.click("chat.input")  # the first click may only close what the History menu left open
    bob.click("chat.input")
    bob.type("the notes are at https://example.com/duet-notes?page=2.")
    bob.key("Return")
    alice.wait_log(r'^event ChatReceived .* text="the notes are at https://example.com/duet-notes\?page=2\."')
    key = link_widget(alice)
    alice.click(key)
    wait_for("xdg-open called with the link",
             lambda: "1|https://example.com/duet-notes?page=2|0" in opened_urls(opened), 10)
    alice.wait_log(r"^gui open link https://example.com/duet-notes\?page=2$")
    x0, y0, x1, y1 = alice.wait_widget(key)
    alice.xdo("mousemove", "--window", alice.window, str((x0 + x1) // 2), str((y0 + y1) // 2))
    alice.screenshot(session.path("chat-link.png"))

    bob.click("chat.input")
    bob.type("and www.example.org/fail")
    bob.key("Return")
    alice.wait_log(r'^event ChatReceived .* text="and www.example.org/fail"')
    wait_for(f"{alice.name}: the second link drawn", lambda: link_widget(alice) != key, 20)
    alice.click(link_widget(alice))
    wait_for("xdg-open called with the www. link as https",
             lambda: "1|https://www.example.org/fail|0" in opened_urls(opened), 10)
    alice.wait_widget("error.banner")
    alice.screenshot(session.path("chat-link-failed.png"))


def extra_arguments(_parser):
    pass


if __name__ == "__main__":
    sys.exit(main(run, __doc__.splitlines()[0], extra_arguments))
