"""A hostile sender as its own process (duet-hostile-sender) against a real `duet --headless --yes` receiver.

Every scenario of the tool runs on a new connection with a new identity: sizes that lie, chunk offsets out
of range and overflowing, duplicate and conflicting chunks, messages for unknown and cancelled transfers,
a flood of offers, offers over the caps, bogus resume claims. For each, the receiver must report a clear
error (transfer_failed with a reason and outcome, or the offer refused), keep running, write nothing
outside its download folder and put nothing under a final name except the files the scenario sent
honestly. Afterwards an honest peer still chats and sends a file, and `quit` exits 0.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import duet_harness as h

HOSTILE = None  # path of duet-hostile-sender, from --hostile


def tree(root, skip):
    """Every path below root (relative), except below the directories named in skip."""
    found = set()
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in skip]
        for name in dirs + files:
            found.add(os.path.normpath(os.path.join(rel, name)))
    return found


def final_names(downloads):
    """Names in the download folder outside Duet's partial area."""
    return sorted(n for n in os.listdir(downloads) if n != ".duet-partial")


def partial_files(downloads):
    return tree(os.path.join(downloads, ".duet-partial"), set()) if os.path.isdir(
        os.path.join(downloads, ".duet-partial")) else set()


def play(scenario, port, seed):
    started = time.monotonic()
    proc = subprocess.run([HOSTILE, "--port", str(port), "--seed", str(seed), scenario],
                          capture_output=True, timeout=30)
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    print("%-20s %.1f s, tool exit %d" % (scenario, time.monotonic() - started, proc.returncode))
    h.check(proc.returncode == 0, "%s: the tool reports %s (stderr %r)"
            % (scenario, [l for l in lines if l.get("ok") is False], proc.stderr.decode()[-500:]))
    return lines


def failures(receiver, peer, count, outcome, words, timeout=5):
    """count transfer_failed events of peer with this outcome; each reason contains one of words."""
    found = []
    for _ in range(count):
        event = receiver.wait_for("transfer_failed",
                                  lambda e: e["peer"] == peer and e["outcome"] == outcome, timeout=timeout)
        h.check(event["reason"] and any(w in event["reason"] for w in words),
                "unclear reason %r (expected one of %r)" % (event["reason"], words))
        found.append(event)
    return found


def finished(receiver, peer, state):
    event = receiver.wait_for("offer_finished", lambda e: e["peer"] == peer and e["state"] == state, timeout=5)
    return event


def done_file(receiver, peer, name, expected_hash):
    done = receiver.wait_for("transfer_done",
                             lambda e: e["peer"] == peer and os.path.basename(e["path"]) == name, timeout=5)
    h.check(done["hash"] == expected_hash, "%s: reported hash differs from what was sent" % name)
    h.check(h.blake(done["path"]) == expected_hash, "%s: content on disk differs" % name)


def errors_of(receiver, peer):
    return [e for e in receiver.history if e["event"] == "error" and e.get("peer") == peer]


def check_more_bytes(receiver, peer, lines):
    failures(receiver, peer, 2, "protocol_violation", ("more bytes than offered", "expected 1000"))
    finished(receiver, peer, "failed")


def check_fewer_bytes(receiver, peer, lines):
    failures(receiver, peer, 2, "protocol_violation", ("fewer bytes than offered", "expected 1000"))
    finished(receiver, peer, "failed")


def check_bad_offsets(receiver, peer, lines):
    failures(receiver, peer, 5, "protocol_violation", ("beyond the file",))
    finished(receiver, peer, "failed")


def check_duplicates(receiver, peer, lines):
    failures(receiver, peer, 1, "hash_mismatch", ("does not match",))
    failures(receiver, peer, 1, "protocol_violation", ("duplicate",))


def check_unknown(receiver, peer, lines):
    deadline = time.monotonic() + 5
    while len(errors_of(receiver, peer)) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    reasons = [e["reason"] for e in errors_of(receiver, peer)]
    print("    receiver errors: %s" % reasons[:7])
    h.check(len(reasons) >= 5 and all(r.startswith("file transfer") for r in reasons),
            "unknown transfers not reported clearly: %r" % reasons)


def check_cancelled(receiver, peer, lines):
    failures(receiver, peer, 2, "cancelled", ("cancel",))
    finished(receiver, peer, "cancelled")


def check_flood(receiver, peer, lines):
    flood = next(l for l in lines if l.get("step") == "flood")
    print("    flood: %s" % flood)
    offers = [e for e in receiver.history if e["event"] == "offer" and e["peer"] == peer]
    h.check(len(offers) <= 8, "%d flooded offers reached the receiver's user" % len(offers))


def check_huge(receiver, peer, lines):
    for line in lines:
        if line.get("step") == "reply":
            print("    refused: %s" % line["reason"])
    # Only the offer within the caps reaches the user (auto-accepted), and the free-space check refuses it.
    offers = [e for e in receiver.history if e["event"] == "offer" and e["peer"] == peer]
    h.check([e["entries"][0]["path"] for e in offers] in ([], ["no-room.bin"]),
            "an offer over the caps was shown: %r" % offers[:1])
    # The offer declaring more entries than the cap does not decode: the user is told it was ignored.
    receiver.wait_for("error", lambda e: e.get("peer") == peer and "over Duet's limits" in e["reason"], timeout=5)
    for offer in offers:
        ended = receiver.wait_for("offer_finished", lambda e: e["offer"] == offer["offer"], timeout=5)
        print("    no-room offer: %s, %s" % (ended["state"], ended["reason"]))
        h.check(ended["state"] == "rejected" and "space" in ended["reason"], "no room: %r" % ended)


def check_bogus_resume(receiver, peer, lines):
    failures(receiver, peer, 3, "protocol_violation", ("was expected", "declared the file verified",
                                                      "fewer bytes than offered"))
    finished(receiver, peer, "failed")


CHECKS = {
    "more-bytes": check_more_bytes,
    "fewer-bytes": check_fewer_bytes,
    "bad-offsets": check_bad_offsets,
    "duplicate-chunks": check_duplicates,
    "unknown-transfers": check_unknown,
    "cancelled-transfers": check_cancelled,
    "offer-flood": check_flood,
    "huge-offers": check_huge,
    "bogus-resume": check_bogus_resume,
}


def test(duet, workdir):
    listed = subprocess.run([HOSTILE, "--list"], capture_output=True, check=True).stdout.decode().split()
    h.check(sorted(listed) == sorted(CHECKS), "scenarios differ: tool %r, test %r" % (listed, sorted(CHECKS)))
    receiver = h.HeadlessPeer(duet, "receiver", yes=True, workdir=workdir)
    alice = None
    downloads = os.path.join(workdir, "downloads-receiver")
    # Everything outside the receiver's download folder and profile must stay as it is.
    private = {"downloads-receiver", "profile-receiver"}
    outside_before = {p for p in tree(workdir, private) if not p.startswith("stderr-")}
    expected_final = {}
    try:
        for seed, scenario in enumerate(listed, start=100):
            partials_before = partial_files(downloads)
            lines = play(scenario, receiver.port, seed)
            fingerprint = next(l["fingerprint"] for l in lines if l.get("step") == "verified")
            peer = receiver.wait_for("connected", lambda e: e["fingerprint"] == fingerprint, timeout=5)["peer"]
            CHECKS[scenario](receiver, peer, lines)
            for line in lines:
                if line.get("step") == "expect_final":
                    done_file(receiver, peer, line["path"], line["hash"])
                    expected_final[line["path"]] = line["hash"]
            receiver.wait_for("disconnected", lambda e: e["peer"] == peer, timeout=10)
            h.check(receiver.alive(), "the receiver died during %s" % scenario)
            h.check(final_names(downloads) == sorted(expected_final),
                    "%s: final names %r, expected %r" % (scenario, final_names(downloads), sorted(expected_final)))
            if scenario == "cancelled-transfers":
                left = partial_files(downloads) - partials_before
                h.check(not left, "cancelled files left partial data: %r" % sorted(left))
        for name, digest in expected_final.items():
            h.check(h.blake(os.path.join(downloads, name)) == digest, "%s changed later" % name)
        for path in tree(downloads, set()):
            h.check(not os.path.islink(os.path.join(downloads, path)), "a symlink appeared: %s" % path)

        # The receiver still serves an honest peer: chat both ways and a file.
        alice = h.HeadlessPeer(duet, "alice", yes=True, workdir=workdir)
        h.connect_verified(alice, receiver)
        h.chat(alice, receiver, "still there?")
        h.chat(receiver, alice, "yes")
        source = os.path.join(workdir, "honest.bin")
        with open(source, "wb") as f:
            f.write(os.urandom(300 * 1024))
        alice.send('send "%s"' % source)
        done = receiver.wait_for("transfer_done", lambda e: e["path"].endswith("honest.bin"), timeout=20)
        h.check(done["hash"] == h.blake(source) == h.blake(done["path"]), "the honest file differs")
        h.check(alice.quit() == 0, "alice exited non-zero")
        h.check(receiver.quit() == 0, "the receiver exited non-zero after the hostile senders")
    finally:
        for peer in (alice, receiver):
            if peer is not None:
                peer.close()
    outside_after = {p for p in tree(workdir, private) if not p.startswith("stderr-")}
    outside_after -= {"honest.bin", "profile-alice", "downloads-alice"}
    outside_after = {p for p in outside_after if not p.startswith("profile-alice" + os.sep)}
    h.check(outside_after == outside_before,
            "written outside the download folder: %r" % sorted(outside_after ^ outside_before))


def main():
    global HOSTILE
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostile", required=True)
    args, rest = parser.parse_known_args()
    HOSTILE = os.path.abspath(args.hostile)
    sys.argv = [sys.argv[0]] + rest
    h.run(test)


if __name__ == "__main__":
    main()
