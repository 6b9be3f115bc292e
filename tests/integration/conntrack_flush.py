"""Forgets every IPv4 connection-tracking entry of the current network namespace (what `conntrack -F`
does; Debian 12 does not install that tool by default), through ctnetlink: an IPCTNL_MSG_CT_DELETE
without a tuple deletes the whole table. Run inside a namespace: `ip netns exec NS python3 conntrack_flush.py`.
The NAT lab uses it to make a NAT forget its mappings mid-session (a rebinding)."""

import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2


def main():
    body = struct.pack("=BBH", socket.AF_INET, 0, 0)
    request = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                          NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER) as sock:
        sock.settimeout(2.0)
        sock.bind((0, 0))
        sock.send(request)
        data = sock.recv(65536)
    length, kind = struct.unpack_from("=IH", data, 0)
    if kind != NLMSG_ERROR or length < 20:
        print("unexpected ctnetlink answer", file=sys.stderr)
        return 1
    (code,) = struct.unpack_from("=i", data, 16)
    if code != 0:
        print("ctnetlink refused the flush: %s" % os.strerror(-code), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
