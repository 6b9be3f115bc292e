"""Duet's side of netbench: one file from a `duet --headless` on side a to one on side b, with chat
messages every ~50 ms from the sender while the file moves, CPU seconds and peak RSS of both processes.

Reuses tests/integration/duet_harness.py; the only addition is a read time on every event, so that
latencies are measured on one clock (both processes run on this host, the link is emulated).
"""
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import duet_harness as h  # noqa: E402

import bench_places as places  # noqa: E402

CHAT_INTERVAL_S = 0.05
CHAT_DRAIN_S = 5.0  # after the transfer: how long late chat messages may still arrive
READ_TIME = "_read_at"  # key added to every event: time.monotonic() when its line was read


class TimedPeer(h.HeadlessPeer):
    """A HeadlessPeer whose events carry READ_TIME (the harness's reader, plus a time stamp)."""

    def _read(self):
        for raw in self.proc.stdout:
            read_at = time.monotonic()
            try:
                event = json.loads(raw.decode("utf-8"))
                ok = isinstance(event, dict) and "event" in event
            except (UnicodeDecodeError, ValueError):
                ok = False
            with self._cond:
                if ok:
                    event[READ_TIME] = read_at
                    self._pending.append(event)
                    self.history.append(event)
                else:
                    self.bad_lines.append(raw)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def events(self, kind, match=None):
        with self._cond:
            return [e for e in self.history if e["event"] == kind and (match is None or match(e))]


def duet_launcher(place, side, duet, directory):
    """An executable that runs duet on `side` (ip netns exec execs, so its pid is duet's own)."""
    path = os.path.join(directory, "duet-%s.sh" % side)
    quoted = " ".join("'%s'" % part.replace("'", "'\\''") for part in place.argv(side, [duet]))
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\"\n" % quoted)
    os.chmod(path, 0o755)
    return path


def percentile(values, fraction):
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def connect(sender, receiver, address, timeout=20.0):
    sender.send("connect %s:%d" % (address, receiver.port))
    at_sender = sender.wait_for("connected", timeout=timeout)
    at_receiver = receiver.wait_for("connected", timeout=timeout)
    sender.wait_for("verified", lambda e: e["peer"] == at_sender["peer"], timeout=timeout)
    receiver.wait_for("verified", lambda e: e["peer"] == at_receiver["peer"], timeout=timeout)


def chat_latencies(sender, receiver, says, active_from, active_until):
    """(one-way ms list, acknowledged ms list, missing count) for messages said while data moved."""
    arrivals = {}
    for event in receiver.events("message", lambda e: e["text"].startswith("bench-chat ")):
        arrivals[int(event["text"].split()[1])] = event[READ_TIME]
    # `sent` events come in the order of the `say` lines; `delivered` names the id.
    sent_ids = [e["id"] for e in sender.events("sent")]
    delivered = {e["id"]: e[READ_TIME] for e in sender.events("delivered")}
    one_way, acknowledged, missing = [], [], 0
    for index, said_at in enumerate(says):
        if not active_from <= said_at <= active_until:
            continue
        if index not in arrivals:
            missing += 1
            continue
        one_way.append((arrivals[index] - said_at) * 1000.0)
        if os.environ.get("DUET_BENCH_CHAT_LOG") == "1":  # when each message went and how long it took
            print("    chat %d at %.2f s: %.1f ms" % (index, said_at - says[0], one_way[-1]))
        if index < len(sent_ids) and sent_ids[index] in delivered:
            acknowledged.append((delivered[sent_ids[index]] - said_at) * 1000.0)
    return one_way, acknowledged, missing


def run_duet(place, duet, source, size, cap_s, workdir):
    """Sends `source` (size bytes) from a to b, chatting meanwhile. Returns a result dict."""
    directory = tempfile.mkdtemp(prefix="duet-", dir=workdir)
    sender = receiver = None
    result = {"tool": "duet", "bytes": 0, "seconds": 0.0, "complete": False, "note": "disk to disk, verified"}
    try:
        sender = TimedPeer(duet_launcher(place, "a", duet, directory), "bench-sender", yes=True, workdir=directory)
        receiver = TimedPeer(duet_launcher(place, "b", duet, directory), "bench-receiver", yes=True,
                             workdir=directory)
        connect(sender, receiver, place.address("b"))
        pids = (sender.proc.pid, receiver.proc.pid)
        cpu_before = [places.cpu_seconds(pid) for pid in pids]
        started = time.monotonic()
        sender.send('send "%s"' % source)
        offer = sender.wait_for("offer_sent", timeout=60)["offer"]
        says, finished = [], None
        deadline = started + cap_s
        while finished is None and time.monotonic() < deadline and receiver.alive() and sender.alive():
            says.append(time.monotonic())
            sender.send("say bench-chat %d" % (len(says) - 1))
            try:  # doubles as the pause between messages
                finished = receiver.wait_for("offer_finished", lambda e: e["offer"] == offer, timeout=CHAT_INTERVAL_S)
            except h.TestFailure:
                pass
        ended = time.monotonic()
        progress = receiver.events("progress", lambda e: e["offer"] == offer and e["bytes"] > 0)
        if finished is not None:
            result["complete"] = finished["state"] == "done"
            result["bytes"] = size if result["complete"] else (progress[-1]["bytes"] if progress else 0)
            result["seconds"] = finished[READ_TIME] - started
            if not result["complete"]:
                result["note"] = "ended %s: %s" % (finished["state"], finished.get("reason", ""))
        else:
            sender.send("cancel %s" % offer)
            result["bytes"] = progress[-1]["bytes"] if progress else 0
            result["seconds"] = (progress[-1][READ_TIME] if progress else ended) - started
            result["note"] = "timed out at %.1f MB" % (result["bytes"] / 1e6)
        result["cpu_send_s"], result["cpu_recv_s"] = (places.cpu_seconds(pid) - before
                                                      for pid, before in zip(pids, cpu_before))
        result["rss_send_mib"], result["rss_recv_mib"] = (places.peak_rss_kib(pid) / 1024.0 for pid in pids)
        # Chat latency counts only messages said while data moved (first progress to the end).
        active_from = progress[0][READ_TIME] if progress else ended
        drain_deadline = time.monotonic() + CHAT_DRAIN_S
        while time.monotonic() < drain_deadline:
            one_way, acknowledged, missing = chat_latencies(sender, receiver, says, active_from, ended)
            if missing == 0:
                break
            time.sleep(0.1)
        result.update(chat_count=len(one_way), chat_missing=missing,
                      chat_p50_ms=percentile(one_way, 0.50), chat_p99_ms=percentile(one_way, 0.99),
                      chat_ack_p50_ms=percentile(acknowledged, 0.50),
                      chat_ack_p99_ms=percentile(acknowledged, 0.99),
                      chat_mean_ms=statistics.fmean(one_way) if one_way else None)
        return result
    finally:
        for peer in (sender, receiver):
            if peer is not None:
                peer.close()
        if os.environ.get("DUET_BULK_TRACE") == "1":
            # The trace lines are the point of such a run: keep the processes' stderr.
            for name in os.listdir(directory):
                if name.startswith("stderr-"):
                    shutil.copy(os.path.join(directory, name), os.path.join(os.path.dirname(workdir), name))
        shutil.rmtree(directory, ignore_errors=True)
