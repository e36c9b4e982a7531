#!/usr/bin/env python3
"""A TCP relay that adds a fixed one-way delay in each direction, and otherwise no limit on bandwidth.

Each accepted connection is forwarded to --target. Every chunk read from one side is stamped with the time it
arrived and handed to that direction's writer, which sleeps until arrival + delay before writing it to the other
side, so order is kept and a 25 ms delay each way makes a 50 ms round trip. End of stream is delayed the same way
(and passed on as a half-close). Chunks are read large (up to 1 MiB) so that the relay is not the bottleneck; a
direction stops reading once it holds --queue-cap bytes not yet written, which is the back-pressure.

Note: the relay acknowledges bytes at once on the TCP level, so the delay is what application-level flow control
sees (ITT's stream windows, SSH's channel windows), not a longer path for TCP's own congestion window.
"""
import argparse
import asyncio
import collections
import sys
import time

CHUNK = 1 << 20


class Direction:
    """One way of one connection: a queue of (due time, bytes), filled by pump_in and drained by pump_out."""

    def __init__(self, delay, cap):
        self.delay = delay
        self.cap = cap
        self.queue = collections.deque()
        self.queued = 0
        self.changed = asyncio.Event()

    async def pump_in(self, reader):
        while True:
            while self.queued >= self.cap:
                self.changed.clear()
                await self.changed.wait()
            data = await reader.read(CHUNK)
            self.queue.append((time.monotonic() + self.delay, data))
            self.queued += len(data)
            self.changed.set()
            if not data:
                return

    async def pump_out(self, writer):
        while True:
            while not self.queue:
                self.changed.clear()
                await self.changed.wait()
            due, data = self.queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    if writer.can_write_eof():
                        writer.write_eof()
                except OSError:
                    pass  # the other side is already gone: nothing left to tell it
                return
            writer.write(data)
            await writer.drain()
            self.queued -= len(data)
            self.changed.set()


async def relay(client_reader, client_writer, args):
    try:
        up_reader, up_writer = await asyncio.open_connection(args.target_host, args.target, limit=CHUNK)
    except OSError as e:
        print(f"connect to {args.target_host}:{args.target} failed: {e}", file=sys.stderr, flush=True)
        client_writer.close()
        return
    delay = args.delay_ms / 1000.0
    cap = args.queue_cap
    outward, inward = Direction(delay, cap), Direction(delay, cap)
    tasks = [
        asyncio.ensure_future(outward.pump_in(client_reader)),
        asyncio.ensure_future(outward.pump_out(up_writer)),
        asyncio.ensure_future(inward.pump_in(up_reader)),
        asyncio.ensure_future(inward.pump_out(client_writer)),
    ]
    try:
        # Done when both directions delivered their end of stream, or when either side breaks (reset).
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for t in pending:
            t.cancel()
        for t in done:
            if t.exception() is not None:
                print(f"connection ended: {t.exception()!r}", file=sys.stderr, flush=True)
    finally:
        for w in (client_writer, up_writer):
            w.close()


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", type=int, required=True, help="port to listen on (127.0.0.1)")
    p.add_argument("--target", type=int, required=True, help="port to forward to")
    p.add_argument("--target-host", default="127.0.0.1")
    p.add_argument("--delay-ms", type=float, default=25.0, help="one-way delay in each direction")
    p.add_argument("--queue-cap", type=int, default=64 << 20, help="bytes held per direction before back-pressure")
    args = p.parse_args()
    server = await asyncio.start_server(
        lambda r, w: relay(r, w, args), "127.0.0.1", args.listen, backlog=4096, limit=CHUNK)
    print(f"delay relay 127.0.0.1:{args.listen} -> {args.target_host}:{args.target}, "
          f"{args.delay_ms} ms each way", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
