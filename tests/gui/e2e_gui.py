#!/usr/bin/python3
"""End-to-end test of the windowed app: two real `duet` GUI instances on a private Xvfb.

Alice hosts, Bob joins 127.0.0.1:<Alice's port>, both confirm the verification code (which must match),
Bob sends a message with Enter, Alice answers with a Shift+Enter line break, and each side's event log
(DUET_GUI_EVENT_LOG) must show the other's message. Widgets are clicked where the app reports drawing
them (DUET_GUI_WIDGETS), screenshots are taken with F12 (DUET_SCREENSHOT_DIR). Also measures
launch-to-first-frame and idle CPU.

Every wait is bounded; the apps are killed before Xvfb. Exit status 0 = pass.
"""

import argparse
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

STEP_PAUSE = 0.15  # ImGui 1.86 has no input queue: input within one frame is merged


class TestFailure(Exception):
    pass


def wait_for(what, predicate, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TestFailure(f"timed out after {timeout:.0f} s waiting for {what}")


def free_udp_port_pair():
    for _ in range(50):
        base = 47000 + random.randrange(0, 1000) * 2
        sockets = []
        try:
            for port in (base, base + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("0.0.0.0", port))
            return base, base + 1
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise TestFailure("no free UDP port pair in 47000-48999")


def start_xvfb():
    """Starts a private Xvfb; returns (process, display, fd). Keep fd open while Xvfb runs: it may
    write to it again, and a closed pipe would kill it with SIGPIPE."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x900x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    text = b""
    deadline = time.monotonic() + 10
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(read_end, 32) if ready else b""
        if not chunk:
            xvfb.kill()
            raise TestFailure("Xvfb did not report a display within 10 s")
        text += chunk
    return xvfb, ":" + text.decode().strip(), read_end


class Instance:
    def __init__(self, name, port, duet, workdir, env):
        self.name = name
        self.port = port
        self.dir = os.path.join(workdir, name.lower())
        os.makedirs(self.dir)
        self.event_log = os.path.join(self.dir, "events.log")
        self.widget_file = os.path.join(self.dir, "widgets.txt")
        self.shot_dir = os.path.join(self.dir, "shots")
        self.stderr = open(os.path.join(self.dir, "stderr.txt"), "w")
        env = dict(env, DUET_GUI_EVENT_LOG=self.event_log, DUET_GUI_WIDGETS=self.widget_file,
                   DUET_SCREENSHOT_DIR=self.shot_dir)
        self.launched = time.monotonic()
        self.process = subprocess.Popen(
            [duet, "--port", str(port), "--name", name, "--profile", os.path.join(self.dir, "profile"),
             "--downloads", os.path.join(self.dir, "downloads"), "--no-discovery"],
            env=env, stdout=self.stderr, stderr=self.stderr)
        self.window = None

    # ---- observation
    def log_lines(self):
        try:
            with open(self.event_log, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def wait_log(self, pattern, timeout=20.0):
        regex = re.compile(pattern)

        def find():
            self.check_alive()
            for line in self.log_lines():
                match = regex.search(line)
                if match:
                    return match
            return None
        return wait_for(f"{self.name}: log line /{pattern}/", find, timeout)

    def widgets(self):
        try:
            with open(self.widget_file) as f:
                rows = [line.split() for line in f.read().splitlines()]
        except FileNotFoundError:
            return {}
        return {row[0]: tuple(int(v) for v in row[1:5]) for row in rows if len(row) == 5}

    def wait_widget(self, key, timeout=20.0):
        def find():
            self.check_alive()
            return self.widgets().get(key)
        return wait_for(f"{self.name}: widget {key}", find, timeout)

    def check_alive(self):
        if self.process.poll() is not None:
            raise TestFailure(f"{self.name} exited with status {self.process.returncode}")

    # ---- input
    def find_window(self):
        title = f"^Duet — {self.name}$"

        def search():
            self.check_alive()
            result = subprocess.run(["xdotool", "search", "--name", title], capture_output=True, text=True)
            ids = result.stdout.split()
            return ids[0] if ids else None
        self.window = wait_for(f"window '{title}'", search, 20)

    def xdo(self, *args):
        subprocess.run(["xdotool", *args], check=True, timeout=20)

    def focus(self):
        self.xdo("windowfocus", "--sync", self.window)
        time.sleep(STEP_PAUSE)

    def click(self, key):
        x0, y0, x1, y1 = self.wait_widget(key)
        self.focus()
        self.xdo("mousemove", "--window", self.window, str((x0 + x1) // 2), str((y0 + y1) // 2),
                 "sleep", str(STEP_PAUSE), "mousedown", "1", "sleep", str(STEP_PAUSE), "mouseup", "1")
        time.sleep(STEP_PAUSE)

    def type(self, text):
        self.focus()
        self.xdo("type", "--delay", "40", "--window", self.window, text)
        time.sleep(STEP_PAUSE)

    def key(self, name, shift=False):
        self.focus()
        keys = ["keydown", "Shift_L", "sleep", "0.1"] if shift else []
        keys += ["keydown", name, "sleep", str(STEP_PAUSE), "keyup", name]
        keys += ["sleep", "0.1", "keyup", "Shift_L"] if shift else []
        self.xdo(*keys)
        time.sleep(STEP_PAUSE)

    def screenshot(self, out_path):
        """F12 in the app writes the back buffer; waits for the file and copies it to out_path."""
        before = len([l for l in self.log_lines() if l.startswith("gui screenshot ")])
        time.sleep(0.4)  # let ImGui settle (modal fade-in) before capturing
        self.key("F12")
        lines = wait_for(f"{self.name}: screenshot",
                         lambda: [l for l in self.log_lines() if l.startswith("gui screenshot ")][before:], 10)
        path = re.search(r'path="(.*)"', lines[0]).group(1)
        shutil.copyfile(path, out_path)
        return out_path

    # ---- measurement
    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.stderr.close()


def run(args):
    out_dir = os.path.abspath(args.out)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    workdir = tempfile.mkdtemp(prefix="duet-gui-e2e-")
    xvfb, display, xvfb_fd = start_xvfb()
    os.environ["DISPLAY"] = display  # for xdotool
    env = dict(os.environ, DISPLAY=display, ASAN_OPTIONS="detect_leaks=0", LIBGL_ALWAYS_SOFTWARE="1",
               HOME=workdir, XDG_DATA_HOME=os.path.join(workdir, "xdg-data"),
               XDG_CONFIG_HOME=os.path.join(workdir, "xdg-config"))
    env.pop("WAYLAND_DISPLAY", None)
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
            first_frame = inst.wait_log(r"^gui first-frame ms=(\d+)")
            results[f"{inst.name} first frame (in-app ms)"] = int(first_frame.group(1))
            results[f"{inst.name} window found after (s)"] = round(time.monotonic() - inst.launched, 2)
            inst.wait_log(rf"^event Listening port={inst.port} ")
        # The window carries the app icon and class (for desktop files and task bars).
        if shutil.which("xprop"):
            def prop(*names):
                return subprocess.run(["xprop", "-notype", "-id", alice.window, *names], capture_output=True,
                                      text=True, timeout=20).stdout
            wm_class = prop("WM_CLASS")
            icon = prop("32c", "_NET_WM_ICON")
            if '"duet"' not in wm_class or not icon.startswith("_NET_WM_ICON = 256, 256,"):
                raise TestFailure(f"window lacks WM_CLASS duet or the 256x256 icon: {wm_class} {icon[:60]}")
            results["window icon"] = "256x256 set"

        # Side by side without overlap, so a click can only land in the intended window.
        alice.xdo("windowsize", "--sync", alice.window, "790", "620")
        alice.xdo("windowmove", "--sync", alice.window, "0", "0")
        bob.xdo("windowsize", "--sync", bob.window, "790", "620")
        bob.xdo("windowmove", "--sync", bob.window, "805", "0")
        time.sleep(0.5)

        # Alice hosts.
        alice.click("host.toggle")
        alice.wait_log(r"^event HostingChanged accepting=true")

        # Bob joins.
        bob.click("join.input")
        bob.type(f"127.0.0.1:{port_a}")
        bob.screenshot(os.path.join(out_dir, "first-screen.png"))
        bob.click("join.button")

        # Both see the same code and confirm it.
        code_a = alice.wait_log(r'^event PeerConnected .* code="([^"]*)" trust="unverified"').group(1)
        code_b = bob.wait_log(r'^event PeerConnected .* code="([^"]*)" trust="unverified"').group(1)
        if code_a != code_b or not code_a:
            raise TestFailure(f"verification codes differ: Alice {code_a!r}, Bob {code_b!r}")
        alice.wait_widget("verify.confirm")
        bob.wait_widget("verify.confirm")
        alice.screenshot(os.path.join(out_dir, "verify.png"))
        alice.click("verify.confirm")
        bob.click("verify.confirm")
        alice.wait_log(r"^event PeerVerified ")
        bob.wait_log(r"^event PeerVerified ")

        # Bob: Enter sends.
        bob.click("chat.input")
        bob.type("Hello Alice, this is Bob")
        bob.key("Return")
        alice.wait_log(r'^event ChatReceived .* from="Bob" text="Hello Alice, this is Bob"')
        bob.wait_log(r"^event ChatSent ")

        # Alice: Shift+Enter makes a second line, Enter sends both.
        alice.click("chat.input")
        alice.type("Hi Bob!")
        alice.key("Return", shift=True)
        alice.type("The code matched here too.")
        alice.key("Return")
        bob.wait_log(r'^event ChatReceived .* from="Alice" text="Hi Bob!\\nThe code matched here too\."')
        try:
            bob.wait_log(r"^event ChatDelivered ", timeout=10)
            results["delivery receipts"] = "seen"
        except TestFailure:
            results["delivery receipts"] = "not seen within 10 s"
        alice.screenshot(os.path.join(out_dir, "chat.png"))
        bob.screenshot(os.path.join(out_dir, "chat-bob.png"))

        # Idle: nothing moves for 10 s; the apps must sleep.
        subprocess.run(["xdotool", "mousemove", "1590", "890"], check=True)
        time.sleep(1.0)
        start = {inst.name: inst.cpu_seconds() for inst in instances}
        time.sleep(10.0)
        for inst in instances:
            percent = (inst.cpu_seconds() - start[inst.name]) / 10.0 * 100
            results[f"{inst.name} idle CPU (% of a core over 10 s)"] = round(percent, 2)
            if percent >= args.max_idle_cpu:
                raise TestFailure(f"{inst.name} idle CPU {percent:.2f} % >= {args.max_idle_cpu} %")

        if args.assets and os.environ.get("DUET_UPDATE_SCREENSHOTS") == "1":
            os.makedirs(args.assets, exist_ok=True)
            for name in ("first-screen.png", "verify.png", "chat.png"):
                shutil.copyfile(os.path.join(out_dir, name), os.path.join(args.assets, name))
    except Exception:
        for inst in instances:
            print(f"---- {inst.name} event log", file=sys.stderr)
            print("\n".join(inst.log_lines()[-40:]), file=sys.stderr)
            print(f"---- {inst.name} widgets: {sorted(inst.widgets())}", file=sys.stderr)
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
        for inst in instances:
            with open(os.path.join(inst.dir, "stderr.txt"), errors="replace") as f:
                text = f.read().strip()
            if text:
                print(f"---- {inst.name} stderr\n{text}", file=sys.stderr)
            for log in ("events.log",):
                shutil.copyfile(os.path.join(inst.dir, log), os.path.join(out_dir, f"{inst.name.lower()}-{log}"))
        shutil.rmtree(workdir, ignore_errors=True)
    for key, value in results.items():
        print(f"{key}: {value}")
    print(f"screenshots in {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duet", required=True, help="path to the duet binary")
    parser.add_argument("--out", required=True, help="directory for screenshots and logs")
    parser.add_argument("--assets", help="with DUET_UPDATE_SCREENSHOTS=1 in the environment, also copy "
                        "first-screen/verify/chat.png here (the README's assets/screenshots)")
    parser.add_argument("--max-idle-cpu", type=float, default=1.0, help="percent of one core")
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
