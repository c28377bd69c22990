#!/usr/bin/python3
"""rttproxy.py - a UDP DNS proxy that holds every answer back DELAY_MS, so
that bench/resolve.sh can show what a network round trip costs a resolver
that asks one name after another (loopback has next to none).

Usage: rttproxy.py LISTEN_ADDR LISTEN_PORT UPSTREAM_ADDR UPSTREAM_PORT DELAY_MS
Prints "ready" once listening.  Query ids are rewritten so that clients
cannot collide."""
import asyncio
import sys


class Proxy(asyncio.DatagramProtocol):
    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay
        self.pending = {}
        self.next_id = 0
        self.down = None
        self.up = None

    def datagram_received(self, data, addr):
        if len(data) < 12:
            return
        if addr == self.upstream:
            key = data[:2]
            if key not in self.pending:
                return
            orig, client = self.pending.pop(key)
            reply = orig + data[2:]
            asyncio.get_running_loop().call_later(
                self.delay, self.down.sendto, reply, client)
            return
        self.next_id = (self.next_id + 1) & 0xFFFF
        key = self.next_id.to_bytes(2, "big")
        self.pending[key] = (data[:2], addr)
        self.down.sendto(key + data[2:], self.upstream)


async def main():
    laddr, lport, uaddr, uport, delay = sys.argv[1:6]
    loop = asyncio.get_running_loop()
    proxy = Proxy((uaddr, int(uport)), int(delay) / 1000.0)
    transport, _ = await loop.create_datagram_endpoint(
        lambda: proxy, local_addr=(laddr, int(lport)))
    proxy.down = transport
    print("ready", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
