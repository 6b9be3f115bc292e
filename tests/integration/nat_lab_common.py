"""What the NAT lab's variants share (nat_lab_test.py, nat_mapping_lab.py, nat_rebind_lab.py): the
launcher that runs duet inside a lab namespace, starting and stopping a pair of headless peers, the code
exchange, and the single-dialler check.

Who dials is visible in the headless events alone: the `nat` event with stage "punching" that starts an
attempt says "this side will connect" or "the other side will connect", and only a side that actually
runs enet_host_connect emits a `nat` event with stage "connecting".
"""

import os

from duet_harness import HeadlessPeer, check

CODE_TIMEOUT = 10.0


def wrapper(workdir, duet, namespace, name, stun_servers, port_mapping=False):
    """A launcher that runs duet inside `namespace` with the lab's STUN servers (HeadlessPeer runs it)."""
    path = os.path.join(workdir, "duet-" + name)
    options = " ".join("--stun " + s for s in stun_servers) + ("" if port_mapping else " --no-port-mapping")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec ip netns exec %s %s \"$@\" %s\n" % (namespace, duet, options))
    os.chmod(path, 0o755)
    return path


def start_pair(lab, duet, workdir, rundir, port):
    """alice behind NAT A and bob behind NAT B, both without port mapping, on `port`."""
    a = HeadlessPeer(wrapper(workdir, duet, lab.peer_a, "a", lab.stun_servers), "alice", port=port, workdir=rundir)
    try:
        b = HeadlessPeer(wrapper(workdir, duet, lab.peer_b, "bob", lab.stun_servers), "bob", port=port,
                         workdir=rundir)
    except BaseException:
        stop_peers(a)
        raise
    return a, b


def stop_peers(*peers):
    """Quits every peer still running (bounded), then reaps it."""
    for peer in peers:
        if peer.alive():
            try:
                peer.quit(timeout=5)
            except Exception:  # already gone or stuck: close() kills it
                pass
        peer.close()


def request_codes(a, b):
    """Both peers show their code; returns (code_a, code_b)."""
    a.send("code")
    b.send("code")
    return a.wait_for("code", timeout=CODE_TIMEOUT)["code"], b.wait_for("code", timeout=CODE_TIMEOUT)["code"]


def paste_codes(a, b, code_a, code_b):
    """Each user pastes the other's code, at (almost) the same time."""
    a.send("connect " + code_b)
    b.send("connect " + code_a)


def exchange_codes(a, b):
    """The whole exchange: both show their code and paste the other's. Returns (code_a, code_b)."""
    code_a, code_b = request_codes(a, b)
    paste_codes(a, b, code_a, code_b)
    return code_a, code_b


def nat_events(peer, since=0):
    with peer._cond:
        return [e for e in peer.history[since:] if e["event"] == "nat"]


def check_single_dialler(a, b, since_a=0, since_b=0):
    """Exactly one of the two dialled during the attempt that began at history indexes since_a/since_b,
    and both sides announced the same choice. Returns the dialling peer."""
    diallers = [p for p, since in ((a, since_a), (b, since_b))
                if any(e["stage"] == "connecting" for e in nat_events(p, since))]
    check(len(diallers) == 1, "%d sides dialled (%s); exactly one must" % (
        len(diallers), ", ".join(p.name for p in diallers) or "none"))
    announced = {}
    for peer, since in ((a, since_a), (b, since_b)):
        punching = [e for e in nat_events(peer, since) if e["stage"] == "punching"]
        check(punching, "%s never announced punching" % peer.name)
        announced[peer.name] = "this side will connect" in punching[0]["detail"]
    check(announced[a.name] != announced[b.name], "both sides announced the same role: %r" % announced)
    check(announced[diallers[0].name], "%s dialled although it announced the other side would" % diallers[0].name)
    return diallers[0]
