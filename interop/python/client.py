"""client.py URL: the websockets client runs the interop scenario against the
echo server at URL and reports each step as a line of JSON."""

import asyncio
import sys

import websockets

from scenario import STEPS, close_info, in_order, report


async def main(url):
    async with websockets.connect(
        url,
        subprotocols=["chat", "superchat"],
        compression="deflate",  # offered; the server decides
        max_size=64 << 20,
        open_timeout=10,
        close_timeout=10,
    ) as ws:
        report(step="open", protocol=ws.subprotocol,
               extensions=", ".join(e.name for e in ws.extensions))
        for name, data in STEPS:
            await ws.send(data)
            got = await ws.recv()
            report(step=name, ok=type(got) is type(data) and got == data,
                   bytes=len(got), binary=isinstance(got, bytes))
        for i in range(100):
            await ws.send(in_order(i))
        ok, first_bad = True, -1
        for i in range(100):
            got = await ws.recv()
            want = in_order(i)
            if ok and not (type(got) is type(want) and got == want):
                ok, first_bad = False, i
        report(step="100-in-order", ok=ok, firstBad=first_bad)
        await ws.close(4000, "bye")
        await ws.wait_closed()
        report(step="close", **close_info(ws))


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(sys.argv[1]), 60))
    except Exception as e:  # reported, for the test's log
        report(step="error", error=repr(e))
        sys.exit(1)
