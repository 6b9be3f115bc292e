"""Manual check of the "Connect over the internet" window: one GUI instance under a private Xvfb with a
local coturn STUN server, the window opened, its code shown, a mistyped code pasted, and a screenshot.

Usage: nat_gui_shot.py --duet build/x/src/app/duet --out shot.png   (not part of CTest: it needs a look)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gui"))
import gui_harness as gh  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="duet-natgui-")
    stun_port, _ = gh.free_udp_port_pair()
    stun = subprocess.Popen(
        ["turnserver", "--listening-ip", "127.0.0.1", "--listening-port", str(stun_port), "--stun-only",
         "--no-cli", "--no-tls", "--no-dtls", "--no-tcp", "--log-file", "stdout", "--pidfile",
         os.path.join(workdir, "stun.pid"), "--userdb", os.path.join(workdir, "stun.db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    launcher = os.path.join(workdir, "duet-stun")
    with open(launcher, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\" --no-port-mapping --stun 127.0.0.1:%d\n"
                % (os.path.abspath(args.duet), stun_port))
    os.chmod(launcher, 0o755)
    xvfb, display, fd = gh.start_xvfb()
    os.environ["DISPLAY"] = display  # xdotool runs with this process's environment
    env = dict(os.environ, DISPLAY=display, LIBGL_ALWAYS_SOFTWARE="1", ASAN_OPTIONS="detect_leaks=0")
    port, _ = gh.free_udp_port_pair()
    inst = gh.Instance("Alice", port, launcher, workdir, env)
    try:
        try:
            inst.find_window()
        except gh.TestFailure:
            inst.stderr.flush()
            print(open(os.path.join(inst.dir, "stderr.txt")).read()[-2000:])
            raise
        inst.click("internet.open")
        time.sleep(5)
        inst.screenshot(args.out.replace(".png", "-opened.png"))
        print("widgets:", sorted(inst.widgets()))
        print("log:", [l for l in inst.log_lines() if "Nat" in l or "Reach" in l][-6:])
        inst.click("internet.theircode")
        inst.type("04102-0G30G-2GC1R-81450-P30D1-R7H04-8J2CA-060YB-01RG3-P830B-5G0W8-1KH0G-3G580-42XJ0-V5N3K-XF")
        inst.click("internet.connect")
        time.sleep(1.0)
        inst.screenshot(args.out)
        print("screenshot:", args.out)
    finally:
        inst.stop()
        xvfb.kill()
        os.close(fd)
        stun.kill()
        stun.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
