"""The one-shot commands as real processes: `duet send HOST:PORT PATH...` and `duet receive`.

- success: a tree arrives identical, both exit 0;
- rejection: the receiver (no --yes) confirms the code on stdin, then says no to the offer: both exit 3;
- refused: the receiver's user says no to the verification code: the sender exits 8 at once (the
  Close reason code, not its text, tells it not to retry);
- unreachable: nobody listens, --retry-for 2: the sender exits 5 within a few seconds;
- link drop: the receiver is killed (-9) while a large file is half-way and started again on the same
  port and profile; the sender (still running) reconnects, the transfer resumes and both exit 0 with
  identical data, having re-sent only a little.
"""

import glob
import os
import subprocess
import time

import duet_harness as h

RECEIVE_PORT = 47000 + os.getpid() % 1000


def start(duet, args, workdir, name, stdin=subprocess.DEVNULL):
    log = open(os.path.join(workdir, "%s-%d.log" % (name, time.monotonic_ns())), "wb")
    proc = subprocess.Popen([duet] + args, stdin=stdin, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    return proc


def log_of(proc):
    with open(proc.log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def finish(proc, timeout):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise h.TestFailure("process did not exit in %d s:\n%s" % (timeout, log_of(proc)))


def receiver_args(workdir, name, yes=True):
    args = ["receive", "--port", str(RECEIVE_PORT), "--profile", os.path.join(workdir, "profile-" + name),
            "--downloads", os.path.join(workdir, "downloads-" + name), "--no-discovery"]
    return args + (["--yes"] if yes else [])


def sender_args(workdir, name, paths, extra=()):
    return ["send", "--yes", "--profile", os.path.join(workdir, "profile-" + name)] + list(extra) + \
        ["127.0.0.1:%d" % RECEIVE_PORT] + paths


def test_success(duet, workdir):
    tree = os.path.join(workdir, "src", "Tree")
    os.makedirs(os.path.join(tree, "nested", "empty"))
    with open(os.path.join(tree, "nested", "data.bin"), "wb") as f:
        f.write(os.urandom(2 * 1024 * 1024 + 77))
    with open(os.path.join(tree, "small.txt"), "wb") as f:
        f.write(b"hello\n")
    receiver = start(duet, receiver_args(workdir, "r1"), workdir, "receive1")
    time.sleep(0.3)
    sender = start(duet, sender_args(workdir, "s1", [tree]), workdir, "send1")
    h.check(finish(sender, 60) == 0, "send failed:\n" + log_of(sender))
    h.check(finish(receiver, 30) == 0, "receive failed:\n" + log_of(receiver))
    got = os.path.join(workdir, "downloads-r1", "Tree")
    h.check(h.blake(os.path.join(got, "nested", "data.bin")) == h.blake(os.path.join(tree, "nested", "data.bin")),
            "data.bin differs")
    h.check(h.blake(os.path.join(got, "small.txt")) == h.blake(os.path.join(tree, "small.txt")), "small differs")
    h.check(os.path.isdir(os.path.join(got, "nested", "empty")), "empty folder missing")
    h.check("done, every file verified" in log_of(sender), "no final line on the sender's terminal")


def test_rejection(duet, workdir):
    path = os.path.join(workdir, "src", "reject-me.txt")
    with open(path, "wb") as f:
        f.write(b"no thanks\n")
    receiver = start(duet, receiver_args(workdir, "r2", yes=False), workdir, "receive2", stdin=subprocess.PIPE)
    time.sleep(0.3)
    sender = start(duet, sender_args(workdir, "s2", [path]), workdir, "send2")
    # First question: the verification code (yes); second: the offer (no).
    receiver.stdin.write(b"y\nn\n")
    receiver.stdin.flush()
    h.check(finish(sender, 60) == 3, "sender should exit 3 (rejected):\n" + log_of(sender))
    h.check(finish(receiver, 30) == 3, "receiver should exit 3 (rejected):\n" + log_of(receiver))
    h.check(not os.path.exists(os.path.join(workdir, "downloads-r2", "reject-me.txt")), "rejected file arrived")


def test_peer_refused(duet, workdir):
    # The receiver's user says no to the verification code: the receiver closes with the UserRejected
    # code, which the sender takes as final (exit 8) instead of dialling again for --retry-for.
    path = os.path.join(workdir, "src", "refused.txt")
    with open(path, "wb") as f:
        f.write(b"not you\n")
    receiver = start(duet, receiver_args(workdir, "r5", yes=False), workdir, "receive5", stdin=subprocess.PIPE)
    time.sleep(0.3)
    started = time.monotonic()
    sender = start(duet, sender_args(workdir, "s5", [path], ["--retry-for", "60"]), workdir, "send5")
    receiver.stdin.write(b"n\n")
    receiver.stdin.flush()
    code = finish(sender, 30)
    h.check(code == 8, "sender should exit 8 (refused), got %d:\n%s" % (code, log_of(sender)))
    h.check(time.monotonic() - started < 20, "the refusal was retried instead of taken as final")
    if receiver.poll() is None:
        receiver.kill()
    receiver.wait()
    h.check(not os.path.exists(os.path.join(workdir, "downloads-r5", "refused.txt")), "refused file arrived")


def test_unreachable(duet, workdir):
    path = os.path.join(workdir, "src", "nobody.txt")
    with open(path, "wb") as f:
        f.write(b"x")
    started = time.monotonic()
    sender = start(duet, sender_args(workdir, "s3", [path], ["--retry-for", "2"]), workdir, "send3")
    code = finish(sender, 30)
    elapsed = time.monotonic() - started
    h.check(code == 5, "sender should exit 5 (unreachable), got %d:\n%s" % (code, log_of(sender)))
    h.check(elapsed < 12, "gave up only after %.1f s" % elapsed)


def partial_bytes(downloads):
    total = 0
    for part in glob.glob(os.path.join(downloads, ".duet-partial", "*", "0.duet-part")):
        total += os.path.getsize(part)
    return total


def test_link_drop(duet, workdir):
    size = 120 * 1024 * 1024
    path = os.path.join(workdir, "src", "big.bin")
    with open(path, "wb") as f:
        for _ in range(size // (4 << 20)):
            f.write(os.urandom(4 << 20))
    downloads = os.path.join(workdir, "downloads-r4")
    receiver = start(duet, receiver_args(workdir, "r4"), workdir, "receive4a")
    time.sleep(0.3)
    sender = start(duet, sender_args(workdir, "s4", [path], ["--retry-for", "60"]), workdir, "send4")
    deadline = time.monotonic() + 60
    while partial_bytes(downloads) < size // 3:
        h.check(time.monotonic() < deadline, "the transfer never got a third of the way")
        h.check(sender.poll() is None, "sender exited early:\n" + log_of(sender))
        time.sleep(0.05)
    receiver.kill()
    receiver.wait()
    at_kill = partial_bytes(downloads)
    time.sleep(1)
    receiver = start(duet, receiver_args(workdir, "r4"), workdir, "receive4b")
    h.check(finish(sender, 120) == 0, "send failed after the drop:\n" + log_of(sender))
    h.check(finish(receiver, 60) == 0, "restarted receive failed:\n" + log_of(receiver))
    h.check(h.blake(os.path.join(downloads, "big.bin")) == h.blake(path), "big.bin differs after resume")
    h.check("resuming" in log_of(sender) or "reconnected" in log_of(sender), "sender did not report the resume")
    print("killed the receiver at %.0f %%" % (100.0 * at_kill / size))


def test(duet, workdir):
    os.makedirs(os.path.join(workdir, "src"))
    test_success(duet, workdir)
    test_rejection(duet, workdir)
    test_peer_refused(duet, workdir)
    test_unreachable(duet, workdir)
    test_link_drop(duet, workdir)


if __name__ == "__main__":
    h.run(test)
