"""Shared harness for the GUI end-to-end tests: a private Xvfb, real `duet` windows driven with xdotool
(widgets are clicked where the app reports drawing them, DUET_GUI_WIDGETS), event logs
(DUET_GUI_EVENT_LOG), F12 screenshots (DUET_SCREENSHOT_DIR), and one GuiSession that owns the setup, the
failure report and the teardown every test needs. Every wait is bounded; apps are stopped before Xvfb."""

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


def start_xvfb(attempts=3):
    """Starts a private Xvfb; returns (process, display, fd). Keep fd open while Xvfb runs: it may
    write to it again, and a closed pipe would kill it with SIGPIPE. A server that exits before it
    reports a display (a display number still being released by the previous test) is started again."""
    for attempt in range(attempts):
        read_end, write_end = os.pipe()
        xvfb = subprocess.Popen(
            # -noreset: by default the server resets when its last client leaves, and a window opening
            # during that reset fails with "cannot open display" (seen between two xdotool calls).
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x900x24", "-nolisten", "tcp",
             "-noreset"],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        text = b""
        deadline = time.monotonic() + 10
        while not text.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 32) if ready else b""
            if not chunk:
                break
            text += chunk
        if text.endswith(b"\n"):
            return xvfb, ":" + text.decode().strip(), read_end
        xvfb.kill()
        xvfb.wait(5)
        os.close(read_end)
        print("Xvfb did not report a display (attempt %d of %d)" % (attempt + 1, attempts), flush=True)
        time.sleep(1.0)
    raise TestFailure("Xvfb did not report a display in %d attempts" % attempts)


class Instance:
    def __init__(self, name, port, duet, workdir, env, run=1, extra_args=(), port_argument=True, title=None):
        """run > 1 starts the same app again on the same profile, with fresh log files. Without
        port_argument there is no --port: the app uses the port saved in its profile, expected to be `port`.
        With a title there is no --name: the app uses the name saved in its profile, expected to be `title`."""
        self.extra_args = list(extra_args)
        self.name = name
        self.title = title or name
        self.port = port
        self.run = run
        self.dir = os.path.join(workdir, name.lower())
        os.makedirs(self.dir, exist_ok=run > 1)
        suffix = "" if run == 1 else f"-{run}"
        self.event_log = os.path.join(self.dir, f"events{suffix}.log")
        self.widget_file = os.path.join(self.dir, f"widgets{suffix}.txt")
        self.shot_dir = os.path.join(self.dir, f"shots{suffix}")
        self.stderr_path = os.path.join(self.dir, f"stderr{suffix}.txt")
        self.stderr = open(self.stderr_path, "w")
        env = dict(env, DUET_GUI_EVENT_LOG=self.event_log, DUET_GUI_WIDGETS=self.widget_file,
                   DUET_SCREENSHOT_DIR=self.shot_dir)
        self.launched = time.monotonic()
        self.process = subprocess.Popen(
            [duet, *(["--port", str(port)] if port_argument else []), *([] if title else ["--name", name]), "--profile",
             os.path.join(self.dir, "profile"), "--downloads", os.path.join(self.dir, "downloads"),
             "--no-discovery", *self.extra_args],
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
        title = f"^Duet — {re.escape(self.title)}$"

        def search():
            self.check_alive()
            result = subprocess.run(["xdotool", "search", "--name", title], capture_output=True, text=True)
            ids = result.stdout.split()
            return ids[0] if ids else None
        self.window = wait_for(f"window '{title}'", search, 20)

    def show(self, width=1000, height=680):
        """Finds the window, waits for its first frame and the engine, and gives it a fixed place and
        size: input sent to a window that has only just mapped can be lost."""
        self.find_window()
        self.wait_log(r"^gui first-frame ms=")
        self.wait_log(rf"^event Listening port={self.port} ")
        self.xdo("windowsize", "--sync", self.window, str(width), str(height))
        self.xdo("windowmove", "--sync", self.window, "0", "0")
        time.sleep(0.5)

    def xdo(self, *args):
        subprocess.run(["xdotool", *args], check=True, timeout=20)

    def focus(self):
        self.xdo("windowfocus", "--sync", self.window)
        time.sleep(STEP_PAUSE)

    def click(self, key, button=1):
        x0, y0, x1, y1 = self.wait_widget(key)
        self.focus()
        self.xdo("mousemove", "--window", self.window, str((x0 + x1) // 2), str((y0 + y1) // 2),
                 "sleep", str(STEP_PAUSE), "mousedown", str(button), "sleep", str(STEP_PAUSE), "mouseup",
                 str(button))
        time.sleep(STEP_PAUSE)

    def right_click(self, key):
        self.click(key, button=3)

    def click_until_gone(self, key, attempts=3, timeout=3.0):
        """Clicks a button that closes what holds it (a modal's confirm); under load a click in a modal's
        first frames can be dropped, so it is clicked again while the widget is still drawn."""
        for _ in range(attempts):
            self.click(key)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if key not in self.widgets():
                    return
                time.sleep(0.1)
        raise TestFailure(f"{self.name}: {key} still shown after {attempts} clicks")

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
        if self.stderr.closed:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.stderr.close()



def xdnd_drop(dropper, inst, paths):
    """Drops paths on inst's window with duet-xdnd-drop (an XDND drag source); returns its output line."""
    result = subprocess.run([dropper, "--window", inst.window, "--timeout", "10", *paths],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise TestFailure(f"duet-xdnd-drop exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout.strip()


def ctrl_key(inst, name):
    """Ctrl+<name> in inst's window, paced for ImGui 1.86 (no input queue)."""
    inst.focus()
    inst.xdo("keydown", "Control_L", "sleep", "0.1", "keydown", name, "sleep", str(STEP_PAUSE), "keyup", name,
             "sleep", "0.1", "keyup", "Control_L")
    time.sleep(STEP_PAUSE)


def clipboard_reader():
    """A command that prints the X CLIPBOARD selection (xclip, xsel, or a Python with tkinter), or None."""
    if shutil.which("xclip"):
        return ["xclip", "-o", "-selection", "clipboard"]
    if shutil.which("xsel"):
        return ["xsel", "--output", "--clipboard"]
    for python in dict.fromkeys([sys.executable, shutil.which("python3")]):
        if python and subprocess.run([python, "-c", "import tkinter"], capture_output=True, timeout=10).returncode == 0:
            return [python, "-c", "import tkinter; r = tkinter.Tk(); r.withdraw(); print(r.clipboard_get(), end='')"]
    return None


def read_clipboard(command):
    """(text, diagnostic) of the clipboard on the session's display (DISPLAY is set by GuiSession)."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=15)
    if result.returncode != 0:
        return "", result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
    return result.stdout, []


class GuiSession:
    """with GuiSession(args, "duet-gui-e2e-") as session: alice = session.start("Alice", port) ...

    Owns the output folder, a temporary HOME, Xvfb and every Instance started through it. On an
    exception it prints each instance's event log tail and widget names; on exit it stops the apps,
    then Xvfb, copies each event log to the output folder, prints each stderr and removes the HOME."""

    def __init__(self, args, prefix):
        self.args = args
        self.out_dir = os.path.abspath(args.out)
        shutil.rmtree(self.out_dir, ignore_errors=True)
        os.makedirs(self.out_dir)
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        self.instances = []
        self.results = {}
        self.xvfb = None
        self.xvfb_fd = None

    def __enter__(self):
        self.xvfb, display, self.xvfb_fd = start_xvfb()
        os.environ["DISPLAY"] = display  # for xdotool
        self.env = dict(os.environ, DISPLAY=display, ASAN_OPTIONS="detect_leaks=0", LIBGL_ALWAYS_SOFTWARE="1",
                        HOME=self.workdir, XDG_DATA_HOME=os.path.join(self.workdir, "xdg-data"),
                        XDG_CONFIG_HOME=os.path.join(self.workdir, "xdg-config"))
        self.env.pop("WAYLAND_DISPLAY", None)
        return self

    def start(self, name, port, extra_args=()):
        inst = Instance(name, port, self.args.duet, self.workdir, self.env, extra_args=extra_args)
        self.instances.append(inst)
        return inst

    def start_pair(self, extra_args=("--no-port-mapping",)):
        """Starts Alice and Bob on a free port pair, waits for both windows and engines and places the
        windows side by side. Returns (alice, bob)."""
        port_a, port_b = free_udp_port_pair()
        alice = self.start("Alice", port_a, extra_args=extra_args)
        bob = self.start("Bob", port_b, extra_args=extra_args)
        for inst in (alice, bob):
            inst.find_window()
            inst.wait_log(rf"^event Listening port={inst.port} ")
        self.side_by_side(alice, bob)
        return alice, bob

    def restart(self, inst, saved_port=None, saved_name=None):
        """Stops inst (SIGTERM, as a window close) and starts the same app on the same profile; with
        saved_port, without --port (the app should listen on the port saved in its settings); with
        saved_name, without --name (the window should carry the name saved in its profile)."""
        inst.stop()
        again = Instance(inst.name, saved_port or inst.port, self.args.duet, self.workdir, self.env, inst.run + 1,
                         inst.extra_args, port_argument=saved_port is None, title=saved_name)
        self.instances.append(again)
        return again

    def path(self, name):
        return os.path.join(self.out_dir, name)

    def side_by_side(self, alice, bob, width=790, height=620):
        """Windows next to each other without overlap, so a click can only land in the intended one."""
        alice.xdo("windowsize", "--sync", alice.window, str(width), str(height))
        alice.xdo("windowmove", "--sync", alice.window, "0", "0")
        bob.xdo("windowsize", "--sync", bob.window, str(width), str(height))
        bob.xdo("windowmove", "--sync", bob.window, str(width + 15), "0")
        time.sleep(0.5)

    def connect_and_verify(self, alice, bob):
        """Alice hosts, Bob joins her port, both confirm the (matching) code. Returns the code."""
        alice.click("host.toggle")
        alice.wait_log(r"^event HostingChanged accepting=true")
        bob.click("join.input")
        bob.type(f"127.0.0.1:{alice.port}")
        bob.click("join.button")
        code_a = alice.wait_log(r'^event PeerConnected .* code="([^"]*)" trust="unverified"').group(1)
        code_b = bob.wait_log(r'^event PeerConnected .* code="([^"]*)" trust="unverified"').group(1)
        if code_a != code_b or not code_a:
            raise TestFailure(f"verification codes differ: Alice {code_a!r}, Bob {code_b!r}")
        alice.wait_widget("verify.confirm")
        bob.wait_widget("verify.confirm")
        alice.click_until_gone("verify.confirm")
        bob.click_until_gone("verify.confirm")
        alice.wait_log(r"^event PeerVerified ")
        bob.wait_log(r"^event PeerVerified ")
        return code_a

    def publish(self, names):
        """With DUET_UPDATE_SCREENSHOTS=1 and --assets, copies these screenshots to the README's folder."""
        if self.args.assets and os.environ.get("DUET_UPDATE_SCREENSHOTS") == "1":
            os.makedirs(self.args.assets, exist_ok=True)
            for name in names:
                shutil.copyfile(self.path(name), os.path.join(self.args.assets, name))

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            for inst in self.instances:
                print(f"---- {inst.name} event log", file=sys.stderr)
                print("\n".join(inst.log_lines()[-40:]), file=sys.stderr)
                print(f"---- {inst.name} widgets: {sorted(inst.widgets())[:120]}", file=sys.stderr)
        for inst in self.instances:
            inst.stop()
        self.xvfb.terminate()
        try:
            self.xvfb.wait(5)
        except subprocess.TimeoutExpired:
            self.xvfb.kill()
        os.close(self.xvfb_fd)
        for inst in self.instances:
            with open(inst.stderr_path, errors="replace") as f:
                text = f.read().strip()
            if text:
                print(f"---- {inst.name} (run {inst.run}) stderr\n{text}", file=sys.stderr)
            suffix = "" if inst.run == 1 else f"-{inst.run}"
            if os.path.exists(inst.event_log):
                shutil.copyfile(inst.event_log, self.path(f"{inst.name.lower()}{suffix}-events.log"))
        shutil.rmtree(self.workdir, ignore_errors=True)
        return False


def start_headless(args, session, name, port, profile):
    """A `duet --headless` peer (tests/integration/duet_harness.py) on a fixed port and profile."""
    import duet_harness
    try:
        return duet_harness.HeadlessPeer(args.duet, name, port=port, profile=profile, workdir=session.workdir)
    except duet_harness.TestFailure as failure:
        raise TestFailure(f"headless {name}: {failure}")


def run_with_headless_peers(args, prefix, scenario):
    """Runs scenario(args, session, peers) in a GuiSession. The scenario appends every headless peer it
    starts to peers: each is closed at the end, and its last events are printed if the test fails."""
    import duet_harness
    peers = []
    try:
        with GuiSession(args, prefix) as session:
            return scenario(args, session, peers)
    except duet_harness.TestFailure as failure:
        raise TestFailure(str(failure))
    except TestFailure:
        for peer in peers:
            print(f"---- {peer.name} events: " + " ".join(e["event"] for e in peer.history[-30:]),
                  file=sys.stderr)
        raise
    finally:
        for peer in peers:
            peer.close()


def main(run, description, extra_arguments=None):
    """Parses --duet/--out/--assets (plus extra_arguments(parser)), runs run(args); 0 = pass."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duet", required=True, help="path to the duet binary")
    parser.add_argument("--out", required=True, help="directory for screenshots and logs")
    parser.add_argument("--assets", help="with DUET_UPDATE_SCREENSHOTS=1 in the environment, also copy the "
                        "README's screenshots here (assets/screenshots)")
    if extra_arguments:
        extra_arguments(parser)
    args = parser.parse_args()
    try:
        results = run(args)
    except TestFailure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        return 1
    for key, value in (results or {}).items():
        print(f"{key}: {value}")
    print(f"screenshots in {os.path.abspath(args.out)}")
    print("PASS")
    return 0
