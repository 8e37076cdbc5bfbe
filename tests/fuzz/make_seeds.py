#!/usr/bin/env python3
"""Write the seed corpora for the fuzzers (committed; rerun to regenerate)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIT_GET, AUDIT_SET, NLMSG_ERROR = 1000, 1001, 2


def msg(mtype, payload, seq=0):
    return struct.pack("=IHHII", 16 + len(payload), mtype, 0, seq, 0) + payload + b"\0" * (-len(payload) % 4)


def ack(err=0):
    return msg(NLMSG_ERROR, struct.pack("=i", err) + b"\0" * 16)


def status(n):
    return msg(AUDIT_GET, b"".join(struct.pack("=I", 1000 + i) for i in range(n // 4)))


def dgram(body, flags=4):
    return struct.pack("<BH", flags, len(body)) + body


def write(fuzzer, name, data):
    d = os.path.join(HERE, "corpus", fuzzer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


nl = "fuzz_netlink_replies"
write(nl, "get44", dgram(ack()) + dgram(status(44)))
write(nl, "get48_reset", dgram(ack()) + dgram(status(48)) + dgram(ack()) + dgram(status(48)) + dgram(ack(1234)))
write(nl, "reply_then_ack", dgram(status(48) + ack()) + dgram(ack()) + dgram(status(48)) + dgram(ack(7)))
write(nl, "foreign_then_kernel", dgram(ack() + status(48), 5) + dgram(ack() + status(44)))
write(nl, "truncated", dgram(status(44)[:30]))
write(nl, "oversized", dgram(ack() + status(44), 6))
write(nl, "enobufs_then_ok", struct.pack("<BH", 8, 1) + dgram(ack() + status(44)))
write(nl, "eperm", dgram(ack(-1)))
write(nl, "short_status", dgram(ack() + status(20)))

cli = "fuzz_cli_numbers"
for i, text in enumerate([b"1", b"600000", b"0", b"600001", b"-5", b"12ab", b"", b"99999999999999999999", b" 7", b"+3"]):
    write(cli, "n%d" % i, text)
