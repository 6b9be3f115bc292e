#!/usr/bin/env python3
"""Loopback file-transfer benchmark of the real `duet --headless` (not a CTest).

Sends one sparse file (1 GiB by default; --size 10G for the 10 GiB memory check) from one process to
another on 127.0.0.1 and prints a table: size, seconds, throughput, and the peak RSS (VmHWM) of the
sender and the receiver, sampled from /proc while it runs. The received file is deleted afterwards.
Usage: transfer_bench.py --duet build/files/src/app/duet [--size 1G] [--dir /var/tmp]

--small-files N: instead, N small files (1-16 KiB, spread over 20 folders) sent as one folder, Duet
against `rsync -a` over ssh to 127.0.0.1 (a private sshd on a free port with throwaway host and user keys,
root only), and prints files/s for both.
"""

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import duet_harness as h  # noqa: E402


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def make_small_tree(root, count, file_size=0):
    """`count` files in 20 folders: `file_size` bytes each, or 1-16 KiB at random when 0."""
    rng = random.Random(4)
    total = 0
    for i in range(count):
        folder = os.path.join(root, "d%02d" % (i % 20))
        os.makedirs(folder, exist_ok=True)
        size = file_size or rng.randint(1024, 16 * 1024)
        with open(os.path.join(folder, "f%05d.bin" % i), "wb") as f:
            f.write(os.urandom(size))
        total += size
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rsync_over_ssh(workdir, tree):
    """Seconds for `rsync -a` of `tree` over ssh to 127.0.0.1, through an sshd of our own."""
    keys = os.path.join(workdir, "ssh")
    os.makedirs(keys)
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(keys, name)],
                       check=True)
    shutil.copy(os.path.join(keys, "user.pub"), os.path.join(keys, "authorized_keys"))
    port = free_port()
    config = os.path.join(keys, "sshd_config")
    with open(config, "w") as f:
        f.write("ListenAddress 127.0.0.1\nPort %d\nHostKey %s\nAuthorizedKeysFile %s\n"
                "PasswordAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n"
                "PidFile %s\nStrictModes no\n" % (port, os.path.join(keys, "host"),
                                                   os.path.join(keys, "authorized_keys"),
                                                   os.path.join(keys, "sshd.pid")))
    os.makedirs("/run/sshd", exist_ok=True)
    sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", config], stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        ssh = "ssh -p %d -i %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" % (
            port, os.path.join(keys, "user"))
        target = os.path.join(workdir, "rsync-copy")
        started = time.monotonic()
        subprocess.run(["rsync", "-a", "-e", ssh, tree, "root@127.0.0.1:" + target + "/"], check=True,
                       timeout=600)
        return time.monotonic() - started
    finally:
        sshd.terminate()
        sshd.wait()


def oneshot_seconds(duet, workdir, tree):
    """Seconds from starting `duet send --yes` until it exits 0, against a waiting `duet receive --yes`
    (like rsync's row, the clock includes dialling and the handshake)."""
    port = free_port()
    downloads = os.path.join(workdir, "oneshot-copy")
    os.makedirs(downloads)
    receiver = subprocess.Popen([duet, "receive", "--yes", "--no-discovery", "--port", str(port), "--profile",
                                 os.path.join(workdir, "oneshot-receiver"), "--downloads", downloads],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        subprocess.run([duet, "send", "--yes", "--no-discovery", "--profile", os.path.join(workdir, "oneshot-sender"),
                        "127.0.0.1:%d" % port, tree], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=900)
        seconds = time.monotonic() - started
        receiver.wait(timeout=60)
        return seconds
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()


def small_files(duet, workdir, count, file_size=0, trace=None, with_rsync=True):
    tree = os.path.join(workdir, "Small")
    total = make_small_tree(tree, count, file_size)
    sender = receiver = None
    try:
        sender = h.HeadlessPeer(duet, "sender", yes=True, workdir=workdir)
        receiver = h.HeadlessPeer(duet, "receiver", yes=True, workdir=workdir)
        h.connect_verified(sender, receiver)
        tracer = None
        if trace:
            # A measuring aid: attach a profiler to the receiver ({pid}) or the sender ({sender}),
            # e.g. --trace "exec perf trace -s -p {pid}".
            tracer = subprocess.Popen(trace.format(pid=receiver.proc.pid, sender=sender.proc.pid), shell=True)
            time.sleep(1)
        started = time.monotonic()
        sender.send('send "%s"' % tree)
        offer = sender.wait_for("offer_sent", timeout=120)["offer"]
        finished = None
        while finished is None and time.monotonic() < started + 900:
            try:
                finished = receiver.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=1)
            except h.TestFailure:
                pass
        duet_seconds = time.monotonic() - started
        if tracer is not None:
            tracer.send_signal(2)
            tracer.wait(timeout=60)
        if finished is None or finished["state"] != "done":
            print("transfer did not finish: %r" % finished)
            return 1
    finally:
        for peer in (sender, receiver):
            if peer is not None:
                peer.close()
    rows = [("duet --headless (connected)", duet_seconds), ("duet send / receive", oneshot_seconds(duet, workdir, tree))]
    if with_rsync:
        rows.append(("rsync -a over ssh", rsync_over_ssh(workdir, tree)))
    print("| tool | files | MiB | seconds | files/s |")
    print("|---|---|---|---|---|")
    for tool, seconds in rows:
        print("| %s | %d | %.1f | %.1f | %.0f |" % (tool, count, total / (1 << 20), seconds, count / seconds))
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duet", required=True)
    parser.add_argument("--size", default="1G")
    parser.add_argument("--small-files", type=int, default=0, help="N small files, Duet vs rsync over ssh")
    parser.add_argument("--file-size", default="0", help="with --small-files: bytes per file (0: 1-16 KiB)")
    parser.add_argument("--trace", default=None, help="with --small-files: command run during the transfer; {pid} receiver, {sender} sender")
    parser.add_argument("--no-rsync", action="store_true", help="with --small-files: Duet only")
    parser.add_argument("--dir", default=None, help="where the sparse source and the received copy go")
    args = parser.parse_args()
    if args.small_files:
        workdir = tempfile.mkdtemp(prefix="duet-bench-", dir=args.dir)
        try:
            return small_files(os.path.abspath(args.duet), workdir, args.small_files,
                               parse_size(args.file_size), args.trace, not args.no_rsync)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    size = parse_size(args.size)
    workdir = tempfile.mkdtemp(prefix="duet-bench-", dir=args.dir)
    sender = receiver = None
    try:
        source = os.path.join(workdir, "bench.bin")
        with open(source, "wb") as f:
            f.truncate(size)
        sender = h.HeadlessPeer(os.path.abspath(args.duet), "sender", yes=True, workdir=workdir)
        receiver = h.HeadlessPeer(os.path.abspath(args.duet), "receiver", yes=True, workdir=workdir)
        h.connect_verified(sender, receiver)
        started = time.monotonic()
        sender.send('send "%s"' % source)
        offer = sender.wait_for("offer_sent", timeout=30)["offer"]
        deadline = started + max(120, size / (5 << 20))
        finished = None
        while finished is None and time.monotonic() < deadline:
            try:
                finished = receiver.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=1)
            except h.TestFailure:
                pass
        seconds = time.monotonic() - started
        send_rss = peak_rss_kib(sender.proc.pid)
        recv_rss = peak_rss_kib(receiver.proc.pid)
        if finished is None or finished["state"] != "done":
            print("transfer did not finish: %r" % finished)
            return 1
        print("| size | seconds | MiB/s | sender peak RSS | receiver peak RSS |")
        print("|---|---|---|---|---|")
        print("| %.2f GiB | %.1f | %.1f | %.1f MiB | %.1f MiB |" % (
            size / (1 << 30), seconds, size / (1 << 20) / seconds, send_rss / 1024, recv_rss / 1024))
        return 0
    finally:
        for peer in (sender, receiver):
            if peer is not None:
                peer.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
