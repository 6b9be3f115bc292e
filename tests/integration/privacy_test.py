"""No plaintext on the wire: capture the loopback traffic of a chat and a file transfer with tcpdump and
check that neither the chat text, the display name, the file's name nor a marker inside the file ever
appears, while Duet's plaintext handshake frames do (proof that the capture saw the conversation).
Skipped when tcpdump is missing or we may not capture."""

import os
import secrets
import shutil
import signal
import subprocess
import time

import duet_harness as h


def start_capture(port, path, workdir):
    log = open(os.path.join(workdir, "tcpdump.log"), "wb")
    proc = subprocess.Popen(["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-B", "65536", "-w", path,
                             "udp port %d" % port],
                            stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None, log
        with open(log.name, "rb") as f:
            if b"listening on" in f.read():
                return proc, log
        time.sleep(0.05)
    proc.kill()
    return None, log


def udp_packets(pcap):
    """Number of records in a classic pcap file (the format tcpdump -w writes)."""
    if len(pcap) < 24:
        return 0
    little = pcap[:4] == b"\xd4\xc3\xb2\xa1" or pcap[:4] == b"\x4d\x3c\xb2\xa1"
    order = "little" if little else "big"
    offset, records = 24, 0
    while offset + 16 <= len(pcap):
        captured = int.from_bytes(pcap[offset + 8:offset + 12], order)
        offset += 16 + captured
        records += 1
    return records


def test(duet, workdir):
    if shutil.which("tcpdump") is None:
        print("SKIP: tcpdump is not installed")
        return h.SKIP
    if os.geteuid() != 0:
        print("SKIP: capturing on lo needs root")
        return h.SKIP
    marker = "MARKER-" + secrets.token_hex(16)
    name_marker = "name" + secrets.token_hex(6)
    file_marker = "file" + secrets.token_hex(8)
    content_marker = "CONTENT-" + secrets.token_hex(16)
    pcap_path = os.path.join(workdir, "chat.pcap")
    file_size = 0
    alice = h.HeadlessPeer(duet, name_marker, yes=True, workdir=workdir)
    bob = None
    capture, log = start_capture(alice.port, pcap_path, workdir)
    try:
        if capture is None:
            print("SKIP: tcpdump could not capture on lo")
            return h.SKIP
        bob = h.HeadlessPeer(duet, "bob", yes=True, workdir=workdir)
        h.connect_verified(bob, alice)
        h.chat(bob, alice, marker)
        h.chat(alice, bob, marker + " \u00e9\u4f60\U0001F600 reply")
        # A file whose name and content carry markers, the content repeated across several chunks.
        source = os.path.join(workdir, "source")
        os.makedirs(source)
        file_path = os.path.join(source, file_marker + ".txt")
        with open(file_path, "wb") as f:
            for _ in range(3000):
                f.write(content_marker.encode() + os.urandom(200))
        file_size = os.path.getsize(file_path)
        bob.send('send "%s"' % file_path)
        sent = bob.wait_for("offer_sent")
        done = alice.wait_for("offer_finished", lambda e: e["offer"] == sent["offer"], timeout=30)
        h.check(done["state"] == "done", "the file did not arrive: %r" % done)
        time.sleep(0.5)  # let tcpdump write the last packets before it is stopped
    finally:
        if capture is not None:
            capture.send_signal(signal.SIGINT)
            capture.wait(timeout=5)
        log.close()
        alice.close()
        if bob is not None:
            bob.close()

    with open(pcap_path, "rb") as f:
        pcap = f.read()
    packets = udp_packets(pcap)
    print("captured %d packets, %d bytes" % (packets, len(pcap)))
    h.check(packets >= 10, "the capture should hold the whole conversation")
    h.check(len(pcap) > file_size, "the capture should hold the whole file (%d bytes captured)" % len(pcap))
    h.check(b"DU\x01" in pcap, "Duet's plaintext frame header should be visible (capture sanity check)")
    for secret in (marker.encode(), name_marker.encode(), marker.encode("utf-16-le"), file_marker.encode(),
                   content_marker.encode()):
        h.check(secret not in pcap, "plaintext %r found on the wire" % secret[:20])


if __name__ == "__main__":
    h.run(test)
