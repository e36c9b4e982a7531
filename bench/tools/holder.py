#!/usr/bin/env python3
"""Opens N connections to a port, proves each one works end to end, then holds them all idle.

On each connection: one `GET /small HTTP/1.1` keep-alive request, and its whole response is read (status 200,
Content-Length bytes of body), so every stream is established through the tunnel up to nginx. Then:
  prints `READY ok=X failed=Y seconds=S` on stdout once every connection is up or has failed,
  holds them without traffic until SIGUSR1 (or SIGTERM),
  closes them all and prints `CLOSED dropped=Z`, where Z counts connections that the other side closed while
  they were held (nginx is configured never to, so any is a tunnel error).
Connections are opened at most --concurrency at a time, so the listen backlog is never the limit.
"""
import argparse
import asyncio
import collections
import signal
import sys
import time


async def open_one(port, timeout):
    """Returns (reader, writer) once one request has gone through; raises on any failure."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(b"GET /small HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 200"):
            raise RuntimeError(f"status line {lines[0]!r}")
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length is None:
            raise RuntimeError("no Content-Length")
        await asyncio.wait_for(reader.readexactly(length), timeout)
        return reader, writer
    except BaseException:
        writer.close()
        raise


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--concurrency", type=int, default=200, help="connections being opened at once")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for each connect, write and read")
    args = p.parse_args()

    loop = asyncio.get_running_loop()
    release = asyncio.Event()
    for sig in (signal.SIGUSR1, signal.SIGTERM):
        loop.add_signal_handler(sig, release.set)

    gate = asyncio.Semaphore(args.concurrency)
    errors = collections.Counter()
    held = []

    async def establish():
        async with gate:
            try:
                held.append(await open_one(args.port, args.timeout))
            except (OSError, RuntimeError, asyncio.TimeoutError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError) as e:
                errors[type(e).__name__ + ": " + str(e)[:80]] += 1

    start = time.monotonic()
    await asyncio.gather(*(establish() for _ in range(args.count)))
    failed = sum(errors.values())
    for message, n in errors.most_common(5):
        print(f"  {n} x {message}", file=sys.stderr, flush=True)
    print(f"READY ok={len(held)} failed={failed} seconds={time.monotonic() - start:.1f}", flush=True)

    # While held, a read that returns means the far side closed the connection (or sent stray bytes).
    dropped = 0

    async def watch(reader):
        nonlocal dropped
        try:
            await reader.read(1)
        except OSError:
            pass
        if not release.is_set():
            dropped += 1

    watchers = [asyncio.ensure_future(watch(r)) for r, _ in held]
    await release.wait()
    for t in watchers:
        t.cancel()
    for _, w in held:
        w.close()
    await asyncio.gather(*(w.wait_closed() for _, w in held), return_exceptions=True)
    print(f"CLOSED dropped={dropped}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
