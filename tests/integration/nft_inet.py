"""Creates the nftables "inet" tables and chains that Debian's miniupnpd (nftables backend) writes its
port mappings into, speaking nf_tables netlink directly: Debian 12 ships no `nft` command by default and
iptables-nft only makes "ip" family tables, while miniupnpd 2.3.1 writes to family inet.

Run inside the NAT namespace: `ip netns exec NS python3 nft_inet.py`. What it builds (nft syntax):
    table inet filter { chain miniupnpd {} }
    table inet nat {
        chain prerouting  { type nat hook prerouting priority -100; jump prerouting_miniupnpd }
        chain postrouting { type nat hook postrouting priority 100; jump postrouting_miniupnpd }
        chain prerouting_miniupnpd {}
        chain postrouting_miniupnpd {}
    }
The forward filtering stays with the lab's iptables rules (they accept conntrack state DNAT).
"""

import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_NFTABLES = 10
NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 0x10, 0x11
NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE = 0, 3, 6
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_APPEND = 0x1, 0x4, 0x400, 0x800
NLA_F_NESTED = 0x8000
NFPROTO_INET = 1
NF_INET_PRE_ROUTING, NF_INET_POST_ROUTING = 0, 4
NFT_JUMP = -3
NLMSG_ERROR = 2


def attr(kind, payload):
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def nested(kind, *children):
    return attr(kind | NLA_F_NESTED, b"".join(children))


def text(kind, value):
    return attr(kind, value.encode() + b"\0")


def be32(kind, value):
    return attr(kind, struct.pack(">i", value))


def message(kind, flags, seq, family, payload):
    body = struct.pack("=BBH", family, 0, socket.htons(NFNL_SUBSYS_NFTABLES if kind < 0x100 else 0)) + payload
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def table(name):
    return NFT_MSG_NEWTABLE, text(1, name)


def chain(table_name, name, hook=None):
    attrs = text(1, table_name) + text(3, name)
    if hook is not None:
        number, priority = hook
        attrs += nested(4, be32(1, number), be32(2, priority)) + text(7, "nat")
    return NFT_MSG_NEWCHAIN, attrs


def jump(table_name, chain_name, target):
    verdict = nested(2, be32(1, NFT_JUMP), text(2, target))
    immediate = nested(1, text(1, "immediate"), nested(2, be32(1, 0), nested(2, verdict)))
    return NFT_MSG_NEWRULE, text(1, table_name) + text(2, chain_name) + nested(4, immediate)


def main():
    objects = [
        table("filter"), chain("filter", "miniupnpd"),
        table("nat"), chain("nat", "prerouting_miniupnpd"), chain("nat", "postrouting_miniupnpd"),
        chain("nat", "prerouting", (NF_INET_PRE_ROUTING, -100)),
        chain("nat", "postrouting", (NF_INET_POST_ROUTING, 100)),
        jump("nat", "prerouting", "prerouting_miniupnpd"), jump("nat", "postrouting", "postrouting_miniupnpd"),
    ]
    seq = 1
    batch = message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, 0, b"")
    for kind, payload in objects:
        seq += 1
        flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (NLM_F_APPEND if kind == NFT_MSG_NEWRULE else 0)
        batch += message((NFNL_SUBSYS_NFTABLES << 8) | kind, flags, seq, NFPROTO_INET, payload)
    batch += message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 1, 0, b"")
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER) as sock:
        sock.settimeout(2.0)
        sock.bind((0, 0))
        sock.send(batch)
        acked = 0
        # One ACK (an error message with code 0) per object; any non-zero code is a refusal.
        while acked < len(objects):
            data = sock.recv(65536)
            offset = 0
            while offset + 16 <= len(data) and acked < len(objects):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind == NLMSG_ERROR:
                    (code,) = struct.unpack_from("=i", data, offset + 16)
                    if code != 0:
                        print("nf_tables refused object %d: %s" % (acked, os.strerror(-code)), file=sys.stderr)
                        return 1
                    acked += 1
                offset += max(length, 16) + (-length % 4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
