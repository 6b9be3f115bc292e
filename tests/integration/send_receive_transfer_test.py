"""Two headless peers send a tree of files and folders (nested and empty folders, a 0-byte file, unicode
names, a few MiB of random data) and a single file; every file arrives with the same BLAKE2b-256 as the
source and as the transfer_done events report; sending again never overwrites ("name (1).ext",
"Tree (1)"); chat stays quick while a larger file moves."""

import os
import time

import duet_harness as h


def make_tree(root):
    tree = os.path.join(root, "Tree")
    os.makedirs(os.path.join(tree, "nested", "deeper"))
    os.makedirs(os.path.join(tree, "empty"))
    os.makedirs(os.path.join(tree, "a", "b", "empty too"))
    with open(os.path.join(tree, "zero.bin"), "wb"):
        pass
    with open(os.path.join(tree, "h\u00e9llo w\u00f6rld \u4f60\u597d \U0001F389.txt"), "wb") as f:
        f.write("caf\u00e9\n".encode("utf-8") * 1000)
    with open(os.path.join(tree, "nested", "deeper", "random.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 12345))
    with open(os.path.join(tree, "nested", "exact-chunk.bin"), "wb") as f:
        f.write(os.urandom(256 * 1024))
    single = os.path.join(root, "single.bin")
    with open(single, "wb") as f:
        f.write(os.urandom(700 * 1024))
    return tree, single


def listing(root):
    """Relative path -> hash (files) or None (folders), below root."""
    out = {}
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel != ".":
            out[rel] = None
        for name in files:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root)] = h.blake(path)
    return out


def send_and_finish(sender, receiver, line, timeout=60):
    sender.send(line)
    sent = sender.wait_for("offer_sent", timeout=10)
    offer = receiver.wait_for("offer", lambda e: e["offer"] == sent["offer"], timeout=10)
    h.check(offer["auto_accepted"] is True, "--yes auto-accepts offers")
    h.check(offer["total"] == sent["total"], "totals differ")
    done = receiver.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=timeout)
    h.check(done["state"] == "done", "receiver finished as %r: %r %r" % (done["state"], done["reason"], [e for e in receiver.history if e["event"] in ("transfer_failed", "error")]))
    done = sender.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=timeout)
    h.check(done["state"] == "done", "sender finished as %r: %r" % (done["state"], done["reason"]))
    return sent


def test(duet, workdir):
    source = os.path.join(workdir, "source")
    os.makedirs(source)
    tree, single = make_tree(source)
    alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
    bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
    downloads = os.path.join(workdir, "downloads-bob")
    try:
        h.connect_verified(alice, bob)
        sent = send_and_finish(alice, bob, 'send "%s" "%s"' % (tree, single))
        files = set(e["file"] for e in sent["entries"] if not e["dir"])
        received = {}
        for _ in sent["entries"]:  # folders are reported done too (created)
            event = bob.wait_for("transfer_done", lambda e: e["offer"] == sent["offer"], timeout=5)
            if event["file"] in files:
                received[event["file"]] = event
        h.check(len(received) == len(files), "a transfer_done per file")
        expected = listing(os.path.join(source, "Tree"))
        got = listing(os.path.join(downloads, "Tree"))
        h.check(got == expected, "tree differs:\n%r\n%r" % (sorted(expected.items()), sorted(got.items())))
        h.check(h.blake(os.path.join(downloads, "single.bin")) == h.blake(single), "single.bin differs")
        for event in received.values():
            h.check(event["hash"] == h.blake(event["path"]), "transfer_done hash is not the file's")
            h.check(os.path.realpath(event["path"]).startswith(os.path.realpath(downloads)), "outside downloads")
        for _ in files:
            event = alice.wait_for("transfer_done", lambda e: e["offer"] == sent["offer"] and e["file"] in files,
                                   timeout=5)
            h.check(event["hash"] == received[event["file"]]["hash"], "sender and receiver hashes differ")
        leftovers = os.listdir(os.path.join(downloads, ".duet-partial")) if os.path.isdir(
            os.path.join(downloads, ".duet-partial")) else []
        h.check(leftovers == [], "partial area not cleaned: %r" % leftovers)

        # Never overwrite: the same selection again lands beside the first copy.
        send_and_finish(alice, bob, 'send "%s" "%s"' % (tree, single))
        h.check(h.blake(os.path.join(downloads, "single (1).bin")) == h.blake(single), "no single (1).bin")
        h.check(listing(os.path.join(downloads, "Tree (1)")) == expected, "Tree (1) differs")
        h.check(listing(os.path.join(downloads, "Tree")) == expected, "the first Tree was touched")

        # Chat while a larger file moves: the message must not wait behind the file data.
        big = os.path.join(source, "big.bin")
        with open(big, "wb") as f:
            f.truncate(256 * 1024 * 1024)
        alice.send('send "%s"' % big)
        sent = alice.wait_for("offer_sent", timeout=10)
        bob.wait_for("progress", lambda e: e["offer"] == sent["offer"] and e["state"] == "active" and e["bytes"] > 0,
                     timeout=20)
        started = time.monotonic()
        h.chat(alice, bob, "still quick?", timeout=10)
        latency = time.monotonic() - started
        finished = bob.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=120)
        h.check(finished["state"] == "done", "big file: %r" % finished)
        print("chat round trip during a transfer: %.3f s" % latency)
        h.check(latency < 1.0, "chat took %.3f s during a transfer" % latency)
        h.check(alice.quit() == 0 and bob.quit() == 0, "quit must exit 0")
    finally:
        alice.close()
        bob.close()


if __name__ == "__main__":
    h.run(test)
