#!/usr/bin/python3
"""halfdns.py - a DNS server on UDP that answers one record type and fails
the other, which dnsmasq cannot be made to do: the resolver tests' way to
have A answer while AAAA fails.

    /usr/bin/python3 tests/resolve/halfdns.py ADDR PORT

For a name starting with "fail", every query gets SERVFAIL.  Otherwise A
gets one record, 198.18.6.1 (TTL 300), AAAA gets SERVFAIL, and any other
type NXDOMAIN.  Prints "ready" once bound; runs for at most an hour."""
import select
import socket
import struct
import sys
import time


def name_of(q):
    """The question's name, as text, and where the question's type is."""
    labels, i = [], 12
    while i < len(q) and q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return ".".join(labels), i + 1


def answer(q):
    if len(q) < 17:
        return None
    name, at = name_of(q)
    qtype = struct.unpack("!H", q[at:at + 2])[0]
    question = q[12:at + 4]
    rd = q[2] & 0x01
    if name.startswith("fail") or qtype == 28:
        rcode, records = 2, b""
    elif qtype == 1:
        rcode = 0
        records = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) +
                   bytes([198, 18, 6, 1]))
    else:
        rcode, records = 3, b""
    flags = bytes([0x80 | rd, 0x80 | rcode])
    counts = struct.pack("!HHHH", 1, 1 if records else 0, 0, 0)
    return q[:2] + flags + counts + question + records


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((sys.argv[1], int(sys.argv[2])))
    print("ready", flush=True)
    end = time.time() + 3600
    while time.time() < end:
        if not select.select([sock], [], [], 60)[0]:
            continue
        q, peer = sock.recvfrom(4096)
        a = answer(q)
        if a is not None:
            sock.sendto(a, peer)


main()
